#include "search/keywordsearch.h"
#include "util/sqlerror.h"

#include "search/textanalysis.h"
#include "search/vocabulary.h"
#include "store/library.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMutex>
#include <QMutexLocker>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>

namespace docsight {

Q_LOGGING_CATEGORY(lcKeywordSearch, "docsight.search.keyword")

namespace {

// Column weights for bm25(): a word in the section heading or the document's name says more
// about what a passage is about than one more word in its body.
constexpr double kTextWeight = 1.0;
constexpr double kHeadingWeight = 2.0;
constexpr double kTitleWeight = 0.5;
constexpr qsizetype kMaxTermLength = 64;

QString jsonArray(const QStringList &values)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(values)).toJson(QJsonDocument::Compact));
}

QString jsonArray(const QList<qint64> &values)
{
    QJsonArray array;
    for (const qint64 v : values)
        array.append(v);
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

bool usefulToken(QStringView token)
{
    // A single letter or digit can name the subject ("What is R?", "vitamin C", "Plan B"); BM25 weighs
    // it by how rare it is, so where it is noise it costs little. (The built-in embedder, which has no
    // such weighting at indexing time, leaves single Latin letters out.)
    return !token.isEmpty() && token.size() <= kMaxTermLength;
}

// The best limit of scored chunks, highest score first (ties by chunk id, so runs agree).
QList<KeywordHit> bestHits(const QHash<qint64, double> &scores, int limit)
{
    QList<KeywordHit> hits;
    hits.reserve(scores.size());
    for (auto it = scores.cbegin(); it != scores.cend(); ++it)
        hits.append({it.key(), it.value()});
    std::sort(hits.begin(), hits.end(), [](const KeywordHit &a, const KeywordHit &b) {
        return a.score != b.score ? a.score > b.score : a.chunkId < b.chunkId;
    });
    if (hits.size() > limit)
        hits.resize(limit);
    return hits;
}

} // namespace

QString ftsString(const QString &term)
{
    QString escaped;
    escaped.reserve(term.size() + 2);
    escaped.append(QLatin1Char('"'));
    for (qsizetype i = 0; i < term.size(); ++i) {
        const QChar c = term.at(i);
        if (c == QLatin1Char('"')) {
            escaped.append(QStringLiteral("\"\""));
        } else if (c.isNull()) {
            // FTS5's parser stops at a NUL ("unterminated string"); its tokenizer splits words
            // there anyway, so a space means the same.
            escaped.append(QLatin1Char(' '));
        } else if (c.isHighSurrogate() && i + 1 < term.size() && term.at(i + 1).isLowSurrogate()) {
            escaped.append(c);
            escaped.append(term.at(++i));
        } else if (c.isSurrogate()) {
            // SQLite's UTF-16 to UTF-8 conversion takes the unit after a lone high surrogate as its
            // pair, which would swallow the closing quote.
            escaped.append(QChar::ReplacementCharacter);
        } else {
            escaped.append(c);
        }
    }
    escaped.append(QLatin1Char('"'));
    return escaped;
}

double inverseDocumentFrequency(int documentFrequency, int documentCount)
{
    const double n = std::max(documentCount, documentFrequency);
    return std::log(1.0 + (n - documentFrequency + 0.5) / (documentFrequency + 0.5));
}

KeywordSearch::KeywordSearch(std::shared_ptr<Library> library) : m_library(std::move(library)) {}

int KeywordSearch::chunkCount() const
{
    // FTS5 keeps the row count as the first varint of its "averages" record (id 1): reading it is
    // O(1), where COUNT(*) walks an index on every question.
    if (const QByteArray block = indexVersion(); !block.isEmpty()) {
        quint64 value = 0;
        for (qsizetype i = 0; i < block.size() && i < 9; ++i) {
            const auto byte = static_cast<quint8>(block.at(i));
            if (i == 8) {
                value = (value << 8) | byte;
                return static_cast<int>(value);
            }
            value = (value << 7) | (byte & 0x7fu);
            if (!(byte & 0x80u))
                return static_cast<int>(value);
        }
    }
    QSqlQuery q(m_library->connection());
    if (q.exec(QStringLiteral("SELECT COUNT(*) FROM chunks")) && q.next())
        return q.value(0).toInt();
    return 0;
}

QByteArray KeywordSearch::indexVersion() const
{
    QSqlQuery q(m_library->connection());
    if (q.exec(QStringLiteral("SELECT block FROM chunks_fts_data WHERE id = 1")) && q.next())
        return q.value(0).toByteArray();
    return {};
}

QHash<qint64, int> KeywordSearch::chunksPerDocument() const
{
    // A GROUP BY over every chunk costs milliseconds in a big library and changes only when the
    // index does, so it is counted once per index version, like the words' counts.
    static QMutex cacheMutex;
    static QHash<QString, std::pair<QByteArray, QHash<qint64, int>>> cache; // library -> (averages, counts)
    const QByteArray averages = indexVersion();
    {
        QMutexLocker lock(&cacheMutex);
        const auto it = cache.constFind(m_library->rootPath());
        if (it != cache.cend() && !averages.isEmpty() && it->first == averages)
            return it->second;
    }
    QHash<qint64, int> counts;
    QSqlQuery q(m_library->connection());
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT document_id, COUNT(*) FROM chunks GROUP BY document_id"))) {
        qCWarning(lcKeywordSearch) << "cannot count passages per document:" << sqlErrorText(q.lastError());
        return counts;
    }
    while (q.next())
        counts.insert(q.value(0).toLongLong(), q.value(1).toInt());
    QMutexLocker lock(&cacheMutex);
    cache.insert(m_library->rootPath(), {averages, counts});
    return counts;
}

QHash<QString, int> KeywordSearch::documentFrequencies(const QStringList &stems) const
{
    QHash<QString, int> out;
    if (stems.isEmpty())
        return out;
    // Counting a word's chunks walks its whole posting list, which for common words in a big
    // library costs milliseconds; questions reuse words, so counts are cached until the index
    // changes (FTS5 rewrites its "averages" record on every insert and delete).
    static QMutex cacheMutex;
    static QHash<QString, std::pair<QByteArray, QHash<QString, int>>> cache; // library -> (averages, counts)
    QSqlQuery q(m_library->connection());
    q.setForwardOnly(true);
    const QByteArray averages = indexVersion();
    QStringList missing;
    {
        QMutexLocker lock(&cacheMutex);
        auto &entry = cache[m_library->rootPath()];
        if (entry.first != averages || averages.isEmpty() || entry.second.size() > 50000)
            entry = {averages, {}};
        for (const QString &stem : stems) {
            const auto it = entry.second.constFind(stem);
            if (it == entry.second.cend())
                missing.append(stem);
            else if (*it > 0)
                out.insert(stem, *it);
        }
    }
    if (missing.isEmpty())
        return out;
    q.prepare(QStringLiteral("SELECT term, doc FROM chunks_fts_vocab WHERE term IN (SELECT value FROM json_each(?))"));
    q.addBindValue(jsonArray(missing));
    if (!q.exec()) {
        qCWarning(lcKeywordSearch) << "cannot read the vocabulary:" << sqlErrorText(q.lastError());
        return out;
    }
    QHash<QString, int> found;
    while (q.next())
        found.insert(q.value(0).toString(), q.value(1).toInt());
    QMutexLocker lock(&cacheMutex);
    auto &entry = cache[m_library->rootPath()];
    for (const QString &stem : std::as_const(missing)) {
        const int df = found.value(stem);
        if (entry.first == averages)
            entry.second.insert(stem, df);
        if (df > 0)
            out.insert(stem, df);
    }
    return out;
}

KeywordQuery KeywordSearch::prepare(const QString &question) const
{
    KeywordQuery query;
    const QString folded = foldForSearch(spellOutPeriods(question));
    const QList<QStringView> tokens = searchTokens(folded);
    QSet<QString> seenStems;
    bool hadWords = false;
    for (const QStringView token : tokens) {
        if (!usefulToken(token))
            continue;
        hadWords = true;
        if (isStopWord(token))
            continue;
        const QString stem = porterStem(token);
        if (seenStems.contains(stem))
            continue;
        seenStems.insert(stem);
        query.terms.append(token.toString());
        query.stems.append(stem);
    }
    if (query.terms.isEmpty()) {
        query.message = hadWords
            ? QStringLiteral("The question has only common words (such as \"the\" or \"how\"); add the words that name what you are looking for.")
            : QStringLiteral("The question has no words to search for.");
        return query;
    }

    query.chunkCount = chunkCount();
    const QHash<QString, int> df = documentFrequencies(query.stems);
    query.frequencyOf = df;
    query.documentFrequencies.reserve(query.stems.size());
    for (const QString &stem : std::as_const(query.stems))
        query.documentFrequencies.append(df.value(stem));

    // Rarer words first: they carry the meaning. A word in more than half the chunks adds nothing
    // to BM25 (its IDF is clamped to ~0) but costs time, so it is dropped when rarer words exist.
    // Words absent from the library match nothing; they are kept (after the rest) in case the
    // vocabulary lookup disagrees with FTS5's own stemmer.
    std::vector<qsizetype> order(static_cast<size_t>(query.terms.size()));
    std::iota(order.begin(), order.end(), qsizetype(0));
    const auto rank = [&](qsizetype i) {
        const int d = query.documentFrequencies.at(i);
        return d == 0 ? std::numeric_limits<int>::max() : d;
    };
    std::stable_sort(order.begin(), order.end(), [&](qsizetype a, qsizetype b) { return rank(a) < rank(b); });
    const bool anyInformative = std::any_of(order.begin(), order.end(), [&](qsizetype i) {
        const int d = query.documentFrequencies.at(i);
        return d > 0 && d * 2 <= query.chunkCount;
    });
    KeywordQuery kept;
    kept.chunkCount = query.chunkCount;
    kept.frequencyOf = query.frequencyOf;
    QStringList quoted;
    for (const qsizetype i : order) {
        if (kept.terms.size() >= kMaxTerms)
            break;
        const int d = query.documentFrequencies.at(i);
        if (anyInformative && d * 2 > query.chunkCount)
            continue;
        kept.terms.append(query.terms.at(i));
        kept.stems.append(query.stems.at(i));
        kept.documentFrequencies.append(d);
        quoted.append(ftsString(query.terms.at(i)));
    }
    kept.expression = quoted.join(QStringLiteral(" OR "));
    for (const Vocabulary::Expansion &e : Vocabulary::analyst().expand(question)) {
        for (const QString &alternative : e.alternatives) {
            kept.expansionPhrases.append(alternative);
            kept.expandedFrom.append(e.matched);
            kept.expansions.append(ftsString(alternative));
        }
    }
    return kept;
}

QList<KeywordHit> KeywordSearch::search(const KeywordQuery &query, int limit, const QList<qint64> *documentIds) const
{
    if (query.isEmpty() || limit <= 0 || (documentIds && documentIds->isEmpty()))
        return {};
    // FTS5 scores every row that matches any word, so a common word makes a query slow in a big
    // library. BM25 is a sum over words, so the exact top rows are found cheaply in two passes:
    // (A) the rarer words alone, and (B) rows with a rarer AND a common word, scored by every word.
    // A row in neither top list ranks below both, so the union ranked by its best score is exact.
    QStringList rare;
    QStringList common;
    qint64 postings = 0;
    for (qsizetype i = 0; i < query.terms.size(); ++i) {
        postings += query.documentFrequencies.value(i);
        (rare.isEmpty() || postings <= kPostingBudget ? rare : common).append(ftsString(query.terms.at(i)));
    }
    const QString rareExpression = rare.join(QStringLiteral(" OR "));
    QList<KeywordHit> hits = run(rareExpression, limit, documentIds);
    if (!common.isEmpty()) {
        const QString both = QStringLiteral("(") + rareExpression + QStringLiteral(") AND (")
            + common.join(QStringLiteral(" OR ")) + QStringLiteral(")");
        QHash<qint64, double> best;
        for (const KeywordHit &h : std::as_const(hits))
            best.insert(h.chunkId, h.score);
        for (const KeywordHit &h : run(both, limit, documentIds))
            best.insert(h.chunkId, std::max(best.value(h.chunkId, h.score), h.score));
        hits = bestHits(best, limit);
    }
    if (!query.expansions.isEmpty())
        hits = withExpansions(hits, query.expansions, limit, documentIds);
    return hits;
}

QList<KeywordHit> KeywordSearch::withExpansions(const QList<KeywordHit> &wordHits, const QStringList &phrases, int limit,
                                                const QList<qint64> *documentIds) const
{
    // BM25 is a sum over words, so the phrases' share is added to the words' score:
    // s = s_words + w * s_phrases, each from its own best `limit` list. (Scoring "words AND phrases"
    // in one more pass, so that a passage low in both lists still gets both shares, was measured
    // and found worse on the team's question sets: it favours passages that repeat the phrases.)
    QHash<qint64, double> score;
    for (const KeywordHit &h : wordHits)
        score.insert(h.chunkId, h.score);
    for (const KeywordHit &h : run(phrases.join(QStringLiteral(" OR ")), limit, documentIds))
        score[h.chunkId] += kExpansionWeight * h.score;
    return bestHits(score, limit);
}

QHash<qint64, double> KeywordSearch::documentScores(const KeywordQuery &query) const
{
    QHash<qint64, double> scores;
    if (query.isEmpty())
        return scores;
    const QHash<qint64, int> chunksOf = chunksPerDocument();
    double total = 0;
    for (const int n : chunksOf)
        total += n;
    if (chunksOf.size() < 2)
        return scores; // one document: nothing to tell apart
    const double averageLength = total / static_cast<double>(chunksOf.size());
    constexpr double k1 = 1.2;
    constexpr double b = 0.75;
    qint64 postings = 0;
    QSqlQuery q(m_library->connection());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT c.document_id, COUNT(*) FROM chunks_fts f JOIN chunks c ON c.id = f.rowid "
                             "WHERE chunks_fts MATCH ? GROUP BY c.document_id"));
    for (qsizetype i = 0; i < query.terms.size(); ++i) {
        const int df = query.documentFrequencies.value(i);
        if (df <= 0)
            continue;
        postings += df;
        if (postings > kDocumentPostingBudget && i > 0)
            break;
        q.addBindValue(ftsString(query.terms.at(i)));
        if (!q.exec()) {
            qCWarning(lcKeywordSearch) << "cannot count a word per document:" << sqlErrorText(q.lastError());
            continue;
        }
        QHash<qint64, int> tf;
        while (q.next())
            tf.insert(q.value(0).toLongLong(), q.value(1).toInt());
        const double idf = inverseDocumentFrequency(static_cast<int>(tf.size()), static_cast<int>(chunksOf.size()));
        // Only words that point at one document say which document the question is about: one
        // that holds at least half the word's passages, and several of them, as a name recurs
        // ("Boeing", "Corning"). Words spread over many documents would favour whichever document
        // is short or long whatever the question, and a word in one or two passages is rare by
        // chance, which BM25 already rewards passage by passage.
        int top = 0, all = 0;
        for (const int n : std::as_const(tf)) {
            top = std::max(top, n);
            all += n;
        }
        if (top * 2 < all || top < kNamingChunks)
            continue;
        for (auto it = tf.cbegin(); it != tf.cend(); ++it) {
            const double length = chunksOf.value(it.key(), 1);
            const double f = it.value();
            scores[it.key()] += idf * f * (k1 + 1) / (f + k1 * (1 - b + b * length / averageLength));
        }
    }
    return scores;
}

QList<KeywordHit> KeywordSearch::run(const QString &expression, int limit, const QList<qint64> *documentIds) const
{
    QList<KeywordHit> hits;
    const QString weights = QStringLiteral("bm25(%1, %2, %3)").arg(kTextWeight).arg(kHeadingWeight).arg(kTitleWeight);
    QSqlQuery q(m_library->connection());
    q.setForwardOnly(true);
    if (documentIds) {
        q.prepare(QStringLiteral("SELECT f.rowid, bm25(chunks_fts, %1, %2, %3) AS s FROM chunks_fts f "
                                 "JOIN chunks c ON c.id = f.rowid "
                                 "WHERE chunks_fts MATCH ? AND c.document_id IN (SELECT value FROM json_each(?)) "
                                 "ORDER BY s, f.rowid LIMIT ?")
                      .arg(kTextWeight)
                      .arg(kHeadingWeight)
                      .arg(kTitleWeight));
        q.addBindValue(expression);
        q.addBindValue(jsonArray(*documentIds));
    } else {
        // No join: FTS5 ranks on its own, which is much cheaper per matching row.
        q.prepare(QStringLiteral("SELECT rowid, rank FROM chunks_fts WHERE chunks_fts MATCH ? AND rank MATCH ? "
                                 "ORDER BY rank LIMIT ?"));
        q.addBindValue(expression);
        q.addBindValue(weights);
    }
    q.addBindValue(limit);
    if (!q.exec()) {
        // The expression is built only of quoted words, so this is a database problem, not the
        // user's input; report nothing rather than fail the whole search.
        qCWarning(lcKeywordSearch) << "keyword search failed:" << sqlErrorText(q.lastError());
        return hits;
    }
    while (q.next())
        hits.append({q.value(0).toLongLong(), -q.value(1).toDouble()});
    return hits;
}

} // namespace docsight
