#include "chat/answerview.h"

#include "chat/correctiondialog.h"
#include "chat/feedbackbar.h"
#include "chat/governancenotes.h"
#include "common/icons.h"

#include "llm/citationresolver.h"

#include <cmath>

#include <QApplication>
#include <QClipboard>
#include <QAbstractTextDocumentLayout>
#include <QCursor>
#include <QTextBrowser>
#include <QTextCursor>
#include <QUrl>
#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>

namespace docsight {
namespace {

QString elide(const QString &text, int length)
{
    const QString s = text.simplified();
    return s.size() > length ? s.left(length - 1) + QChar(0x2026) : s;
}

// A source chip: its text elided to the width it gets, so a long quote never widens the chat pane.
class ChipButton final : public QToolButton
{
public:
    explicit ChipButton(QString text) : m_full(std::move(text)) { setText(m_full); }

    QSize sizeHint() const override
    {
        QSize s = QToolButton::sizeHint();
        s.setWidth(fontMetrics().horizontalAdvance(m_full) + kPadding);
        return s;
    }
    QSize minimumSizeHint() const override
    {
        QSize s = QToolButton::minimumSizeHint();
        s.setWidth(fontMetrics().horizontalAdvance(QStringLiteral("S10 …")) + kPadding);
        return s;
    }

protected:
    void resizeEvent(QResizeEvent *event) override
    {
        QToolButton::resizeEvent(event);
        setText(fontMetrics().elidedText(m_full, Qt::ElideRight, std::max(0, width() - kPadding)));
    }

private:
    static constexpr int kPadding = 24;
    QString m_full;
};

} // namespace

// Answer text: a QTextBrowser that is as tall as its text (the transcript scrolls, not the answer), with
// links for citation chips. QTextDocument lays out incrementally, which keeps streaming cheap.
class AnswerText final : public QTextBrowser
{
public:
    AnswerText()
    {
        setOpenLinks(false);
        setFrameShape(QFrame::NoFrame);
        setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
        setTextInteractionFlags(Qt::TextBrowserInteraction);
        document()->setDocumentMargin(0);
        viewport()->setAutoFillBackground(false);
        setStyleSheet(QStringLiteral("QTextBrowser { background: transparent; }"));
        connect(document()->documentLayout(), &QAbstractTextDocumentLayout::documentSizeChanged, this,
                [this](const QSizeF &size) { setFixedHeight(static_cast<int>(std::ceil(size.height())) + 2); });
        setFixedHeight(fontMetrics().lineSpacing() + 2);
    }

    QSize sizeHint() const override { return QSize(200, height()); }
    QSize minimumSizeHint() const override { return QSize(60, height()); }
};

namespace {

QString paragraphs(const QString &escaped)
{
    QString s = escaped;
    s.replace(QStringLiteral("\n"), QStringLiteral("<br>"));
    return s;
}

} // namespace

AnswerView::AnswerView(QWidget *parent) : QFrame(parent)
{
    setObjectName(QStringLiteral("answer"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(10, 8, 10, 8);
    layout->setSpacing(6);

    m_header = new QLabel;
    m_header->setForegroundRole(QPalette::PlaceholderText);
    QFont small = m_header->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_header->setFont(small);
    layout->addWidget(m_header);

    m_notice = new QLabel;
    m_notice->setObjectName(QStringLiteral("extractiveNotice"));
    m_notice->setWordWrap(true);
    m_notice->setTextFormat(Qt::RichText);
    m_notice->setAutoFillBackground(true);
    m_notice->setBackgroundRole(QPalette::ToolTipBase);
    m_notice->setForegroundRole(QPalette::ToolTipText);
    m_notice->setMargin(6);
    m_notice->hide();
    layout->addWidget(m_notice);

    m_governance = new QWidget;
    m_governance->setObjectName(QStringLiteral("governanceNotes"));
    auto *governanceLayout = new QVBoxLayout(m_governance);
    governanceLayout->setContentsMargins(0, 0, 0, 0);
    governanceLayout->setSpacing(3);
    m_governance->hide();
    layout->addWidget(m_governance);

    m_text = new AnswerText;
    m_text->setObjectName(QStringLiteral("answerText"));
    connect(m_text, &QTextBrowser::highlighted, this, [this](const QUrl &link) {
        if (link.scheme() == QLatin1String("cite"))
            QToolTip::showText(QCursor::pos(), citationTooltip(link.path().toInt()), m_text);
        else
            QToolTip::hideText();
    });
    connect(m_text, &QTextBrowser::anchorClicked, this, [this](const QUrl &link) {
        if (link.scheme() == QLatin1String("cite"))
            Q_EMIT citationActivated(link.path().toInt());
    });
    layout->addWidget(m_text);

    m_warnings = new QLabel;
    m_warnings->setWordWrap(true);
    m_warnings->hide();
    layout->addWidget(m_warnings);

    m_sources = new QWidget;
    m_sourcesLayout = new QVBoxLayout(m_sources);
    m_sourcesLayout->setContentsMargins(0, 2, 0, 0);
    m_sourcesLayout->setSpacing(3);
    m_sources->hide();
    layout->addWidget(m_sources);

    auto *footer = new QHBoxLayout;
    m_footer = new QLabel;
    m_footer->setForegroundRole(QPalette::PlaceholderText);
    m_footer->setFont(small);
    m_copy = new QToolButton;
    m_copy->setIcon(icons::icon(QStringLiteral("copy")));
    m_copy->setText(tr("Copy"));
    m_copy->setToolTip(tr("Copy the answer and its sources"));
    m_copy->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_copy->setAutoRaise(true);
    m_copy->setEnabled(false);
    connect(m_copy, &QToolButton::clicked, this, &AnswerView::copyToClipboard);
    m_feedback = new FeedbackBar;
    m_feedback->hide();
    connect(m_feedback, &FeedbackBar::rated, this, [this](int rating) {
        Q_EMIT feedbackRequested(m_answer.governance.messageId, rating, QString());
    });
    connect(m_feedback, &FeedbackBar::correctionRequested, this, &AnswerView::askCorrection);
    footer->addWidget(m_footer, 1);
    footer->addWidget(m_feedback);
    footer->addWidget(m_copy);
    layout->addLayout(footer);
}

void AnswerView::startStreaming(const QString &providerName)
{
    m_streaming = true;
    m_stream.clear();
    m_header->setText(tr("%1 is answering…").arg(providerName));
    m_text->setPlainText(QStringLiteral("\u258D"));
}

void AnswerView::appendText(const QString &delta)
{
    m_stream += delta;
    // Insert at the end of the document: QTextDocument lays out only the block that changed, so a delta
    // costs the same at the end of a long answer as at its start.
    QTextCursor cursor(m_text->document());
    cursor.movePosition(QTextCursor::End);
    cursor.deletePreviousChar(); // the typing cursor
    cursor.insertText(delta + QStringLiteral("\u258D"));
}

QString AnswerView::answerHtml(const Answer &answer, const QPalette &palette)
{
    const bool dark = palette.color(QPalette::Base).lightness() < 128;
    const QString chipBg = dark ? QStringLiteral("#2b4470") : QStringLiteral("#dce7fa");
    const QString chipFg = dark ? QStringLiteral("#cfe0ff") : QStringLiteral("#1d4d9b");
    const QString &text = answer.text;
    const QList<CitationMarker> markers = citations::findMarkers(text);
    QString html;
    qsizetype pos = 0;
    for (const CitationMarker &m : markers) {
        html += paragraphs(text.mid(pos, m.start - pos).toHtmlEscaped());
        int sentence = -1;
        for (int s = 0; s < answer.sentences.size(); ++s) {
            if (answer.sentences.at(s).start <= m.start && m.start < answer.sentences.at(s).end)
                sentence = s;
        }
        for (const int n : m.numbers) {
            const QString marker = QStringLiteral("S%1").arg(n);
            // The citation of this marker in this sentence (its quote is this sentence's); else any of the marker.
            int index = -1;
            for (int c = 0; c < answer.citations.size() && index < 0; ++c) {
                if (answer.citations.at(c).marker == marker && answer.citations.at(c).sentence == sentence)
                    index = c;
            }
            for (int c = 0; c < answer.citations.size() && index < 0; ++c) {
                if (answer.citations.at(c).marker == marker)
                    index = c;
            }
            if (index < 0)
                continue;
            html += QStringLiteral("<a href=\"cite:%1\" style=\"text-decoration:none;\"><span style=\"background-color:%2;"
                                   "color:%3;\">&#8201;%4&#8201;</span></a>")
                        .arg(index)
                        .arg(chipBg, chipFg, marker);
        }
        pos = m.start + m.length;
    }
    html += paragraphs(text.mid(pos).toHtmlEscaped());
    return html;
}

QString AnswerView::citationTooltip(int index) const
{
    if (index < 0 || index >= m_answer.citations.size())
        return {};
    const Citation &c = m_answer.citations.at(index);
    return QStringLiteral("<p style='white-space:pre-wrap'><b>%1</b> — %2, page %3</p><p><i>“%4”</i></p>")
        .arg(c.marker, c.document.toHtmlEscaped())
        .arg(c.page)
        .arg(elide(c.quote, 600).toHtmlEscaped());
}

void AnswerView::setAnswer(const Answer &answer)
{
    m_answer = answer;
    m_streaming = false;
    const bool extractive = answer.provider == QLatin1String("extractive");
    m_header->setText(extractive ? tr("Docsight · offline extractive answer") : tr("Docsight · %1").arg(answer.model));
    m_notice->setVisible(extractive && answer.ok());
    m_notice->setText(tr("<b>Offline answer.</b> No language model was used: Docsight's built-in extractive answerer "
                         "picked these sentences from your documents and quotes them as they stand."));

    QString text = answer.text;
    if (text.isEmpty() && !m_stream.isEmpty())
        text = m_stream;
    Answer shown = answer;
    shown.text = text;
    QString html = answerHtml(shown, palette());
    if (!answer.ok() && !answer.governance.budgetBlocked) {
        const QString reason = answer.error == ChatError::Cancelled ? tr("Stopped — the answer is incomplete.")
                                                                    : tr("The answer failed: %1").arg(answer.errorMessage.toHtmlEscaped());
        html += QStringLiteral("<p style='color:#c0392b'>%1</p>").arg(reason);
    }
    m_text->setHtml(html.isEmpty() ? tr("<i>No answer.</i>") : html);

    showGovernance(answer);
    QStringList notes = remainingWarnings(answer);
    if (!answer.uncitedSentences.isEmpty())
        notes << tr("%n sentence(s) cite no source: check them against the documents.", nullptr,
                    static_cast<int>(answer.uncitedSentences.size()));
    m_warnings->setVisible(!notes.isEmpty());
    m_warnings->setText(notes.join(QLatin1Char('\n')));

    // The distinct passages cited, each once.
    qDeleteAll(m_sourceButtons);
    m_sourceButtons.clear();
    m_sourceCitations.clear();
    QStringList seen;
    for (int i = 0; i < answer.citations.size(); ++i) {
        const Citation &c = answer.citations.at(i);
        const QString key = QStringLiteral("%1/%2/%3/%4").arg(c.documentId).arg(c.page).arg(c.charStart).arg(c.charEnd);
        if (seen.contains(key))
            continue;
        seen.append(key);
        // A passage that reads like instructions to the model keeps its badge wherever it is cited.
        const bool flagged = isInjectionFlagged(answer, c.chunkId);
        auto *chip = new ChipButton((flagged ? QStringLiteral("⚠ ") : QString())
                                    + tr("%1  %2 · page %3 — “%4”").arg(c.marker, c.document).arg(c.page).arg(elide(c.quote, 90)));
        chip->setObjectName(QStringLiteral("citationChip"));
        chip->setProperty("flagged", flagged);
        chip->setToolTip((flagged ? tr("<p><b>⚠ This passage reads like instructions to the model.</b> It was treated as "
                                       "data; check the answer against it.</p>")
                                  : QString())
                         + citationTooltip(i));
        chip->setToolButtonStyle(Qt::ToolButtonTextOnly);
        chip->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
        chip->setCursor(Qt::PointingHandCursor);
        connect(chip, &QToolButton::clicked, this, [this, i] { Q_EMIT citationActivated(i); });
        m_sourcesLayout->addWidget(chip, 0, Qt::AlignLeft);
        m_sourceButtons.append(chip);
        m_sourceCitations.append(i);
    }
    m_sources->setVisible(!m_sourceButtons.isEmpty());

    QStringList footer;
    if (answer.latencyMs >= 1000)
        footer << tr("%1 s").arg(answer.latencyMs / 1000.0, 0, 'f', 1);
    else if (answer.latencyMs > 0)
        footer << tr("%1 ms").arg(answer.latencyMs);
    if (answer.usage.reported)
        footer << tr("%1 tokens in, %2 out").arg(answer.usage.inputTokens).arg(answer.usage.outputTokens);
    m_footer->setText(footer.join(QStringLiteral(" · ")));
    m_copy->setEnabled(!text.isEmpty());
    m_feedback->setVisible(answer.governance.messageId > 0);
}

void AnswerView::showGovernance(const Answer &answer)
{
    QLayout *box = m_governance->layout();
    while (QLayoutItem *item = box->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    const bool dark = palette().color(QPalette::Base).lightness() < 128;
    const QList<GovernanceNote> notes = governanceNotes(answer);
    for (const GovernanceNote &n : notes) {
        // Amber for what to check, red for what was stopped; tinted so both palettes keep the text readable.
        const QString accent = n.severe ? QStringLiteral("#c0392b") : QStringLiteral("#d68910");
        const QString tint = n.severe ? (dark ? QStringLiteral("#4a2320") : QStringLiteral("#fdecea"))
                                      : (dark ? QStringLiteral("#46391c") : QStringLiteral("#fef5e4"));
        const QString badge = n.kind == GovernanceNote::Kind::Redaction || n.kind == GovernanceNote::Kind::RoutedLocally
                                  ? QStringLiteral("✔")
                                  : QStringLiteral("⚠");
        auto *label = new QLabel(QStringLiteral("<span style='color:%1'>%2</span> <b>%3</b> %4")
                                     .arg(accent, badge, n.title.toHtmlEscaped(), n.text.toHtmlEscaped()));
        label->setObjectName(n.name);
        label->setTextFormat(Qt::RichText);
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        label->setStyleSheet(QStringLiteral("QLabel { background: %1; border-left: 3px solid %2; padding: 4px 6px; }").arg(tint, accent));
        box->addWidget(label);
    }
    m_governance->setVisible(!notes.isEmpty());
}

void AnswerView::setFeedbackState(int rating, bool corrected)
{
    m_feedback->setState(rating, corrected);
    m_feedback->setPending(false);
}

void AnswerView::askCorrection()
{
    // Not modal to the event loop: the answer stays readable, and the dialog closes itself.
    auto *dialog = new CorrectionDialog(m_answer.question, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        Q_EMIT feedbackRequested(m_answer.governance.messageId, 0, dialog->correction());
    });
    dialog->open();
}

void AnswerView::setCurrentCitation(int citationIndex)
{
    for (int i = 0; i < m_sourceButtons.size(); ++i) {
        const Citation &shown = m_answer.citations.at(m_sourceCitations.at(i));
        const bool current = citationIndex >= 0 && citationIndex < m_answer.citations.size()
                             && shown.documentId == m_answer.citations.at(citationIndex).documentId
                             && shown.page == m_answer.citations.at(citationIndex).page
                             && shown.charStart == m_answer.citations.at(citationIndex).charStart;
        m_sourceButtons.at(i)->setProperty("current", current);
        m_sourceButtons.at(i)->style()->unpolish(m_sourceButtons.at(i));
        m_sourceButtons.at(i)->style()->polish(m_sourceButtons.at(i));
    }
}

void AnswerView::changeEvent(QEvent *event)
{
    QFrame::changeEvent(event);
    // Chip colours are baked into the rich text: redraw them for the new palette.
    if (event->type() == QEvent::PaletteChange && !m_streaming && !m_answer.text.isEmpty())
        setAnswer(Answer(m_answer));
}

QString AnswerView::plainText() const
{
    QString out = m_answer.text.isEmpty() ? m_stream : m_answer.text;
    if (!m_sourceCitations.isEmpty()) {
        out += QStringLiteral("\n\n") + tr("Sources:");
        for (const int i : m_sourceCitations) {
            const Citation &c = m_answer.citations.at(i);
            out += QStringLiteral("\n[%1] %2, page %3: “%4”").arg(c.marker, c.document).arg(c.page).arg(c.quote.simplified());
        }
    }
    return out;
}

void AnswerView::copyToClipboard() const
{
    QApplication::clipboard()->setText(plainText());
}

} // namespace docsight
