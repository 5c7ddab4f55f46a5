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
    QStringList expansions; // phrases the analyst vocabulary adds ("capital expenditures"), as FTS strings
    QStringList expansionPhrases; // the same phrases as written
    QStringList expandedFrom;     // for each, the question's words it stands for (as the vocabulary spells them)
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

    // Document-level BM25 of the question's words that point at one document (one document holds at
    // least half the word's passages): each document taken as one text whose "term frequency" is the
    // number of its chunks containing the word (in text, heading or name). It says which document a
    // question is about ("Boeing's dividends") when the passage itself never names it.
    QHash<qint64, double> documentScores(const KeywordQuery &query) const;

    // How many chunks contain each stem (FTS5 vocabulary); absent stems are 0.
    QHash<QString, int> documentFrequencies(const QStringList &stems) const;
    int chunkCount() const;

private:
    // Rows matching the rarer words are scored first; words beyond this many postings join later.
    static constexpr qint64 kPostingBudget = 1500;
    // Words counted per document for documentScores(), rarest first, up to this many postings.
    static constexpr qint64 kDocumentPostingBudget = 6000;
    // A word names a document when that document has at least this many of its passages.
    static constexpr int kNamingChunks = 5;
    // Expansion phrases count for this share of the question's own words.
    static constexpr double kExpansionWeight = 0.8;

    QList<KeywordHit> run(const QString &expression, int limit, const QList<qint64> *documentIds) const;
    // wordHits re-scored and extended with the vocabulary's phrases (FTS strings).
    QList<KeywordHit> withExpansions(const QList<KeywordHit> &wordHits, const QStringList &phrases, int limit,
                                     const QList<qint64> *documentIds) const;
    // FTS5's "averages" record, rewritten on every insert and delete: what caches compare.
    QByteArray indexVersion() const;
    QHash<qint64, int> chunksPerDocument() const; // cached per index version

    std::shared_ptr<Library> m_library;
};

// term as an FTS5 string: in a MATCH expression it is plain text, never query syntax, whatever it
// holds (quotes, operators, column filters).
QString ftsString(const QString &term);

// Inverse document frequency as BM25 uses it, kept positive: ln(1 + (N - df + 0.5) / (df + 0.5)).
double inverseDocumentFrequency(int documentFrequency, int documentCount);

} // namespace docsight
