#include "chat/chatpanel.h"

#include "chat/answerview.h"
#include "chat/chatcontroller.h"
#include "chat/chatwelcome.h"
#include "chat/conversationstore.h"
#include "chat/feedbackbar.h"
#include "common/icons.h"
#include "governance/governancecontroller.h"
#include "governance/trustbadge.h"
#include "settings/providerservice.h"
#include "settings/providertrust.h"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QToolButton>
#include <QVBoxLayout>

namespace docsight {
namespace {

QString shortTitle(const QString &question)
{
    const QString s = question.simplified();
    return s.size() > 60 ? s.left(59) + QChar(0x2026) : s;
}

} // namespace

ChatPanel::ChatPanel(ChatController *controller, ProviderService *providers, ConversationStore *store, QWidget *parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_providers(providers)
    , m_store(store)
{
    createWidgets();
    connect(m_controller, &ChatController::delta, this, &ChatPanel::onDelta);
    connect(m_controller, &ChatController::finished, this, &ChatPanel::onFinished);
    connect(m_controller, &ChatController::busyChanged, this, [this](bool busy) {
        updateState();
        Q_EMIT busyChanged(busy);
    });
    m_conversation.id = Conversation::newId();
    rebuildTranscript();
    refreshHistory();
}

void ChatPanel::createWidgets()
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);

    m_send = new QAction(icons::icon(QStringLiteral("send")), tr("Send"), this);
    m_send->setObjectName(QStringLiteral("sendQuestion"));
    m_send->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    m_send->setToolTip(tr("Send the question (Ctrl+Enter)"));
    connect(m_send, &QAction::triggered, this, &ChatPanel::send);
    m_stop = new QAction(icons::icon(QStringLiteral("stop")), tr("Stop Answer"), this);
    m_stop->setObjectName(QStringLiteral("stopAnswer"));
    m_stop->setShortcut(QKeySequence(Qt::Key_Escape));
    m_stop->setToolTip(tr("Stop the answer (Esc)"));
    connect(m_stop, &QAction::triggered, m_controller, &ChatController::stop);
    m_new = new QAction(icons::icon(QStringLiteral("new-chat")), tr("New Conversation"), this);
    m_new->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
    connect(m_new, &QAction::triggered, this, &ChatPanel::newConversation);
    m_nextCitation = new QAction(icons::icon(QStringLiteral("next-citation")), tr("Next Citation"), this);
    m_nextCitation->setShortcut(QKeySequence(Qt::Key_F8));
    connect(m_nextCitation, &QAction::triggered, this, [this] { stepCitation(1); });
    m_previousCitation = new QAction(icons::icon(QStringLiteral("previous-citation")), tr("Previous Citation"), this);
    m_previousCitation->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F8));
    connect(m_previousCitation, &QAction::triggered, this, [this] { stepCitation(-1); });

    // Title row: what this is, saved conversations, a new one.
    auto *titleRow = new QHBoxLayout;
    titleRow->setContentsMargins(8, 6, 4, 0);
    m_title = new QLabel(tr("Ask"));
    QFont bold = m_title->font();
    bold.setWeight(QFont::DemiBold);
    m_title->setFont(bold);
    m_title->setTextFormat(Qt::PlainText);
    m_history = new QToolButton;
    m_history->setIcon(icons::icon(QStringLiteral("history")));
    m_history->setToolTip(tr("Earlier conversations"));
    m_history->setPopupMode(QToolButton::InstantPopup);
    m_history->setAutoRaise(true);
    m_historyMenu = new QMenu(m_history);
    m_history->setMenu(m_historyMenu);
    connect(m_historyMenu, &QMenu::aboutToShow, this, [this] {
        m_historyMenu->clear();
        if (m_saved.isEmpty())
            m_historyMenu->addAction(tr("No saved conversations"))->setEnabled(false);
        for (const ConversationSummary &c : std::as_const(m_saved)) {
            QAction *a = m_historyMenu->addAction(
                QStringLiteral("%1 — %2").arg(c.title, QLocale().toString(c.updated, QLocale::ShortFormat)));
            a->setCheckable(true);
            a->setChecked(c.id == m_conversation.id);
            connect(a, &QAction::triggered, this, [this, id = c.id] { openConversation(id); });
        }
    });
    auto *newButton = new QToolButton;
    newButton->setDefaultAction(m_new);
    newButton->setAutoRaise(true);
    titleRow->addWidget(m_title, 1);
    titleRow->addWidget(m_history);
    titleRow->addWidget(newButton);
    layout->addLayout(titleRow);

    // Provider, model and scope.
    auto *pickRow = new QHBoxLayout;
    pickRow->setContentsMargins(6, 0, 6, 0);
    m_provider = new QComboBox;
    m_provider->setAccessibleName(tr("Answer provider"));
    m_provider->setToolTip(tr("Who writes the answers"));
    connect(m_provider, &QComboBox::activated, this, &ChatPanel::onProviderPicked);
    m_model = new QComboBox;
    m_model->setEditable(true);
    m_model->setAccessibleName(tr("Model"));
    m_model->setInsertPolicy(QComboBox::NoInsert);
    m_model->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_model->setMinimumContentsLength(10);
    connect(m_model, &QComboBox::currentTextChanged, this, [this] { Q_EMIT providerChanged(); });
    m_trust = new TrustBadge;
    pickRow->addWidget(m_provider, 1);
    pickRow->addWidget(m_trust);
    pickRow->addWidget(m_model, 1);
    layout->addLayout(pickRow);
    auto *scopeRow = new QHBoxLayout;
    scopeRow->setContentsMargins(6, 0, 6, 0);
    auto *scopeLabel = new QLabel(tr("Search:"));
    m_scope = new QComboBox;
    m_scope->setAccessibleName(tr("Documents to search"));
    m_scope->addItem(tr("All documents"));
    m_scope->addItem(tr("Selected documents"));
    scopeLabel->setBuddy(m_scope);
    scopeRow->addWidget(scopeLabel);
    scopeRow->addWidget(m_scope, 1);
    layout->addLayout(scopeRow);

    // Transcript.
    m_scroll = new QScrollArea;
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_transcript = new QWidget;
    m_transcript->setObjectName(QStringLiteral("transcript"));
    applyTranscriptStyle();
    m_transcriptLayout = new QVBoxLayout(m_transcript);
    m_transcriptLayout->setContentsMargins(8, 8, 8, 8);
    m_transcriptLayout->setSpacing(10);
    m_transcriptLayout->addStretch();
    m_scroll->setWidget(m_transcript);
    QScrollBar *bar = m_scroll->verticalScrollBar();
    connect(bar, &QScrollBar::valueChanged, this, [this, bar](int value) { m_stickToBottom = value >= bar->maximum() - 8; });
    connect(bar, &QScrollBar::rangeChanged, this, [this, bar](int, int max) {
        if (m_stickToBottom)
            bar->setValue(max);
    });
    layout->addWidget(m_scroll, 1);

    // First-run state.
    m_welcome = new ChatWelcome;
    connect(m_welcome, &ChatWelcome::suggestionClicked, this, [this](const QString &q) { ask(q); });

    // Question box.
    auto *inputRow = new QHBoxLayout;
    inputRow->setContentsMargins(6, 0, 6, 6);
    m_input = new QPlainTextEdit;
    m_input->setObjectName(QStringLiteral("questionInput"));
    m_input->setPlaceholderText(tr("Ask a question about your documents… (Ctrl+Enter to send)"));
    m_input->setTabChangesFocus(true);
    m_input->setFixedHeight(m_input->fontMetrics().lineSpacing() * 3 + 16);
    connect(m_input, &QPlainTextEdit::textChanged, this, &ChatPanel::updateState);
    m_sendButton = new QPushButton;
    m_sendButton->setDefault(true);
    m_sendButton->setMinimumWidth(80);
    connect(m_sendButton, &QPushButton::clicked, this, [this] { m_controller->isBusy() ? m_controller->stop() : send(); });
    inputRow->addWidget(m_input, 1);
    inputRow->addWidget(m_sendButton, 0, Qt::AlignBottom);
    layout->addLayout(inputRow);
    updateState();
}

void ChatPanel::applyTranscriptStyle()
{
    // Palette roles only, so light and dark palettes both work. A style sheet freezes the palette it was
    // polished with, so it is applied again whenever the palette changes.
    m_transcript->setStyleSheet(QString());
    m_transcript->setStyleSheet(QStringLiteral(
        "QFrame#question { background: palette(alternate-base); border-radius: 8px; }"
        "QFrame#answer { background: palette(base); border: 1px solid palette(midlight); border-radius: 8px; }"
        "QToolButton#citationChip { border: 1px solid palette(mid); border-radius: 6px; padding: 3px 8px;"
        " background: palette(button); text-align: left; }"
        "QToolButton#citationChip:hover { border-color: palette(highlight); }"
        "QToolButton#citationChip[flagged=\"true\"] { border-color: #d68910; }"
        "QToolButton#citationChip[current=\"true\"] { border: 2px solid palette(highlight); padding: 2px 7px; }"));
}

void ChatPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_transcript)
        applyTranscriptStyle();
}

QList<QAction *> ChatPanel::chatActions() const
{
    return {m_send, m_stop, m_new, m_nextCitation, m_previousCitation};
}

void ChatPanel::setSettings(const AppSettings &settings)
{
    m_settings = settings;
    const ProviderKind current = m_provider->count() > 0 ? currentProvider() : settings.activeProvider;
    m_provider->clear();
    for (const ProviderKind kind : settings.enabledProviders()) {
        m_provider->addItem(kind == ProviderKind::Extractive ? icons::icon(QStringLiteral("offline")) : QIcon(),
                            providerDisplayName(kind), static_cast<int>(kind));
    }
    int index = m_provider->findData(static_cast<int>(current));
    if (index < 0)
        index = m_provider->findData(static_cast<int>(settings.activeProvider));
    m_provider->setCurrentIndex(std::max(0, index));
    m_model->setEditText(settings.activeModel.isEmpty() ? settings.provider(currentProvider()).model : settings.activeModel);
    loadModels();
    updateTrust();
    Q_EMIT providerChanged();
}

void ChatPanel::setGovernance(GovernanceController *governance)
{
    m_governance = governance;
    connect(m_governance, &GovernanceController::policyChanged, this, &ChatPanel::updateTrust);
    connect(m_governance, &GovernanceController::feedbackRecorded, this, &ChatPanel::onFeedbackRecorded);
    updateTrust();
}

void ChatPanel::updateTrust()
{
    // The same decision the chat worker makes, from the policy as last read.
    const GovernancePolicy policy = m_governance ? m_governance->policy() : GovernancePolicy();
    m_trust->setDecision(assessTrust(providerProfile(m_settings.provider(currentProvider())), policy));
}

void ChatPanel::onFeedbackRecorded(qint64 messageId, int rating, bool corrected, bool ok, const QString &error)
{
    for (int i = 0; i < m_answers.size() && i < m_conversation.turns.size(); ++i) {
        ChatTurn &turn = m_conversation.turns[i];
        if (turn.answer.governance.messageId != messageId)
            continue;
        if (!ok) {
            m_answers.at(i)->feedbackBar()->setError(error);
            return;
        }
        if (rating != 0)
            turn.rating = rating;
        else if (!corrected)
            turn.rating = 0; // the thumb was taken back
        turn.corrected = turn.corrected || corrected;
        m_answers.at(i)->setFeedbackState(turn.rating, turn.corrected);
        m_store->save(m_conversation);
        return;
    }
}

ProviderKind ChatPanel::currentProvider() const
{
    return static_cast<ProviderKind>(m_provider->currentData().toInt());
}

QString ChatPanel::currentModel() const
{
    return m_model->currentText().trimmed();
}

void ChatPanel::onProviderPicked()
{
    m_settings.activeProvider = currentProvider();
    m_model->clear();
    m_model->setEditText(m_settings.provider(currentProvider()).model);
    loadModels();
    updateTrust();
    Q_EMIT providerChanged();
}

void ChatPanel::loadModels()
{
    const quint64 request = ++m_modelsRequest;
    const ProviderSettings provider = m_settings.provider(currentProvider());
    m_model->setEnabled(provider.kind != ProviderKind::Extractive);
    m_providers->listModels(provider, [this, request](const ModelList &list) {
        if (request != m_modelsRequest)
            return;
        const QString text = m_model->currentText();
        m_model->clear();
        m_model->addItems(list.models);
        m_model->setEditText(text.isEmpty() && !list.models.isEmpty() ? list.models.constFirst() : text);
        m_model->setToolTip(list.error.isEmpty() ? tr("Model") : list.error);
    });
}

void ChatPanel::setSelectionSource(std::function<QList<qint64>()> selected)
{
    m_selected = std::move(selected);
}

void ChatPanel::setSelectionCount(int count)
{
    m_scope->setItemText(1, count > 0 ? tr("Selected documents (%1)").arg(count) : tr("Selected documents (none)"));
}

bool ChatPanel::scopeIsSelection() const
{
    return m_scope->currentIndex() == 1;
}

void ChatPanel::setSuggestions(const QStringList &questions)
{
    m_welcome->setSuggestions(questions);
}

void ChatPanel::focusInput()
{
    m_input->setFocus();
}

void ChatPanel::updateState()
{
    const bool busy = m_controller->isBusy();
    m_stop->setEnabled(busy);
    m_send->setEnabled(!busy && !m_input->toPlainText().trimmed().isEmpty());
    m_sendButton->setText(busy ? tr("Stop") : tr("Send"));
    m_sendButton->setIcon(icons::icon(busy ? QStringLiteral("stop") : QStringLiteral("send")));
    m_sendButton->setEnabled(busy || m_send->isEnabled());
    m_sendButton->setToolTip(busy ? m_stop->toolTip() : m_send->toolTip());
    m_provider->setEnabled(!busy);
    m_new->setEnabled(!busy);
    m_history->setEnabled(!busy);
    int citations = 0;
    for (const AnswerView *a : std::as_const(m_answers))
        citations += static_cast<int>(a->sourceCitations().size());
    m_nextCitation->setEnabled(citations > 0);
    m_previousCitation->setEnabled(citations > 0);
}

void ChatPanel::send()
{
    const QString question = m_input->toPlainText().trimmed();
    if (question.isEmpty() || m_controller->isBusy())
        return;
    m_input->clear();
    ask(question);
}

void ChatPanel::ask(const QString &question)
{
    if (question.trimmed().isEmpty() || m_controller->isBusy())
        return;
    m_pendingQuestion = question.trimmed();
    m_pendingScope = scopeIsSelection() && m_selected ? m_selected() : QList<qint64>();
    if (scopeIsSelection() && m_pendingScope.isEmpty()) {
        m_scope->setCurrentIndex(0); // nothing selected: search everything rather than nothing
    }
    m_welcome->hide();
    m_transcriptLayout->insertWidget(m_transcriptLayout->count() - 1, questionBubble(m_pendingQuestion));
    m_streaming = addAnswer();
    m_streaming->startStreaming(m_provider->currentText());
    m_stickToBottom = true;

    QList<ConversationTurn> history;
    for (const ChatTurn &t : std::as_const(m_conversation.turns)) {
        if (t.answer.ok())
            history.append(ConversationTurn{t.question, t.answer.text});
    }
    AskSettings settings;
    settings.provider = m_settings.provider(currentProvider());
    settings.model = currentProvider() == ProviderKind::Extractive ? QString() : currentModel();
    settings.scope = m_pendingScope;
    settings.passages = m_settings.passages;
    settings.conversationId = m_conversation.storedId;
    m_controller->ask(m_pendingQuestion, history, settings);
}

void ChatPanel::onDelta(const QString &text)
{
    if (m_streaming)
        m_streaming->appendText(text);
}

void ChatPanel::onFinished(const Answer &answer)
{
    if (!m_streaming)
        return;
    m_streaming->setAnswer(answer);
    m_streaming = nullptr;
    ChatTurn turn;
    turn.askedAt = QDateTime::currentDateTime();
    turn.question = m_pendingQuestion;
    turn.scope = m_pendingScope;
    turn.answer = answer;
    turn.answer.sources.clear(); // their text is in the library; the citations carry what is shown
    if (m_conversation.turns.isEmpty()) {
        m_conversation.created = turn.askedAt;
        m_conversation.title = shortTitle(turn.question);
    }
    m_conversation.updated = turn.askedAt;
    if (answer.governance.conversationId > 0)
        m_conversation.storedId = answer.governance.conversationId; // the next question continues it
    m_conversation.turns.append(turn);
    m_title->setText(m_conversation.title);
    m_store->save(m_conversation);
    if (!m_conversationKey.isEmpty())
        QSettings().setValue(m_conversationKey, m_conversation.id);
    m_citationAnswer = static_cast<int>(m_answers.size()) - 1;
    m_citationSource = -1;
    refreshHistory();
    updateState();
}

QWidget *ChatPanel::questionBubble(const QString &question)
{
    auto *frame = new QFrame;
    frame->setObjectName(QStringLiteral("question"));
    auto *layout = new QHBoxLayout(frame);
    layout->setContentsMargins(10, 8, 10, 8);
    auto *label = new QLabel(question);
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(label);
    return frame;
}

AnswerView *ChatPanel::addAnswer()
{
    auto *view = new AnswerView;
    connect(view, &AnswerView::citationActivated, this, [this, view](int index) { showCitation(view, index); });
    connect(view, &AnswerView::feedbackRequested, this, [this, view](qint64 messageId, int rating, const QString &correction) {
        if (!m_governance || messageId <= 0)
            return;
        view->feedbackBar()->setPending(true);
        m_governance->recordFeedback(messageId, rating, correction);
    });
    m_transcriptLayout->insertWidget(m_transcriptLayout->count() - 1, view);
    m_answers.append(view);
    return view;
}

void ChatPanel::showCitation(AnswerView *view, int citationIndex)
{
    const Answer &answer = view->answer();
    if (citationIndex < 0 || citationIndex >= answer.citations.size())
        return;
    m_citationAnswer = static_cast<int>(m_answers.indexOf(view));
    m_citationSource = static_cast<int>(view->sourceCitations().indexOf(citationIndex));
    for (AnswerView *a : std::as_const(m_answers))
        a->setCurrentCitation(a == view ? citationIndex : -1);
    Q_EMIT citationActivated(answer.citations.at(citationIndex));
}

void ChatPanel::stepCitation(int step)
{
    // Walk the sources of every answer in order, starting from the latest answer's first.
    QList<std::pair<int, int>> all; // (answer, citation index)
    for (int a = 0; a < m_answers.size(); ++a) {
        for (const int c : m_answers.at(a)->sourceCitations())
            all.append({a, c});
    }
    if (all.isEmpty())
        return;
    int position = -1;
    if (m_citationAnswer >= 0 && m_citationAnswer < m_answers.size() && m_citationSource >= 0) {
        const QList<int> sources = m_answers.at(m_citationAnswer)->sourceCitations();
        if (m_citationSource < sources.size())
            position = static_cast<int>(all.indexOf(std::pair<int, int>{m_citationAnswer, sources.at(m_citationSource)}));
    }
    if (position < 0) {
        // Nothing opened yet: the first source of the latest answer that has any.
        position = 0;
        for (int i = 0; i < all.size(); ++i) {
            if (all.at(i).first == all.constLast().first) {
                position = i;
                break;
            }
        }
    } else {
        position = (position + step + static_cast<int>(all.size())) % static_cast<int>(all.size());
    }
    const auto [answer, citation] = all.at(position);
    AnswerView *view = m_answers.at(answer);
    m_scroll->ensureWidgetVisible(view, 0, 40);
    showCitation(view, citation);
}

void ChatPanel::rebuildTranscript()
{
    while (m_transcriptLayout->count() > 0) {
        QLayoutItem *item = m_transcriptLayout->takeAt(0);
        if (item->widget() && item->widget() != m_welcome)
            item->widget()->deleteLater();
        delete item;
    }
    m_answers.clear();
    m_streaming = nullptr;
    m_transcriptLayout->addWidget(m_welcome);
    m_transcriptLayout->addStretch();
    m_welcome->setVisible(m_conversation.isEmpty());
    for (const ChatTurn &turn : std::as_const(m_conversation.turns)) {
        m_transcriptLayout->insertWidget(m_transcriptLayout->count() - 1, questionBubble(turn.question));
        AnswerView *view = addAnswer();
        view->setAnswer(turn.answer);
        view->setFeedbackState(turn.rating, turn.corrected);
    }
    m_title->setText(m_conversation.isEmpty() ? tr("Ask") : m_conversation.title);
    m_citationAnswer = static_cast<int>(m_answers.size()) - 1;
    m_citationSource = -1;
    m_stickToBottom = true;
    updateState();
}

void ChatPanel::newConversation()
{
    if (m_controller->isBusy())
        return;
    m_conversation = Conversation();
    m_conversation.id = Conversation::newId();
    rebuildTranscript();
    if (!m_conversationKey.isEmpty())
        QSettings().remove(m_conversationKey);
    focusInput();
}

void ChatPanel::openConversation(const QString &id)
{
    if (m_controller->isBusy())
        return;
    m_store->load(id, [this](const std::optional<Conversation> &c) {
        if (!c || m_controller->isBusy())
            return;
        m_conversation = *c;
        rebuildTranscript();
        if (!m_conversationKey.isEmpty())
            QSettings().setValue(m_conversationKey, m_conversation.id);
    });
}

void ChatPanel::setConversationKey(const QString &key)
{
    m_conversationKey = key;
}

void ChatPanel::restoreLastConversation()
{
    if (m_conversationKey.isEmpty())
        return;
    const QString id = QSettings().value(m_conversationKey).toString();
    if (!id.isEmpty())
        openConversation(id);
}

void ChatPanel::refreshHistory()
{
    m_store->list([this](const QList<ConversationSummary> &saved) { m_saved = saved; });
}

} // namespace docsight
