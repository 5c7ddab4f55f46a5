#pragma once

#include "governance/classificationsuggestion.h"
#include "governance/policygate.h"
#include "governance/usagemeter.h"
#include "report/auditreport.h"

#include <functional>
#include <memory>

#include <QObject>
#include <QThreadPool>

namespace docsight {

class Library;

// Everything the Governance settings page edits: the library's policy, budget and price table.
struct GovernanceSettings {
    GovernancePolicy policy;
    Budget budget;
    PriceTable prices;
};

// What the GUI asks of core/governance and core/report, always off the GUI thread: the policy (cached here
// so the chat pane can show a provider's trust), answer feedback, this month's usage, the Governance settings
// (load and save, each change audited by core), classification suggestions after import, and the PDF audit
// report. Results come back as signals on the GUI thread, and not at all once the controller is gone.
class GovernanceController final : public QObject
{
    Q_OBJECT

public:
    explicit GovernanceController(std::shared_ptr<Library> library, QObject *parent = nullptr);
    ~GovernanceController() override;
    Q_DISABLE_COPY_MOVE(GovernanceController)

    // The policy as last read from the library (the safe defaults until then).
    const GovernancePolicy &policy() const { return m_policy; }
    bool isExporting() const { return m_exporting; }

    void loadPolicy();
    void loadSettings(std::function<void(const GovernanceSettings &)> done);
    void saveSettings(const GovernanceSettings &settings);
    // rating +1 / -1, or 0 with a correction.
    void recordFeedback(qint64 messageId, int rating, const QString &correction);
    void refreshUsage();
    void suggestClassification(qint64 documentId, const QString &documentName);
    void exportReport(const QString &path, const AuditReportOptions &options);

Q_SIGNALS:
    void policyChanged(const docsight::GovernancePolicy &policy);
    void settingsSaved(bool ok, const QString &error);
    void feedbackRecorded(qint64 messageId, int rating, bool corrected, bool ok, const QString &error);
    void usageReady(const docsight::UsageSummary &summary);
    void classificationSuggested(qint64 documentId, const QString &documentName,
                                 const docsight::ClassificationSuggestion &suggestion);
    void reportExported(const docsight::AuditReportResult &result);
    void exportingChanged(bool busy);

private:
    std::shared_ptr<Library> m_library;
    GovernancePolicy m_policy;
    bool m_exporting = false;
    QThreadPool m_pool;        // small reads and writes, in order
    QThreadPool m_reportPool;  // a report can take seconds: not in front of feedback and usage
};

} // namespace docsight
