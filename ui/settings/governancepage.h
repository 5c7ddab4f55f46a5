#pragma once

#include "governance/governancecontroller.h"

#include <optional>

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLayout;
class QLineEdit;
class QListWidget;
class QTableWidget;

namespace docsight {

// The Governance page of the settings dialog: what happens to Restricted passages with a cloud provider,
// which classifications are PII-redacted, LAN servers trusted as local, the monthly budget (hard stop,
// warning thresholds) and the price table. Disabled until the library's settings have been read.
class GovernancePage final : public QWidget
{
    Q_OBJECT

public:
    explicit GovernancePage(QWidget *parent = nullptr);

    void setSettings(const GovernanceSettings &settings);
    bool isLoaded() const { return m_loaded.has_value(); }
    // The edited settings, or nullopt with an analyst-facing reason (also shown on the page).
    std::optional<GovernanceSettings> collect(QString *error = nullptr);

private:
    QWidget *createPolicyGroup();
    QWidget *createBudgetGroup();
    QWidget *createPricesGroup();
    void addLocalHost();
    void addCloudHost();
    QLayout *createHostList(const QString &name, const QString &placeholder, QListWidget **list, QLineEdit **input,
                            void (GovernancePage::*add)(), const QString &help);
    void showError(const QString &message);

    std::optional<GovernanceSettings> m_loaded;
    QLabel *m_status = nullptr;
    QComboBox *m_restricted = nullptr;
    QCheckBox *m_redactConfidential = nullptr;
    QCheckBox *m_redactInternal = nullptr;
    QListWidget *m_hosts = nullptr;
    QLineEdit *m_hostInput = nullptr;
    QListWidget *m_cloudHosts = nullptr;
    QLineEdit *m_cloudHostInput = nullptr;
    QDoubleSpinBox *m_budget = nullptr;
    QCheckBox *m_hardStop = nullptr;
    QLineEdit *m_warnAt = nullptr;
    QTableWidget *m_prices = nullptr;
};

} // namespace docsight
