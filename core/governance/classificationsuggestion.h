#pragma once

// suggestClassification: the classification the personal data in a document suggests at import.

#include "model/classification.h"

#include <optional>

#include <QHash>
#include <QList>
#include <QString>

namespace docsight {

struct PageContent;

// What the detectors found across a document, to suggest a classification at import. Suggests only: the
// analyst decides (DocumentStore::setClassification).
struct ClassificationSuggestion {
    std::optional<Classification> level;  // nullopt: nothing found, no suggestion
    QHash<QString, int> counts;           // distinct values per kind ("SSN" -> 3)
    QList<int> pages;                     // pages where anything was found
    QString reason;                       // one analyst-facing sentence
};

// Restricted when identifiers that enable fraud or identity theft occur (SSNs, payment cards, IBANs) or when
// contact details of many people do (threshold distinct emails/phones); Confidential for a few contact details
// or IP addresses. Never suggests lowering a level: compare with the current one before offering it.
ClassificationSuggestion suggestClassification(const QList<PageContent> &pages, int contactThreshold = 10);

} // namespace docsight
