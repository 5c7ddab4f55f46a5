#pragma once

#include "model/chunk.h"
#include "model/pagecontent.h"

#include <QList>

namespace docsight {

struct ChunkerOptions {
    int targetChars = 1000; // preferred chunk length
    int overlapChars = 150; // text repeated at the start of the next chunk on the same page
};

// Splits pages into passages for retrieval. Chunks stay within one page (a citation names one
// page), end at the strongest boundary available near the target length — paragraph, then
// sentence, then line, then word — and never split a word. Each chunk records its character span
// in the page text, the word boxes it covers and the nearest heading above it.
class Chunker final
{
public:
    explicit Chunker(ChunkerOptions options = {});

    QList<Chunk> chunk(const QList<PageContent> &pages) const;

    // Whether a paragraph looks like a heading (short, standalone, not a sentence). Exposed for tests.
    static bool looksLikeHeading(QStringView paragraph);

private:
    ChunkerOptions m_options;
};

} // namespace docsight
