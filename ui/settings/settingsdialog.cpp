#include "settings/settingsdialog.h"

#include "common/icons.h"
#include "settings/governancepage.h"
#include "settings/providerservice.h"

#include "llm/providerfactory.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPointer>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

namespace docsight {
namespace {

QLabel *note(const QString &text)
{
    auto *l = new QLabel(text);
    l->setWordWrap(true);
    l->setForegroundRole(QPalette::PlaceholderText);
    return l;
}

} // namespace

SettingsDialog::SettingsDialog(const AppSettings &settings, ProviderService *providers, QWidget *parent,
                               GovernanceController *governance)
    : QDialog(parent)
    , m_settings(settings)
    , m_providers(providers)
{
    setWindowTitle(tr("Settings"));
    auto *layout = new QVBoxLayout(this);
    auto *tabs = new QTabWidget;
    m_tabs = tabs;
    tabs->addTab(createProvidersPage(), tr("Language Models"));
    tabs->addTab(createSearchPage(), tr("Search"));
    tabs->addTab(createImportPage(), tr("Import"));
    if (governance) {
        // The library's settings are read on the governance worker; the page is disabled until they arrive.
        m_governancePage = new GovernancePage;
        tabs->addTab(m_governancePage, tr("Governance"));
        governance->loadSettings([page = QPointer<GovernancePage>(m_governancePage)](const GovernanceSettings &s) {
            if (page)
                page->setSettings(s);
        });
    }
    layout->addWidget(tabs);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(760, governance ? 580 : 500);
    m_providerList->setCurrentRow(0);
}

QWidget *SettingsDialog::createProvidersPage()
{
    auto *page = new QWidget;
    auto *layout = new QHBoxLayout(page);
    m_providerList = new QListWidget;
    m_providerList->setObjectName(QStringLiteral("providerList"));
    m_providerList->setMaximumWidth(230);
    for (const ProviderKind kind : providerKinds()) {
        auto *item = new QListWidgetItem(providerDisplayName(kind), m_providerList);
        item->setData(Qt::UserRole, static_cast<int>(kind));
        item->setCheckState(m_settings.provider(kind).enabled ? Qt::Checked : Qt::Unchecked);
        item->setIcon(icons::icon(kind == ProviderKind::OpenAiCompatible ? QStringLiteral("server") : QStringLiteral("cloud")));
        item->setSizeHint(QSize(0, m_providerList->fontMetrics().height() + 14));
        if (kind == ProviderKind::Extractive) {
            item->setIcon(icons::icon(QStringLiteral("offline")));
            item->setFlags(item->flags() & ~Qt::ItemIsUserCheckable);
        }
    }
    connect(m_providerList, &QListWidget::currentRowChanged, this, &SettingsDialog::showProvider);
    layout->addWidget(m_providerList);

    auto *right = new QVBoxLayout;
    m_providerTitle = new QLabel;
    QFont bold = m_providerTitle->font();
    bold.setWeight(QFont::DemiBold);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    m_providerTitle->setFont(bold);
    m_providerNote = note({});
    right->addWidget(m_providerTitle);
    right->addWidget(m_providerNote);

    m_providerForm = new QWidget;
    auto *form = new QFormLayout(m_providerForm);
    form->setContentsMargins(0, 8, 0, 0);
    m_baseUrl = new QLineEdit;
    form->addRow(tr("Base URL:"), m_baseUrl);
    m_model = new QComboBox;
    m_model->setEditable(true);
    form->addRow(tr("Model:"), m_model);
    m_temperature = new QDoubleSpinBox;
    m_temperature->setRange(0, 2);
    m_temperature->setSingleStep(0.1);
    m_temperature->setDecimals(1);
    form->addRow(tr("Temperature:"), m_temperature);
    m_maxTokens = new QSpinBox;
    m_maxTokens->setRange(64, 32000);
    m_maxTokens->setSingleStep(256);
    form->addRow(tr("Max answer tokens:"), m_maxTokens);

    m_keyRow = new QWidget;
    auto *keyLayout = new QVBoxLayout(m_keyRow);
    keyLayout->setContentsMargins(0, 0, 0, 0);
    auto *keyLine = new QHBoxLayout;
    m_key = new QLineEdit;
    m_key->setEchoMode(QLineEdit::Password);
    m_key->setClearButtonEnabled(true);
    m_key->setAccessibleName(tr("API key"));
    m_key->setObjectName(QStringLiteral("apiKey"));
    m_saveKey = new QPushButton(tr("Save Key"));
    m_saveKey->setObjectName(QStringLiteral("saveApiKey"));
    m_removeKey = new QPushButton(tr("Remove"));
    m_removeKey->setObjectName(QStringLiteral("removeApiKey"));
    keyLine->addWidget(m_key, 1);
    keyLine->addWidget(m_saveKey);
    keyLine->addWidget(m_removeKey);
    m_keyStatus = note({});
    m_keyStatus->setObjectName(QStringLiteral("apiKeyStatus"));
    // Room for two lines: the form does not grow a row for a label that wraps inside a nested layout.
    m_keyStatus->setMinimumHeight(2 * m_keyStatus->fontMetrics().lineSpacing());
    m_keyStatus->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    keyLayout->addLayout(keyLine);
    keyLayout->addWidget(m_keyStatus);
    form->addRow(tr("API key:"), m_keyRow);
    connect(m_key, &QLineEdit::textChanged, this, [this](const QString &t) { m_saveKey->setEnabled(!t.trimmed().isEmpty()); });
    connect(m_saveKey, &QPushButton::clicked, this, &SettingsDialog::saveTypedKey);
    // A key typed but not saved with its button is saved by OK (the write finishes after the dialog
    // closes: the service outlives it), never dropped silently.
    connect(this, &QDialog::accepted, this, &SettingsDialog::saveTypedKey);
    connect(m_removeKey, &QPushButton::clicked, this, [this] {
        m_providers->removeKey(kindAt(m_row), [dialog = QPointer<SettingsDialog>(this)](const SecretOutcome &) {
            if (dialog)
                dialog->refreshKeyStatus();
        });
    });

    auto *testRow = new QHBoxLayout;
    m_test = new QPushButton(tr("Test Connection"));
    m_testResult = note({});
    testRow->addWidget(m_test);
    testRow->addWidget(m_testResult, 1);
    form->addRow(QString(), testRow);
    connect(m_test, &QPushButton::clicked, this, [this] {
        storeProviderFields();
        m_test->setEnabled(false);
        m_testResult->setText(tr("Connecting…"));
        m_providers->testConnection(m_settings.provider(kindAt(m_row)),
                                    [dialog = QPointer<SettingsDialog>(this)](bool ok, const QString &message) {
                                        if (!dialog)
                                            return;
                                        dialog->m_test->setEnabled(true);
                                        dialog->m_testResult->setText((ok ? QStringLiteral("✔ ") : QStringLiteral("✖ ")) + message);
                                    });
    });
    right->addWidget(m_providerForm);
    right->addStretch();
    layout->addLayout(right, 1);
    return page;
}

void SettingsDialog::saveTypedKey()
{
    const QString key = m_key->text().trimmed();
    if (key.isEmpty() || m_row < 0 || !providerTakesKey(kindAt(m_row)))
        return;
    m_key->clear(); // the key leaves the dialog at once; it is never shown again
    m_keyStatus->setText(tr("Saving to the system keychain…"));
    m_providers->storeKey(kindAt(m_row), key, [dialog = QPointer<SettingsDialog>(this)](const SecretOutcome &r) {
        if (!dialog)
            return;
        if (r.ok())
            dialog->refreshKeyStatus();
        else
            dialog->m_keyStatus->setText(tr("The key could not be saved: %1").arg(r.message));
    });
}

ProviderKind SettingsDialog::kindAt(int row) const
{
    return static_cast<ProviderKind>(m_providerList->item(std::max(0, row))->data(Qt::UserRole).toInt());
}

void SettingsDialog::storeProviderFields()
{
    if (m_row < 0)
        return;
    ProviderSettings p = m_settings.provider(kindAt(m_row));
    p.enabled = p.kind == ProviderKind::Extractive || m_providerList->item(m_row)->checkState() == Qt::Checked;
    p.baseUrl = QUrl(m_baseUrl->text().trimmed());
    p.model = m_model->currentText().trimmed();
    p.temperature = m_temperature->value();
    p.maxTokens = m_maxTokens->value();
    m_settings.setProvider(p);
}

void SettingsDialog::showProvider(int row)
{
    saveTypedKey(); // switching providers must not lose a key pasted for the previous one
    storeProviderFields();
    m_row = row;
    const ProviderKind kind = kindAt(row);
    const ProviderSettings p = m_settings.provider(kind);
    m_providerTitle->setText(providerDisplayName(kind));
    switch (kind) {
    case ProviderKind::Extractive:
        m_providerNote->setText(tr("Always available, fully offline. Answers with sentences quoted from the passages "
                                   "found; it never writes text of its own."));
        break;
    case ProviderKind::OpenAi:
    case ProviderKind::Anthropic:
        m_providerNote->setText(tr("A cloud service: the passages found for a question are sent to it. Documents "
                                   "classified Restricted are never sent."));
        break;
    case ProviderKind::OpenAiCompatible:
        m_providerNote->setText(tr("A server speaking OpenAI's API, usually on this computer (Ollama, LM Studio, "
                                   "llama.cpp). A key is optional."));
        break;
    }
    m_providerForm->setVisible(kind != ProviderKind::Extractive);
    m_baseUrl->setPlaceholderText(providerDefaultBaseUrl(kind).toString());
    m_baseUrl->setText(p.baseUrl.toString());
    m_model->clear();
    m_model->setEditText(p.model);
    m_temperature->setValue(p.temperature);
    m_maxTokens->setValue(p.maxTokens);
    m_key->clear();
    m_saveKey->setEnabled(false);
    m_testResult->clear();
    m_keyRow->setVisible(providerTakesKey(kind));
    refreshKeyStatus();
}

void SettingsDialog::refreshKeyStatus()
{
    const ProviderKind kind = kindAt(m_row);
    if (!providerTakesKey(kind))
        return;
    m_keyStatus->setText(tr("Checking the system keychain…"));
    m_key->setPlaceholderText(tr("Paste a key"));
    m_removeKey->setEnabled(false);
    m_providers->keyStatus(kind, [dialog = QPointer<SettingsDialog>(this), kind](SecretStatus status, bool fromEnvironment) {
        if (!dialog || dialog->kindAt(dialog->m_row) != kind)
            return;
        QString text;
        switch (status) {
        case SecretStatus::Ok:
            text = tr("A key is stored in the system keychain. Paste a new one to replace it.");
            dialog->m_key->setPlaceholderText(tr("Stored (hidden)"));
            dialog->m_removeKey->setEnabled(true);
            break;
        case SecretStatus::NotFound: text = tr("No key stored."); break;
        case SecretStatus::Unavailable:
            text = tr("No system keychain is available (install and unlock gnome-keyring or KWallet), or set the key "
                      "in the environment.");
            break;
        default: text = tr("The system keychain did not answer."); break;
        }
        if (fromEnvironment)
            text += QLatin1Char(' ') + tr("%1 is set in the environment and is used instead.")
                                           .arg(SecretStore::environmentVariable(providerKindName(kind)));
        dialog->m_keyStatus->setText(text);
    });
}

QWidget *SettingsDialog::createSearchPage()
{
    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);
    auto *group = new QGroupBox(tr("Embedder"));
    auto *g = new QVBoxLayout(group);
    m_builtin = new QRadioButton(tr("Built-in (offline)"));
    m_http = new QRadioButton(tr("OpenAI-compatible embedding server"));
    g->addWidget(m_builtin);
    g->addWidget(note(tr("Needs nothing: matches passages that share words and word pieces with the question.")));
    g->addWidget(m_http);
    auto *form = new QFormLayout;
    form->setContentsMargins(24, 0, 0, 0);
    m_embedUrl = new QLineEdit(m_settings.embedderBaseUrl.toString());
    m_embedUrl->setPlaceholderText(QStringLiteral("http://localhost:11434/v1"));
    m_embedModel = new QLineEdit(m_settings.embedderModel);
    m_embedModel->setPlaceholderText(QStringLiteral("nomic-embed-text"));
    form->addRow(tr("Base URL:"), m_embedUrl);
    form->addRow(tr("Model:"), m_embedModel);
    g->addLayout(form);
    g->addWidget(note(tr("Changing the embedder re-indexes every passage in the background (progress in the status "
                         "bar); search keeps the current vectors until the new ones are complete.")));
    (m_settings.embedder == EmbedderChoice::Builtin ? m_builtin : m_http)->setChecked(true);
    const auto sync = [this] {
        m_embedUrl->setEnabled(m_http->isChecked());
        m_embedModel->setEnabled(m_http->isChecked());
    };
    connect(m_http, &QRadioButton::toggled, this, sync);
    sync();
    layout->addWidget(group);
    auto *more = new QFormLayout;
    m_passages = new QSpinBox;
    m_passages->setRange(1, 30);
    m_passages->setValue(m_settings.passages);
    more->addRow(tr("Passages per question:"), m_passages);
    layout->addLayout(more);
    layout->addStretch();
    return page;
}

QWidget *SettingsDialog::createImportPage()
{
    auto *page = new QWidget;
    auto *layout = new QFormLayout(page);
    m_languages = new QListWidget;
    m_languages->setMaximumHeight(160);
    m_languages->addItem(tr("Looking for installed languages…"));
    layout->addRow(tr("OCR languages:"), m_languages);
    layout->addRow(QString(), note(tr("Languages Tesseract reads scans in, from the installed tessdata (Debian packages "
                                      "tesseract-ocr-<code>).")));
    m_chunk = new QSpinBox;
    m_chunk->setRange(200, 4000);
    m_chunk->setSingleStep(100);
    m_chunk->setSuffix(tr(" characters"));
    m_chunk->setValue(m_settings.chunkChars);
    layout->addRow(tr("Passage size:"), m_chunk);
    layout->addRow(QString(), note(tr("Both apply to documents imported from now on.")));

    // Listing tessdata reads the disk.
    m_providers->ocrLanguages(this, [this](QStringList available) {
        m_languages->clear();
        available.removeAll(QStringLiteral("osd")); // orientation data, not a language
        for (const QString &code : m_settings.ocrLanguages) {
            if (!available.contains(code))
                available.append(code);
        }
        for (const QString &code : std::as_const(available)) {
            auto *item = new QListWidgetItem(code, m_languages);
            item->setCheckState(m_settings.ocrLanguages.contains(code) ? Qt::Checked : Qt::Unchecked);
        }
    });
    return page;
}

void SettingsDialog::showGovernancePage()
{
    if (m_governancePage)
        m_tabs->setCurrentWidget(m_governancePage);
}

void SettingsDialog::accept()
{
    m_governanceResult.reset();
    if (m_governancePage && m_governancePage->isLoaded()) {
        // Invalid input keeps the dialog open on the page, with the reason shown there.
        m_governanceResult = m_governancePage->collect();
        if (!m_governanceResult) {
            showGovernancePage();
            return;
        }
    }
    QDialog::accept();
}

AppSettings SettingsDialog::settings()
{
    storeProviderFields();
    for (int row = 0; row < m_providerList->count(); ++row) {
        ProviderSettings p = m_settings.provider(kindAt(row));
        p.enabled = p.kind == ProviderKind::Extractive || m_providerList->item(row)->checkState() == Qt::Checked;
        m_settings.setProvider(p);
    }
    m_settings.embedder = m_http->isChecked() && !m_embedUrl->text().trimmed().isEmpty() && !m_embedModel->text().trimmed().isEmpty()
                              ? EmbedderChoice::OpenAiCompatible
                              : EmbedderChoice::Builtin;
    m_settings.embedderBaseUrl = QUrl(m_embedUrl->text().trimmed());
    m_settings.embedderModel = m_embedModel->text().trimmed();
    m_settings.passages = m_passages->value();
    m_settings.chunkChars = m_chunk->value();
    QStringList languages;
    for (int i = 0; i < m_languages->count(); ++i) {
        if (m_languages->item(i)->checkState() == Qt::Checked)
            languages.append(m_languages->item(i)->text());
    }
    if (!languages.isEmpty())
        m_settings.ocrLanguages = languages;
    return m_settings;
}

} // namespace docsight
