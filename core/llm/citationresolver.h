#pragma once

#include "llm/answer.h"

#include <QList>
#include <QString>
#include <QStringView>

namespace docsight {

// One bracketed citation in answer text: "[S1]", "[S1, S3]", "[S2-S4]", "[s1; 2]".
struct CitationMarker {
    qsizetype start = 0;     // span of the whole bracket in the text
    qsizetype length = 0;
    QList<int> numbers;      // in the order written, ranges expanded, duplicates removed
};

// Turns a provider's raw answer into an Answer: finds the [S#] markers, maps each to its passage
// (document, page, character span; the span narrowed to the cited sentence when the sentence is quoted
// word for word), drops markers naming no passage (listing them in unknownMarkers), and lists the
// substantive sentences that cite nothing. Word boxes are left to the caller, who has the pages.
namespace citations {

QList<CitationMarker> findMarkers(QStringView text);

// Sentence spans of answer text: a sentence ends at . ! ? followed by a space and a capital, digit or
// quote, or at a line break. A marker right after the full stop belongs to the sentence before it.
QList<std::pair<int, int>> sentenceSpans(QStringView text);

// sources[i] is the passage labelled S(i+1). Fills text, sentences, citations, unknownMarkers,
// uncitedSentences, declined and sources; leaves the other fields alone.
void resolve(const QString &rawText, const QList<RetrievedPassage> &sources, Answer *answer);

// Whitespace-collapsed text and, for each of its characters, the index it came from.
QString normalizeWithMap(QStringView text, QList<int> *map);

} // namespace citations

} // namespace docsight
