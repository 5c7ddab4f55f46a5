#pragma once

#include "llm/keyfacts.h"

#include <QList>
#include <QString>

namespace docsight {

// One page of the document to read.
struct FactPage {
    int number = 0;
    QString text;
};

// The offline extractor: labelled fields ("Invoice #:", "Amount due", "governed by the laws of"), table columns
// ("INVOICE NO. | DATE" over a row of values), legal-form suffixes for company names and the shapes of dates
// and amounts. Each fact cites the page and the line or sentence it was read from. Deterministic, no network;
// used when no model may or can be asked, and to fill fields a model left out. Stateless and thread-safe.
namespace factrules {

QList<KeyFact> extract(const QList<FactPage> &pages, FactTemplate templ);

} // namespace factrules

} // namespace docsight
