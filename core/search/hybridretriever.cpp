#include "search/hybridretriever.h"
#include "util/sqlerror.h"

#include "search/builtinembedder.h"
#include "search/embedder.h"
#include "search/embeddingstore.h"
#include "search/keywordsearch.h"
#include "search/textanalysis.h"
#include "search/vectorindex.h"
#include "store/library.h"

#include <algorithm>
#include <cmath>

#include <QElapsedTimer>
#include <QFileInfo>
#include <QFuture>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>

namespace docsight {

Q_LOGGING_CATEGORY(lcRetriever, "docsight.search.retriever")

namespace {

// Reciprocal rank fusion constant (Cormack et al. 2009): large enough that the fused order is not
// decided by the first rank of one list alone.
constexpr double kRrfK = 60.0;
// Weight of the vector ranking in the fusion when the embedder is the built-in lexical one.
constexpr double kLexicalVectorWeight = 0.5;
// Pseudo-relevance feedback: how many top fused passages, and how far the query moves to them.
constexpr int kFeedbackPassages = 5;
constexpr double kFeedbackWeight = 0.5;
// A table of contents or index matches questions by its headings' words but answers none of them:
// its score is scaled down, so it is cited only when nothing else matches as well.
constexpr double kNavigationalScale = 0.5;
// How many of the best fused candidates are read, and weighed again by the second stage, before
// the cut to k.
constexpr int kRerankWindow = 50;

QString idsJson(const QList<qint64> &ids)
{
    QJsonArray array;
    for (const qint64 id : ids)
        array.append(id);
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

QList<qint64> chunksOfDocuments(QSqlDatabase db, const QList<qint64> &documentIds)
{
    QList<qint64> out;
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id "
                             "WHERE d.status = 'ready' AND c.document_id IN (SELECT value FROM json_each(?))"));
    q.addBindValue(idsJson(documentIds));
    if (!q.exec()) {
        qCWarning(lcRetriever) << "cannot list the selected documents' chunks:" << sqlErrorText(q.lastError());
        return out;
    }
    while (q.next())
        out.append(q.value(0).toLongLong());
    return out;
}

// Passage details for the given chunks of ready documents (others are silently left out: a
// document removed a moment ago must not come back through a stale vector index).
QHash<qint64, RetrievedPassage> passages(QSqlDatabase db, const QList<qint64> &chunkIds)
{
    QHash<qint64, RetrievedPassage> out;
    if (chunkIds.isEmpty())
        return out;
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT c.id, c.document_id, d.name, c.page_number, c.char_start, c.char_end, "
                             "c.first_word, c.word_count, c.heading, c.text FROM chunks c "
                             "JOIN documents d ON d.id = c.document_id "
                             "WHERE d.status = 'ready' AND c.id IN (SELECT value FROM json_each(?))"));
    q.addBindValue(idsJson(chunkIds));
    if (!q.exec()) {
        qCWarning(lcRetriever) << "cannot read passages:" << sqlErrorText(q.lastError());
        return out;
    }
    while (q.next()) {
        RetrievedPassage p;
        p.chunkId = q.value(0).toLongLong();
        p.documentId = q.value(1).toLongLong();
        p.documentName = q.value(2).toString();
        p.page = q.value(3).toInt();
        p.charStart = q.value(4).toInt();
        p.charEnd = q.value(5).toInt();
        p.firstWord = q.value(6).toInt();
        p.wordCount = q.value(7).toInt();
        p.heading = q.value(8).toString();
        p.text = q.value(9).toString();
        out.insert(p.chunkId, p);
    }
    return out;
}

bool overlaps(const RetrievedPassage &a, const RetrievedPassage &b)
{
    return a.documentId == b.documentId && a.page == b.page && a.charStart < b.charEnd && b.charStart < a.charEnd;
}

bool isZero(const std::vector<float> &v)
{
    return std::all_of(v.cbegin(), v.cend(), [](float x) { return x == 0.0f; });
}

bool normalise(std::vector<float> &v)
{
    double norm = 0.0;
    for (const float x : v)
        norm += static_cast<double>(x) * x;
    if (norm <= 0.0)
        return false;
    const auto scale = static_cast<float>(1.0 / std::sqrt(norm));
    for (float &x : v)
        x *= scale;
    return true;
}

struct Fused {
    QHash<qint64, RetrievedPassage> byId; // only the rank and score fields are filled
    QList<qint64> order;                  // best first
};

Fused fuse(const QList<KeywordHit> &keywordHits, const QList<VectorHit> &vectorHits, RetrievalMode mode,
           double vectorWeight)
{
    Fused f;
    const auto entry = [&](qint64 id) -> RetrievedPassage & {
        auto it = f.byId.find(id);
        if (it == f.byId.end()) {
            f.order.append(id);
            it = f.byId.insert(id, RetrievedPassage{});
            it->chunkId = id;
        }
        return *it;
    };
    for (qsizetype i = 0; i < keywordHits.size(); ++i) {
        RetrievedPassage &p = entry(keywordHits.at(i).chunkId);
        p.keywordRank = static_cast<int>(i + 1);
        p.keywordScore = keywordHits.at(i).score;
    }
    for (qsizetype i = 0; i < vectorHits.size(); ++i) {
        RetrievedPassage &p = entry(vectorHits.at(i).chunkId);
        p.vectorRank = static_cast<int>(i + 1);
        p.vectorScore = vectorHits.at(i).score;
    }
    for (RetrievedPassage &p : f.byId) {
        switch (mode) {
        case RetrievalMode::Keyword: p.score = p.keywordScore; break;
        case RetrievalMode::Vector: p.score = p.vectorScore; break;
        case RetrievalMode::Hybrid:
            p.score = (p.keywordRank ? 1.0 / (kRrfK + p.keywordRank) : 0.0)
                + vectorWeight * (p.vectorRank ? 1.0 / (kRrfK + p.vectorRank) : 0.0);
            break;
        }
    }
    std::sort(f.order.begin(), f.order.end(), [&](qint64 a, qint64 b) {
        const double sa = f.byId.value(a).score;
        const double sb = f.byId.value(b).score;
        return sa != sb ? sa > sb : a < b;
    });
    return f;
}

// Scales the score of each table-of-contents or index passage among the first `window` candidates
// (whose details were read) and re-sorts those; a demoted passage goes no lower than the window's end.
void demoteNavigational(Fused &fused, qsizetype window, const QHash<qint64, RetrievedPassage> &details)
{
    bool changed = false;
    for (auto it = details.cbegin(); it != details.cend(); ++it) {
        if (looksNavigational(it->text)) {
            fused.byId[it.key()].score *= kNavigationalScale;
            changed = true;
        }
    }
    if (!changed)
        return;
    const auto end = fused.order.begin() + std::min(fused.order.size(), window);
    std::stable_sort(fused.order.begin(), end,
                     [&](qint64 a, qint64 b) { return fused.byId.value(a).score > fused.byId.value(b).score; });
}

// The top of each (document, page) the passages are on (what the second stage reads of a page).
QHash<std::pair<qint64, int>, QString> pageTops(QSqlDatabase db, const QList<RetrievedPassage> &onPages)
{
    QHash<std::pair<qint64, int>, QString> out;
    QJsonArray keys;
    for (const RetrievedPassage &p : onPages) {
        const std::pair<qint64, int> key{p.documentId, p.page};
        if (!out.contains(key)) {
            out.insert(key, QString());
            keys.append(QJsonArray{p.documentId, p.page});
        }
    }
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT p.document_id, p.number, substr(p.text, 1, ?) FROM json_each(?) j JOIN pages p "
                             "ON p.document_id = json_extract(j.value, '$[0]') AND p.number = json_extract(j.value, '$[1]')"));
    q.addBindValue(PassageRanker::kPageTopChars);
    q.addBindValue(QString::fromUtf8(QJsonDocument(keys).toJson(QJsonDocument::Compact)));
    if (!q.exec()) {
        qCWarning(lcRetriever) << "cannot read the passages' pages:" << sqlErrorText(q.lastError());
        return out;
    }
    while (q.next())
        out.insert({q.value(0).toLongLong(), q.value(1).toInt()}, q.value(2).toString());
    return out;
}

// The second stage: the first `window` candidates whose details were read are scored by the
// ranker and re-sorted by that score; the rest keep their fused order behind them.
void rerank(QSqlDatabase db, Fused &fused, qsizetype window, const QHash<qint64, RetrievedPassage> &details, const QString &question,
            const KeywordQuery &query, const QHash<qint64, double> &documentScores, QList<RankedCandidate> *ranked)
{
    const PassageRanker &ranker = PassageRanker::shipped();
    const qsizetype n = std::min(fused.order.size(), window);
    QList<qint64> ids;
    QList<RetrievedPassage> read;
    for (qsizetype i = 0; i < n; ++i) {
        const auto d = details.constFind(fused.order.at(i));
        if (d == details.cend())
            continue; // removed meanwhile; it is skipped when the passages are taken
        ids.append(d.key());
        read.append(*d);
    }
    const QHash<std::pair<qint64, int>, QString> pages = pageTops(db, read);
    QList<PassageRanker::Candidate> candidates;
    for (const RetrievedPassage &d : std::as_const(read)) {
        const RetrievedPassage &ranks = fused.byId[d.chunkId];
        candidates.append({d.documentId, d.heading, d.text, pages.value({d.documentId, d.page}), ranks.score,
                           ranks.keywordScore, ranks.vectorScore, static_cast<int>(candidates.size() + 1)});
    }
    const QList<PassageRanker::Features> features = ranker.features(question, query, candidates, documentScores);
    for (qsizetype i = 0; i < ids.size(); ++i) {
        fused.byId[ids.at(i)].rankScore = ranker.score(features.at(i));
        if (ranked) {
            const RetrievedPassage &d = details[ids.at(i)];
            ranked->append({ids.at(i), d.documentName, d.page, features.at(i)});
        }
    }
    std::stable_sort(fused.order.begin(), fused.order.begin() + n, [&](qint64 a, qint64 b) {
        const bool ka = details.contains(a), kb = details.contains(b);
        if (ka != kb)
            return ka;
        return fused.byId.value(a).rankScore > fused.byId.value(b).rankScore;
    });
}

} // namespace

QString retrievalModeName(RetrievalMode mode)
{
    switch (mode) {
    case RetrievalMode::Hybrid: return QStringLiteral("hybrid");
    case RetrievalMode::Keyword: return QStringLiteral("bm25");
    case RetrievalMode::Vector: return QStringLiteral("vector");
    }
    return QStringLiteral("hybrid");
}

std::optional<RetrievalMode> parseRetrievalMode(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == QLatin1String("hybrid"))
        return RetrievalMode::Hybrid;
    if (n == QLatin1String("bm25") || n == QLatin1String("keyword"))
        return RetrievalMode::Keyword;
    if (n == QLatin1String("vector"))
        return RetrievalMode::Vector;
    return std::nullopt;
}

HybridRetriever::HybridRetriever(std::shared_ptr<Library> library, QList<std::shared_ptr<Embedder>> embedders)
    : m_library(std::move(library))
    , m_embedders(std::move(embedders))
{
    m_openPool.setMaxThreadCount(1);
}

HybridRetriever::~HybridRetriever()
{
    m_cancelOpening.cancel();
    m_openPool.waitForDone();
}

std::shared_ptr<Embedder> HybridRetriever::activeEmbedder(QString *activeId) const
{
    const QString id = EmbeddingStore(m_library).activeEmbedder();
    if (activeId)
        *activeId = id;
    for (const auto &e : m_embedders) {
        if (e && e->id() == id)
            return e;
    }
    return nullptr;
}

std::shared_ptr<VectorIndex> HybridRetriever::vectorIndex(const Embedder &embedder) const
{
    QMutexLocker lock(&m_indexMutex);
    if (!m_index || m_index->embedderId() != embedder.id() || m_index->dimensions() != embedder.dimensions())
        m_index = VectorIndex::forEmbedder(m_library, embedder.id(), embedder.dimensions());
    return m_index;
}

bool HybridRetriever::prepare(const CancelToken &cancel, QString *error)
{
    const std::shared_ptr<Embedder> embedder = activeEmbedder(nullptr);
    if (!embedder)
        return true; // nothing embedded yet: keyword search only
    return vectorIndex(*embedder)->open(cancel, error);
}

void HybridRetriever::openInBackground() const
{
    QMutexLocker lock(&m_indexMutex);
    if (m_opening.isValid() && !m_opening.isFinished())
        return;
    // Which index, and whether it is open, is asked on the pool's thread too: nothing here touches
    // SQLite, so the GUI may call this as a library opens. The retriever's destructor cancels and
    // waits for the task.
    m_opening = QtConcurrent::run(&m_openPool, [this] {
        const std::shared_ptr<Embedder> embedder = activeEmbedder(nullptr);
        if (!embedder)
            return;
        const std::shared_ptr<VectorIndex> index = vectorIndex(*embedder);
        if (index->isOpen())
            return;
        QElapsedTimer timer;
        timer.start();
        QString error;
        if (index->open(m_cancelOpening, &error))
            qCInfo(lcRetriever) << "vector index opened in the background in" << timer.elapsed() << "ms";
        else
            qCWarning(lcRetriever) << "the vector index could not be opened in the background:" << error;
    });
}

bool HybridRetriever::isOpeningInBackground() const
{
    QMutexLocker lock(&m_indexMutex);
    return m_opening.isValid() && !m_opening.isFinished();
}

void HybridRetriever::waitForBackgroundOpen() const
{
    QFuture<void> opening;
    {
        QMutexLocker lock(&m_indexMutex);
        opening = m_opening;
    }
    if (opening.isValid())
        opening.waitForFinished();
}

HybridRetriever::VectorSide HybridRetriever::vectorSearch(const QString &question, const KeywordQuery &query, int n,
                                                          const std::optional<QList<qint64>> &candidateChunks,
                                                          bool waitForIndex) const
{
    VectorSide side;
    QString activeId;
    const std::shared_ptr<Embedder> embedder = activeEmbedder(&activeId);
    if (!embedder) {
        side.message = activeId.isEmpty()
            ? QStringLiteral("No passages have been embedded yet; only keyword search was used.")
            : QStringLiteral("The embedder the library was indexed with (%1) is not configured; only keyword "
                             "search was used.").arg(activeId);
        return side;
    }
    side.embedderId = embedder->id();
    const auto index = vectorIndex(*embedder);
    // A small index opens in milliseconds (waiting for one opening in the background too): only a
    // large one is worth a keyword-only answer.
    if (!waitForIndex && !index->isOpen() && QFileInfo(index->indexPath()).size() >= m_backgroundOpenAbove) {
        openInBackground();
        side.message = QStringLiteral("The meaning index of this large library is still opening; this search used "
                                      "keyword search only, the next ones will use both.");
        return side;
    }
    QString error;
    std::vector<float> vector;
    if (!index->open({}, &error)) {
        side.message = QStringLiteral("The vector index could not be opened (%1); only keyword search was used.").arg(error);
        return side;
    }
    if (auto *builtin = dynamic_cast<BuiltinEmbedder *>(embedder.get())) {
        // A lexical embedder mostly re-finds what BM25 found; it refines, BM25 leads.
        side.weight = kLexicalVectorWeight;
        // The built-in embedder weighs each query word by how rare it is in this library, as BM25
        // does: the documents' vectors stay fixed, only the question's changes.
        const KeywordSearch keyword(m_library);
        // The keyword query looked most of them up already; only the rest costs a lookup.
        QHash<QString, int> df = query.frequencyOf;
        QStringList unknown;
        for (const QString &stem : BuiltinEmbedder::contentStems(question)) {
            if (!df.contains(stem) && !unknown.contains(stem))
                unknown.append(stem);
        }
        if (!unknown.isEmpty() && query.chunkCount == 0)
            df.insert(keyword.documentFrequencies(unknown));
        const int chunks = query.chunkCount > 0 ? query.chunkCount : keyword.chunkCount();
        vector = builtin->embedQuery(question, [&](const QString &stem) {
            return static_cast<float>(inverseDocumentFrequency(df.value(stem), chunks));
        });
    } else {
        const EmbedResult embedded = embedder->embed({question}, {});
        if (!embedded.ok() || embedded.vectors.empty()) {
            side.message = QStringLiteral("The question could not be embedded (%1); only keyword search was used.")
                               .arg(embedded.error);
            return side;
        }
        vector = embedded.vectors.front();
    }
    if (vector.empty() || isZero(vector))
        return side;
    side.hits = index->search(vector, n, candidateChunks ? &*candidateChunks : nullptr);
    side.query = std::move(vector);
    side.index = index;
    return side;
}

RetrievalResult HybridRetriever::retrieve(const QString &question, const RetrievalOptions &options) const
{
    RetrievalResult result;
    const int k = std::clamp(options.k, 1, 1000);
    const int n = std::max(options.candidates, 2 * k);
    QSqlDatabase db = m_library->connection();

    std::optional<QList<qint64>> candidateChunks;
    if (options.documentIds) {
        if (options.documentIds->isEmpty()) {
            result.message = QStringLiteral("No documents are selected.");
            return result;
        }
        candidateChunks = chunksOfDocuments(db, *options.documentIds);
        if (candidateChunks->isEmpty()) {
            result.message = QStringLiteral("The selected documents have no searchable text (not ready, or empty).");
            return result;
        }
    }

    const KeywordSearch keyword(m_library);
    const KeywordQuery query = keyword.prepare(question);
    // The two rankings are independent: on a multi-core machine the vector side runs beside BM25.
    VectorSide vector;
    QFuture<VectorSide> vectorFuture;
    const auto searchVectors = [&] { return vectorSearch(question, query, n, candidateChunks, options.waitForVectorIndex); };
    if (options.mode == RetrievalMode::Hybrid && QThread::idealThreadCount() > 1)
        vectorFuture = QtConcurrent::run(searchVectors);
    else if (options.mode == RetrievalMode::Vector)
        vector = searchVectors();
    QList<KeywordHit> keywordHits;
    if (options.mode != RetrievalMode::Vector)
        keywordHits = keyword.search(query, n, options.documentIds ? &*options.documentIds : nullptr);
    if (vectorFuture.isValid())
        vector = vectorFuture.result();
    else if (options.mode == RetrievalMode::Hybrid)
        vector = searchVectors();
    result.message = vector.message;
    result.embedderId = vector.embedderId;
    QList<VectorHit> &vectorHits = vector.hits;
    const std::vector<float> &queryVector = vector.query;
    const std::shared_ptr<VectorIndex> &vectorIndexUsed = vector.index;
    const double vectorWeight = vector.weight;

    Fused fused = fuse(keywordHits, vectorHits, options.mode, vectorWeight);
    if (vectorIndexUsed && !fused.order.isEmpty()) {
        // Pseudo-relevance feedback (Rocchio): the question's vector moves toward the passages both
        // rankings agree on, which lifts candidates that share few words with the question but
        // much with those passages.
        std::vector<float> expanded = queryVector;
        int used = 0;
        for (qsizetype i = 0; i < fused.order.size() && used < kFeedbackPassages; ++i) {
            const std::vector<float> v = vectorIndexUsed->vectorOf(fused.order.at(i));
            if (v.size() != expanded.size())
                continue;
            for (size_t j = 0; j < v.size(); ++j)
                expanded[j] += static_cast<float>(kFeedbackWeight / kFeedbackPassages) * v[j];
            ++used;
        }
        // Only the candidates already found are re-scored (exactly, which is cheap for a few
        // hundred), so feedback costs no second graph search.
        if (used > 0 && normalise(expanded)) {
            vectorHits = vectorIndexUsed->searchExact(expanded, static_cast<int>(fused.order.size()), &fused.order);
            fused = fuse(keywordHits, vectorHits, options.mode, vectorWeight);
        }
    }
    const QSet<qint64> allowedDocuments = options.documentIds
        ? QSet<qint64>(options.documentIds->cbegin(), options.documentIds->cend())
        : QSet<qint64>();
    // The best candidates are read first, and a navigational one among them moves down.
    const qsizetype window = std::max(3 * k, kRerankWindow);
    QHash<qint64, RetrievedPassage> details = passages(db, fused.order.mid(0, window));
    if (options.mode == RetrievalMode::Hybrid && options.secondStage && PassageRanker::shipped().isUsable()) {
        // Which document the question is about matters only when more than one can answer.
        const bool oneDocument = options.documentIds && options.documentIds->size() == 1;
        const QHash<qint64, double> documentScores = oneDocument ? QHash<qint64, double>() : keyword.documentScores(query);
        rerank(db, fused, window, details, question, query, documentScores, options.collectFeatures ? &result.ranked : nullptr);
    } else {
        demoteNavigational(fused, window, details);
    }
    // More passage text is read only when de-duplication or a document removed meanwhile leaves
    // fewer than k.
    for (qsizetype from = 0; from < fused.order.size() && result.passages.size() < k;) {
        const QList<qint64> batch = fused.order.mid(from, std::max<qsizetype>(2 * k, 16));
        from += batch.size();
        QList<qint64> missing;
        for (const qint64 id : batch) {
            if (!details.contains(id))
                missing.append(id);
        }
        if (!missing.isEmpty())
            details.insert(passages(db, missing));
        for (const qint64 id : batch) {
            const auto d = details.constFind(id);
            if (d == details.cend() || (options.documentIds && !allowedDocuments.contains(d->documentId)))
                continue;
            RetrievedPassage p = *d;
            const RetrievedPassage &ranks = fused.byId[id];
            p.score = ranks.score;
            p.keywordRank = ranks.keywordRank;
            p.keywordScore = ranks.keywordScore;
            p.vectorRank = ranks.vectorRank;
            p.vectorScore = ranks.vectorScore;
            p.rankScore = ranks.rankScore;
            // Chunks overlap a little by design; two views of the same lines are one passage.
            const bool duplicate = std::any_of(result.passages.cbegin(), result.passages.cend(),
                                               [&](const RetrievedPassage &kept) { return overlaps(kept, p); });
            if (duplicate)
                continue;
            result.passages.append(p);
            if (result.passages.size() >= k)
                break;
        }
    }
    if (result.passages.isEmpty() && result.message.isEmpty())
        result.message = query.isEmpty() && vectorHits.isEmpty() ? query.message
                                                                 : QStringLiteral("No passage matches the question.");
    else if (result.passages.isEmpty() && query.isEmpty() && !query.message.isEmpty())
        result.message = query.message;
    return result;
}

} // namespace docsight
