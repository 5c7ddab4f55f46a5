#pragma once

#include <memory>

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace docsight {

class Library;

// A natural-language question turned into an FTS5 query that cannot be anything but a list of
// words: each word is quoted as an FTS string, so quotes, parentheses, NEAR, *, -, : and AND/OR/NOT
// in the question are plain text and can neither fail nor change the query.
struct KeywordQuery {
    QStringList terms;      // folded words kept, most informative first
    QStringList stems;      // their Porter stems, as the FTS5 index stores them
    QList<int> documentFrequencies; // chunks containing each stem
    QHash<QString, int> frequencyOf; // every content stem of the question (kept or not) -> chunks containing it
    int chunkCount = 0;     // chunks in the library when the query was prepared
    QString expression;     // the MATCH expression: "w1" OR "w2" ...
    QString message;        // why there is nothing to search for, for the analyst

    bool isEmpty() const { return expression.isEmpty(); }
};

struct KeywordHit {
    qint64 chunkId = 0;
    double score = 0.0; // BM25, higher is better
};

// BM25 ranking over chunk text, heading and document name (FTS5, porter + unicode61 without
// diacritics), restricted to documents that are ready. Thread-safe.
class KeywordSearch final
{
public:
    static constexpr int kMaxTerms = 64;

    explicit KeywordSearch(std::shared_ptr<Library> library);

    KeywordQuery prepare(const QString &question) const;
    // The best limit chunks; documentIds (when not null) restricts the search to those documents.
    QList<KeywordHit> search(const KeywordQuery &query, int limit, const QList<qint64> *documentIds = nullptr) const;

    // How many chunks contain each stem (FTS5 vocabulary); absent stems are 0.
    QHash<QString, int> documentFrequencies(const QStringList &stems) const;
    int chunkCount() const;

private:
    // Rows matching the rarer words are scored first; words beyond this many postings join later.
    static constexpr qint64 kPostingBudget = 1500;

    QList<KeywordHit> run(const QString &expression, int limit, const QList<qint64> *documentIds) const;

    std::shared_ptr<Library> m_library;
};

// term as an FTS5 string: in a MATCH expression it is plain text, never query syntax, whatever it
// holds (quotes, operators, column filters).
QString ftsString(const QString &term);

// Inverse document frequency as BM25 uses it, kept positive: ln(1 + (N - df + 0.5) / (df + 0.5)).
double inverseDocumentFrequency(int documentFrequency, int documentCount);

} // namespace docsight
