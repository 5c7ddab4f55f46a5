#pragma once

#include "governance/governancecontroller.h"
#include "settings/appsettings.h"

#include <optional>

#include <QDialog>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QRadioButton;
class QSpinBox;
class QTabWidget;

namespace docsight {

class GovernancePage;
class ProviderService;

// Edits AppSettings: answer providers (enable, base URL, model, temperature, max tokens, test connection,
// API key into the keychain — masked, and a stored key is never shown again), the embedder, OCR languages
// and passage size, and (given a GovernanceController) the library's Governance settings. Shows only: the keychain, connection tests and the tessdata listing are services run
// off the GUI thread.
class SettingsDialog final : public QDialog
{
    Q_OBJECT

public:
    SettingsDialog(const AppSettings &settings, ProviderService *providers, QWidget *parent = nullptr,
                   GovernanceController *governance = nullptr);

    AppSettings settings();
    // The Governance page's settings once the dialog was accepted with them read and valid; the caller saves
    // them (GovernanceController::saveSettings).
    std::optional<GovernanceSettings> governanceSettings() const { return m_governanceResult; }
    GovernancePage *governancePage() const { return m_governancePage; }
    void showGovernancePage();

public Q_SLOTS:
    void accept() override;

private:
    QWidget *createProvidersPage();
    QWidget *createSearchPage();
    QWidget *createImportPage();
    void showProvider(int row);
    void storeProviderFields();
    void refreshKeyStatus();
    void saveTypedKey();
    ProviderKind kindAt(int row) const;

    AppSettings m_settings;
    ProviderService *m_providers = nullptr;
    QTabWidget *m_tabs = nullptr;
    GovernancePage *m_governancePage = nullptr;
    std::optional<GovernanceSettings> m_governanceResult;
    int m_row = -1;

    QListWidget *m_providerList = nullptr;
    QLabel *m_providerTitle = nullptr;
    QLabel *m_providerNote = nullptr;
    QWidget *m_providerForm = nullptr;
    QLineEdit *m_baseUrl = nullptr;
    QComboBox *m_model = nullptr;
    QDoubleSpinBox *m_temperature = nullptr;
    QSpinBox *m_maxTokens = nullptr;
    QWidget *m_keyRow = nullptr;
    QLineEdit *m_key = nullptr;
    QPushButton *m_saveKey = nullptr;
    QPushButton *m_removeKey = nullptr;
    QLabel *m_keyStatus = nullptr;
    QPushButton *m_test = nullptr;
    QLabel *m_testResult = nullptr;

    QRadioButton *m_builtin = nullptr;
    QRadioButton *m_http = nullptr;
    QLineEdit *m_embedUrl = nullptr;
    QLineEdit *m_embedModel = nullptr;
    QSpinBox *m_passages = nullptr;

    QListWidget *m_languages = nullptr;
    QSpinBox *m_chunk = nullptr;
};

} // namespace docsight
