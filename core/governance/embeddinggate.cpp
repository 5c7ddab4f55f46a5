#include "governance/embeddinggate.h"

#include "audit/auditlog.h"
#include "model/classification.h"
#include "governance/piiredactor.h"
#include "store/library.h"

#include <optional>

#include <QJsonObject>
#include <QSqlDatabase>

namespace docsight {

EmbeddingGate embeddingGateFor(const TrustDecision &trust, const GovernancePolicy &policy)
{
    EmbeddingGate gate;
    if (trust.trust == ProviderTrust::Local)
        return gate;
    gate.reason = trust.reason;
    gate.withheldClassifications = {classificationName(Classification::Restricted)};
    const bool confidential = policy.redactConfidential;
    const bool internal = policy.redactInternal;
    if (!confidential && !internal)
        return gate;
    const PiiKinds kinds = policy.redactKinds;
    gate.prepare = [confidential, internal, kinds](const QString &classification, QString &input) {
        const std::optional<Classification> level = parseClassification(classification);
        // An unreadable classification is treated as the strictest one that is still sent.
        const Classification c = level.value_or(Classification::Confidential);
        if (!(c == Classification::Confidential && confidential) && !(c == Classification::Internal && internal))
            return false;
        PiiRedactor redactor(kinds);
        QString redacted = redactor.redact(input);
        if (redactor.isEmpty())
            return false;
        input = std::move(redacted);
        return true;
    };
    return gate;
}

bool auditEmbeddingRun(const Library &library, const QString &embedderId, const QUrl &baseUrl,
                       const TrustDecision &trust, const IndexerStats &stats, QString *error)
{
    if (trust.trust == ProviderTrust::Local || (stats.embedded == 0 && stats.withheld == 0))
        return true;
    const QJsonObject payload{
        {QStringLiteral("embedder"), embedderId},
        {QStringLiteral("address"), baseUrl.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment)},
        {QStringLiteral("trust"), providerTrustName(trust.trust)},
        {QStringLiteral("reason"), trust.reason},
        {QStringLiteral("passages_sent"), stats.embedded},
        {QStringLiteral("passages_redacted"), stats.prepared},
        {QStringLiteral("passages_withheld"), stats.withheld},
    };
    return library.write(
        [&](QSqlDatabase &db) {
            return auditlog::append(db, QStringLiteral("embeddings.sent"), QStringLiteral("embedder:") + embedderId,
                                    payload, error);
        },
        error);
}

} // namespace docsight
