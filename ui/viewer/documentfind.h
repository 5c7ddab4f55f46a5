#pragma once

#include "model/pagecontent.h"

#include <optional>

#include <QList>
#include <QRectF>
#include <QString>

namespace docsight {

// A hit of find-in-document: a span of one page's text.
struct FindMatch {
    int page = 0;       // 1-based
    int start = 0;      // in PageContent::text
    int length = 0;
};

// Case- and whitespace-insensitive search of the pages' stored text ("data  frame" finds "data\nframe").
// Pure computation; the viewer runs it on a worker for long documents.
QList<FindMatch> findInPages(const QList<PageContent> &pages, const QString &needle, int maxMatches = 5000);

// Where a cited quote stands in the pages now. A citation records a span of the page text as it was
// when the answer was written; after the document is read again (new OCR, say) the words may have
// moved. Returns the recorded span when the page still reads the quote there, else the occurrence
// nearest the recorded place, else (for a long quote whose middle changed) the span from its first
// to its last words; nullopt when the quote is no longer in the document.
std::optional<FindMatch> locateQuote(const QList<PageContent> &pages, const FindMatch &recorded, const QString &quote);

// The word boxes (page-normalised) covering the text span [start, end) of a page, one per word.
QList<QRectF> wordRectsForSpan(const PageContent &page, int start, int end);
// The boxes of words [first, first + count).
QList<QRectF> wordRectsForRange(const PageContent &page, int first, int count);

} // namespace docsight
