#pragma once

#include <QString>

namespace docsight {

// A retrievable passage: a span of one page's text. Chunks never cross a page boundary, so every
// citation names exactly one page and the highlight is on that page.
struct Chunk {
    qint64 id = 0;          // assigned by the store
    qint64 documentId = 0;
    int ordinal = 0;        // position in the document, 0-based
    int page = 0;           // 1-based physical page
    int charStart = 0;      // span in the page text [charStart, charEnd)
    int charEnd = 0;
    int firstWord = 0;      // index of the first covered word box on the page
    int wordCount = 0;      // number of covered word boxes (0 for Plain pages)
    QString heading;        // nearest heading above the chunk, as searchable context
    QString text;           // the page text in [charStart, charEnd)
};

} // namespace docsight
