#include "governance/governancecontroller.h"

#include "common/async.h"

#include "store/library.h"
#include "store/messagestore.h"

namespace docsight {

GovernanceController::GovernanceController(std::shared_ptr<Library> library, QObject *parent)
    : QObject(parent)
    , m_library(std::move(library))
{
    m_pool.setMaxThreadCount(1);
    m_reportPool.setMaxThreadCount(1);
}

GovernanceController::~GovernanceController()
{
    m_pool.waitForDone();
    m_reportPool.waitForDone();
}

void GovernanceController::loadPolicy()
{
    runAsync(
        &m_pool, this, [library = m_library] { return GovernancePolicy::load(*library); },
        [this](const GovernancePolicy &policy) {
            m_policy = policy;
            Q_EMIT policyChanged(m_policy);
        });
}

void GovernanceController::loadSettings(std::function<void(const GovernanceSettings &)> done)
{
    runAsync(
        &m_pool, this,
        [library = m_library] {
            const UsageMeter meter(library);
            return GovernanceSettings{GovernancePolicy::load(*library), meter.budget(), meter.prices()};
        },
        std::move(done));
}

void GovernanceController::saveSettings(const GovernanceSettings &settings)
{
    struct Saved {
        bool ok = false;
        QString error;
        GovernancePolicy policy;
    };
    runAsync(
        &m_pool, this,
        [library = m_library, settings] {
            // Every write is audited, so only what changed is written (the policy compares for itself).
            Saved s;
            UsageMeter meter(library);
            s.ok = settings.policy.save(*library, &s.error)
                   && (meter.budget().toJson() == settings.budget.toJson() || meter.setBudget(settings.budget, &s.error))
                   && (meter.prices().toJson() == settings.prices.toJson() || meter.setPrices(settings.prices, &s.error));
            s.policy = GovernancePolicy::load(*library);
            return s;
        },
        [this](const Saved &s) {
            m_policy = s.policy;
            Q_EMIT policyChanged(m_policy);
            Q_EMIT settingsSaved(s.ok, s.error);
        });
}

void GovernanceController::recordFeedback(qint64 messageId, int rating, const QString &correction)
{
    struct Recorded {
        bool ok = false;
        QString error;
    };
    runAsync(
        &m_pool, this,
        [library = m_library, messageId, rating, correction] {
            Recorded r;
            r.ok = MessageStore(library).recordFeedback(messageId, rating, correction, &r.error);
            return r;
        },
        [this, messageId, rating, corrected = !correction.trimmed().isEmpty()](const Recorded &r) {
            Q_EMIT feedbackRecorded(messageId, rating, corrected, r.ok, r.error);
        });
}

void GovernanceController::refreshUsage()
{
    runAsync(
        &m_pool, this, [library = m_library] { return UsageMeter(library).thisMonth(); },
        [this](const UsageSummary &summary) { Q_EMIT usageReady(summary); });
}

void GovernanceController::suggestClassification(qint64 documentId, const QString &documentName)
{
    runAsync(
        &m_pool, this, [library = m_library, documentId] { return suggestClassificationFor(library, documentId); },
        [this, documentId, documentName](const ClassificationSuggestion &s) {
            if (s.level)
                Q_EMIT classificationSuggested(documentId, documentName, s);
        });
}

void GovernanceController::exportReport(const QString &path, const AuditReportOptions &options)
{
    if (m_exporting)
        return;
    m_exporting = true;
    Q_EMIT exportingChanged(true);
    runAsync(
        &m_reportPool, this, [library = m_library, path, options] { return auditreport::exportPdf(library, path, options); },
        [this](const AuditReportResult &result) {
            m_exporting = false;
            Q_EMIT exportingChanged(false);
            Q_EMIT reportExported(result);
        });
}

} // namespace docsight
