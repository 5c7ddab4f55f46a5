#pragma once

#include "governance/policygate.h"
#include "search/embedder.h"
#include "search/indexer.h"

#include <QString>
#include <QUrl>

namespace docsight {

class Library;

// What an embedder judged `trust` (assessTrust, the same rule as for answers) may be given: a local one
// everything; a cloud one no Restricted passage ever, and Confidential (Internal too with redactInternal)
// passages with PII redacted (policy.redactKinds), each passage on its own placeholders. Withheld passages get
// no vector from that embedder and are found by keyword search.
EmbeddingGate embeddingGateFor(const TrustDecision &trust, const GovernancePolicy &policy);

// Audits "embeddings.sent" when passages went to an embedder off this computer: which embedder and address,
// how many were sent, redacted and withheld. Nothing is recorded for a local embedder or when nothing was sent
// or withheld.
bool auditEmbeddingRun(const Library &library, const QString &embedderId, const QUrl &baseUrl,
                       const TrustDecision &trust, const IndexerStats &stats, QString *error = nullptr);

} // namespace docsight
