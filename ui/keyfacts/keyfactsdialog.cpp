#include "keyfacts/keyfactsdialog.h"

#include "keyfacts/keyfactscontroller.h"

#include <QApplication>
#include <QButtonGroup>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace docsight {
namespace {

enum Column { Field, Value, Page, Method, Quote, ColumnCount };

// "invoice_number" -> "Invoice number"
QString fieldLabel(const QString &name)
{
    QString label = name;
    label.replace(QLatin1Char('_'), QLatin1Char(' '));
    if (!label.isEmpty())
        label[0] = label.at(0).toUpper();
    return label;
}

QString templateLabel(FactTemplate t)
{
    switch (t) {
    case FactTemplate::Invoice: return KeyFactsDialog::tr("Invoice");
    case FactTemplate::Contract: return KeyFactsDialog::tr("Contract");
    case FactTemplate::Generic: return KeyFactsDialog::tr("Generic");
    }
    return {};
}

QString methodLabel(const QString &method)
{
    if (method == QLatin1String("model"))
        return KeyFactsDialog::tr("model");
    if (method == QLatin1String("rules"))
        return KeyFactsDialog::tr("rules");
    return method;
}

} // namespace

KeyFactsDialog::KeyFactsDialog(KeyFactsController *controller, QWidget *parent)
    : QDialog(parent)
    , m_controller(controller)
{
    setObjectName(QStringLiteral("keyFactsDialog"));
    setWindowTitle(tr("Extract Key Facts"));
    setModal(false);
    resize(820, 560);

    m_document = new QLabel;
    m_document->setObjectName(QStringLiteral("keyFactsDocument"));
    m_document->setTextFormat(Qt::PlainText);
    QFont bold = m_document->font();
    bold.setBold(true);
    m_document->setFont(bold);

    m_template = new QComboBox;
    m_template->setObjectName(QStringLiteral("keyFactsTemplate"));
    for (const FactTemplate t : {FactTemplate::Invoice, FactTemplate::Contract, FactTemplate::Generic})
        m_template->addItem(templateLabel(t), static_cast<int>(t));
    m_templateHelp = new QLabel;
    m_templateHelp->setObjectName(QStringLiteral("keyFactsTemplateHelp"));
    m_templateHelp->setWordWrap(true);
    m_templateHelp->setForegroundRole(QPalette::PlaceholderText);

    m_useProvider = new QRadioButton;
    m_useProvider->setObjectName(QStringLiteral("keyFactsUseProvider"));
    m_offline = new QRadioButton(tr("Offline rules only (nothing leaves this computer)"));
    m_offline->setObjectName(QStringLiteral("keyFactsOffline"));
    auto *group = new QButtonGroup(this);
    group->addButton(m_useProvider);
    group->addButton(m_offline);
    m_offline->setChecked(true);
    auto *readers = new QVBoxLayout;
    readers->setSpacing(2);
    readers->addWidget(m_useProvider);
    readers->addWidget(m_offline);

    auto *form = new QFormLayout;
    form->addRow(tr("Document:"), m_document);
    form->addRow(tr("&Template:"), m_template);
    form->addRow(QString(), m_templateHelp);
    form->addRow(tr("Read by:"), readers);

    m_extract = new QPushButton(tr("&Extract"));
    m_extract->setObjectName(QStringLiteral("keyFactsExtract"));
    // Enter on a fact row opens its passage; it must not reach a default button and extract again.
    m_extract->setAutoDefault(false);
    m_cancel = new QPushButton(tr("Ca&ncel"));
    m_cancel->setObjectName(QStringLiteral("keyFactsCancel"));
    m_cancel->setVisible(false);
    m_cancel->setAutoDefault(false);
    m_busy = new QProgressBar;
    m_busy->setRange(0, 0); // reads take as long as they take: no fake percentages
    m_busy->setMaximumHeight(14);
    m_busy->setTextVisible(false);
    m_busy->setVisible(false);
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("keyFactsStatus"));
    m_status->setWordWrap(true);
    auto *run = new QHBoxLayout;
    run->addWidget(m_extract);
    run->addWidget(m_cancel);
    run->addWidget(m_busy, 1);
    run->addWidget(m_status, 3);

    m_warnings = new QLabel;
    m_warnings->setObjectName(QStringLiteral("keyFactsWarnings"));
    m_warnings->setWordWrap(true);
    m_warnings->setTextFormat(Qt::PlainText);
    m_warnings->setStyleSheet(QStringLiteral("QLabel { background: #fff4d6; color: #5a4300; border: 1px solid #e8c96a;"
                                             " border-radius: 4px; padding: 6px; }"));
    m_warnings->setVisible(false);

    m_table = new QTableWidget(0, ColumnCount);
    m_table->setObjectName(QStringLiteral("keyFactsTable"));
    m_table->setHorizontalHeaderLabels({tr("Field"), tr("Value"), tr("Page"), tr("Method"), tr("Quote")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(Quote, QHeaderView::Stretch);
    m_table->setToolTip(tr("Click a fact (or press Enter) to show its passage in the viewer"));

    m_empty = new QLabel;
    m_empty->setObjectName(QStringLiteral("keyFactsEmpty"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setForegroundRole(QPalette::PlaceholderText);
    m_empty->setText(tr("Pick a template and press Extract. Each fact found cites the passage it was read from."));

    m_copyJson = new QPushButton(tr("Copy as &JSON"));
    m_copyJson->setObjectName(QStringLiteral("keyFactsCopyJson"));
    m_copyJson->setEnabled(false);
    m_copyJson->setAutoDefault(false);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    buttons->addButton(m_copyJson, QDialogButtonBox::ActionRole);
    buttons->button(QDialogButtonBox::Close)->setAutoDefault(false);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(run);
    layout->addWidget(m_warnings);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_empty, 1);
    layout->addWidget(buttons);
    m_table->setVisible(false);

    connect(m_template, &QComboBox::currentIndexChanged, this, &KeyFactsDialog::updateTemplateHelp);
    connect(m_extract, &QPushButton::clicked, this, &KeyFactsDialog::extract);
    connect(m_cancel, &QPushButton::clicked, m_controller, &KeyFactsController::cancel);
    connect(m_copyJson, &QPushButton::clicked, this, &KeyFactsDialog::copyJson);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_table, &QTableWidget::cellClicked, this, [this](int row, int) { activateRow(row); });
    // Enter (and a double click) on a row; QAbstractItemView::activated covers both.
    connect(m_table, &QTableWidget::activated, this, [this](const QModelIndex &index) { activateRow(index.row()); });
    connect(m_controller, &KeyFactsController::busyChanged, this, &KeyFactsDialog::onBusy);
    connect(m_controller, &KeyFactsController::finished, this, &KeyFactsDialog::onFinished);
    updateTemplateHelp();
    setChatProvider({}, {});
    onBusy(m_controller->isBusy());
}

void KeyFactsDialog::setDocument(qint64 documentId, const QString &name)
{
    m_documentName = name;
    m_document->setText(name);
    if (documentId == m_documentId)
        return;
    m_documentId = documentId;
    m_result = {};
    m_hasResult = false;
    m_status->clear();
    showResult();
}

void KeyFactsDialog::setChatProvider(const ProviderSettings &provider, const QString &model)
{
    m_provider = provider;
    m_model = model;
    const bool extractive = provider.kind == ProviderKind::Extractive;
    const QString shownModel = model.isEmpty() ? provider.model : model;
    m_useProvider->setText(extractive ? tr("Use the chat's provider (the chat answers offline: nothing to use)")
                                      : tr("Use the chat's provider: %1%2")
                                            .arg(providerDisplayName(provider.kind),
                                                 shownModel.isEmpty() ? QString() : QStringLiteral(" · ") + shownModel));
    m_useProvider->setEnabled(!extractive);
    m_useProvider->setToolTip(tr("The document's passages go to this provider under the library's policy: Restricted "
                                 "documents never go to a cloud provider, Confidential ones only with personal data "
                                 "replaced. Fields the model misses are read by the offline rules."));
    // Offline unless the chat already sends passages to a model.
    (extractive ? m_offline : m_useProvider)->setChecked(true);
    onBusy(m_controller->isBusy());
}

bool KeyFactsDialog::usesChatProvider() const
{
    return m_useProvider->isChecked() && m_provider.kind != ProviderKind::Extractive;
}

void KeyFactsDialog::setTemplate(FactTemplate templ)
{
    m_template->setCurrentIndex(m_template->findData(static_cast<int>(templ)));
}

void KeyFactsDialog::setUseChatProvider(bool use)
{
    (use && m_provider.kind != ProviderKind::Extractive ? m_useProvider : m_offline)->setChecked(true);
}

FactTemplate KeyFactsDialog::currentTemplate() const
{
    return static_cast<FactTemplate>(m_template->currentData().toInt());
}

void KeyFactsDialog::updateTemplateHelp()
{
    QStringList names;
    for (const FactField &f : templateFields(currentTemplate()))
        names << fieldLabel(f.name).toLower();
    m_templateHelp->setText(tr("Finds: %1.").arg(names.join(QStringLiteral(", "))));
}

void KeyFactsDialog::extract()
{
    if (m_documentId == 0 || m_controller->isBusy())
        return;
    KeyFactsRequest request;
    request.documentId = m_documentId;
    request.templ = currentTemplate();
    if (usesChatProvider()) {
        request.provider = m_provider;
        request.model = m_model;
    }
    // The last result goes: its warnings and facts are not about this read.
    m_result = {};
    m_hasResult = false;
    showResult();
    m_empty->setText(tr("Reading…"));
    m_status->setText(usesChatProvider() ? tr("Reading %1 with %2…").arg(m_documentName, providerDisplayName(m_provider.kind))
                                         : tr("Reading %1 with the offline rules…").arg(m_documentName));
    m_controller->extract(request);
}

void KeyFactsDialog::onBusy(bool busy)
{
    m_extract->setEnabled(!busy);
    m_cancel->setVisible(busy);
    m_busy->setVisible(busy);
    m_template->setEnabled(!busy);
    m_offline->setEnabled(!busy);
    m_useProvider->setEnabled(!busy && m_provider.kind != ProviderKind::Extractive);
}

void KeyFactsDialog::onFinished(const ExtractionResult &result, bool cancelled)
{
    // A result for another document (the analyst switched while it ran) is not this window's.
    if (result.documentId != m_documentId)
        return;
    if (cancelled) {
        m_status->setText(tr("Cancelled."));
        m_empty->setText(tr("Cancelled. Press Extract to read the document again."));
        return;
    }
    m_result = result;
    m_hasResult = result.ok();
    if (!result.ok()) {
        m_status->setText(tr("Could not extract: %1").arg(result.error));
    } else if (result.provider.isEmpty()) {
        m_status->setText(tr("%n fact(s), read by the offline rules.", nullptr, static_cast<int>(result.facts.size())));
    } else if (result.method == QLatin1String("rules")) {
        m_status->setText(tr("%n fact(s), read by the offline rules: nothing the model returned could be used (see above).", nullptr,
                             static_cast<int>(result.facts.size())));
    } else {
        m_status->setText(tr("%n fact(s), read by %1 (%2) in %3 s; %4 tokens in, %5 out.", nullptr, static_cast<int>(result.facts.size()))
                              .arg(result.model.isEmpty() ? result.provider : result.model, result.method,
                                   QString::number(double(result.latencyMs) / 1000.0, 'f', 1))
                              .arg(result.usage.inputTokens)
                              .arg(result.usage.outputTokens));
    }
    showResult();
}

void KeyFactsDialog::showResult()
{
    m_table->setRowCount(0);
    m_warnings->setText(m_result.warnings.join(QLatin1Char('\n')));
    m_warnings->setVisible(!m_result.warnings.isEmpty());
    m_copyJson->setEnabled(m_hasResult);
    const bool any = m_hasResult && !m_result.facts.isEmpty();
    m_table->setVisible(any);
    m_empty->setVisible(!any);
    if (m_hasResult && !any) {
        m_empty->setText(tr("No %1 facts were found in %2.\nTry another template%3.")
                             .arg(templateLabel(m_result.templ).toLower(), m_result.document,
                                  m_provider.kind == ProviderKind::Extractive || usesChatProvider()
                                      ? QString() : tr(", or let the chat's provider read it")));
    } else if (!m_hasResult) {
        m_empty->setText(tr("Pick a template and press Extract. Each fact found cites the passage it was read from."));
    }
    if (!any)
        return;
    m_table->setRowCount(static_cast<int>(m_result.facts.size()));
    for (int row = 0; row < m_result.facts.size(); ++row) {
        const KeyFact &f = m_result.facts.at(row);
        const QString quote = f.source.quote.size() > 200 ? f.source.quote.left(199) + QChar(0x2026) : f.source.quote;
        const QStringList cells{fieldLabel(f.field), f.value, QString::number(f.source.page), methodLabel(f.method), quote};
        for (int c = 0; c < ColumnCount; ++c) {
            auto *item = new QTableWidgetItem(cells.at(c));
            if (c == Value && f.raw != f.value && !f.raw.isEmpty())
                item->setToolTip(tr("As written: %1").arg(f.raw));
            if (c == Quote)
                item->setToolTip(f.source.quote);
            if (c == Page)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_table->setItem(row, c, item);
        }
    }
}

void KeyFactsDialog::activateRow(int row)
{
    if (row < 0 || row >= m_result.facts.size())
        return;
    const FactSource &s = m_result.facts.at(row).source;
    PassageTarget target;
    target.documentId = s.documentId != 0 ? s.documentId : m_result.documentId;
    target.page = s.page;
    // A quote that could not be located exactly still opens its page, without a highlight.
    target.charStart = std::max(s.charStart, 0);
    target.charEnd = std::max(s.charEnd, target.charStart);
    if (s.charEnd > s.charStart && s.charStart >= 0)
        target.quote = s.quote; // located when extracted: found again if the document was re-read
    Q_EMIT passageRequested(target);
}

QString KeyFactsDialog::warningsText() const
{
    return m_warnings->isVisible() ? m_warnings->text() : QString();
}

QByteArray KeyFactsDialog::resultJson(const ExtractionResult &result)
{
    return QJsonDocument(result.toJson()).toJson(QJsonDocument::Indented);
}

void KeyFactsDialog::copyJson()
{
    if (m_hasResult)
        QApplication::clipboard()->setText(QString::fromUtf8(resultJson(m_result)));
}

} // namespace docsight
