#pragma once

#include <QList>
#include <QString>
#include <QStringView>

namespace docsight {

// Text normalisation shared by the built-in embedder and the keyword query builder, so that both
// see the same words FTS5's "porter unicode61 remove_diacritics 2" tokenizer sees.

// Compatibility-decomposes, drops combining marks (diacritics) and case-folds.
QString foldForSearch(QStringView text);

// Runs of letters and digits in folded text, as views into it (unicode61 treats everything else as
// a separator).
QList<QStringView> searchTokens(QStringView folded);

// Common English function words and question words ("how", "which"), which carry no topic.
bool isStopWord(QStringView folded);

// True for a passage that points elsewhere instead of saying something: a table of contents or an
// index, where most lines are an entry, a dot leader and page numbers ("Vectors . . . . 8, 22").
// Such a passage matches many questions by their headings' words and answers none.
bool looksNavigational(QStringView text);

// Porter's (1980) stemmer for ASCII words; other words come back unchanged.
QString porterStem(QStringView word);

} // namespace docsight
