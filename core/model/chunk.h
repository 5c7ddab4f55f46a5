#pragma once

#include "model/passagelocation.h"

#include <QString>

namespace docsight {

// A retrievable passage: a span of one page's text. Chunks never cross a page boundary, so every
// citation names exactly one page and the highlight is on that page.
struct Chunk : PassageLocation {
    qint64 id = 0;          // assigned by the store
    int ordinal = 0;        // position in the document, 0-based
    QString heading;        // nearest heading above the chunk, as searchable context
    QString text;           // the page text in [charStart, charEnd)
};

} // namespace docsight
