#pragma once

#include "ingest/pagecontent.h"

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

// The word boxes (page-normalised) covering the text span [start, end) of a page, one per word.
QList<QRectF> wordRectsForSpan(const PageContent &page, int start, int end);
// The boxes of words [first, first + count).
QList<QRectF> wordRectsForRange(const PageContent &page, int first, int count);

} // namespace docsight
