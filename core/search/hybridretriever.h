#pragma once

#include "model/passagelocation.h"
#include "search/passageranker.h"
#include "util/canceltoken.h"

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

#include <QList>
#include <QFuture>
#include <QMutex>
#include <QString>
#include <QThreadPool>

namespace docsight {

class Embedder;
class Library;
class VectorIndex;
struct KeywordQuery;
struct VectorHit;

enum class RetrievalMode { Hybrid, Keyword, Vector };

QString retrievalModeName(RetrievalMode mode);
std::optional<RetrievalMode> parseRetrievalMode(const QString &name); // "hybrid", "bm25", "vector"

struct RetrievalOptions {
    int k = 10;
    RetrievalMode mode = RetrievalMode::Hybrid;
    std::optional<QList<qint64>> documentIds; // when set, only these documents are searched
    int candidates = 100;                     // taken from each ranking before fusion
    bool secondStage = true;                  // hybrid only: re-order the best fused candidates (PassageRanker)
    bool collectFeatures = false;             // fill RetrievalResult::ranked (for training the second stage)
    // false: when the vector index is not open yet and is large (opening verifies and loads it, seconds
    // on a library of 100k+ passages), answer from keyword search at once while it opens in the
    // background; RetrievalResult::message says so. The GUI asks this way; the CLI waits.
    bool waitForVectorIndex = true;
};

// One passage found for a question, with what a citation and a highlight need.
struct RetrievedPassage : PassageLocation {
    qint64 chunkId = 0;
    QString documentName;
    QString heading;
    QString text;
    double score = 0.0;        // fused score (reciprocal rank fusion), or the single component's score
    int keywordRank = 0;       // 1-based rank in the BM25 list; 0 when BM25 did not find it
    double keywordScore = 0.0;
    int vectorRank = 0;        // 1-based rank in the vector list; 0 when not among its candidates
    double vectorScore = 0.0;
    double rankScore = 0.0;    // the second stage's score when it ran (see PassageRanker)
};

// A candidate the second stage weighed, with its features.
struct RankedCandidate {
    qint64 chunkId = 0;
    QString documentName;
    int page = 0;
    PassageRanker::Features features{};
};

struct RetrievalResult {
    QList<RetrievedPassage> passages;
    QList<RankedCandidate> ranked; // only with RetrievalOptions::collectFeatures, in first-stage order
    QString message;    // why nothing (or only one kind of search) could run; empty when all is well
    QString embedderId; // embedder behind the vector ranking; empty when none was available
};

// Finds the passages that answer a question: FTS5 BM25 (with the analyst vocabulary's phrases) and
// vector nearest neighbours, fused by reciprocal rank fusion (k = 60), the best 50 re-ordered by
// the second stage (PassageRanker), overlapping chunks of the same page de-duplicated, optionally
// limited to some documents before ranking, and only over documents that are ready.
// The vector side uses the library's active embedder (see Indexer) when it is among embedders.
// Thread-safe; retrieve() does I/O and must not run on the GUI thread.
class HybridRetriever final
{
public:
    HybridRetriever(std::shared_ptr<Library> library, QList<std::shared_ptr<Embedder>> embedders);
    ~HybridRetriever();
    Q_DISABLE_COPY_MOVE(HybridRetriever)

    // Opens (verifying, repairing or rebuilding) the active embedder's vector index ahead of the
    // first question. retrieve() does it on demand otherwise.
    bool prepare(const CancelToken &cancel, QString *error = nullptr);

    // The same, on the retriever's own thread; returns at once. Searches that do not wait for the
    // index (RetrievalOptions::waitForVectorIndex) start it themselves.
    void openInBackground() const;
    bool isOpeningInBackground() const;
    void waitForBackgroundOpen() const;
    // Index files from this size on are opened in the background by searches that do not wait.
    void setBackgroundOpenAbove(qint64 bytes) { m_backgroundOpenAbove = bytes; }
    static constexpr qint64 kBackgroundOpenAbove = 64LL << 20; // about 20k passages of the built-in embedder

    RetrievalResult retrieve(const QString &question, const RetrievalOptions &options = {}) const;

private:
    // The vector ranking and what produced it.
    struct VectorSide {
        QList<VectorHit> hits;
        std::vector<float> query;
        std::shared_ptr<VectorIndex> index;
        double weight = 1.0; // in the fusion
        QString embedderId;
        QString message;
    };

    std::shared_ptr<Embedder> activeEmbedder(QString *activeId) const;
    VectorSide vectorSearch(const QString &question, const KeywordQuery &query, int n,
                            const std::optional<QList<qint64>> &candidateChunks, bool waitForIndex) const;

    std::shared_ptr<VectorIndex> vectorIndex(const Embedder &embedder) const;

    std::shared_ptr<Library> m_library;
    QList<std::shared_ptr<Embedder>> m_embedders;
    mutable QMutex m_indexMutex;
    mutable std::shared_ptr<VectorIndex> m_index; // kept open between questions
    mutable QThreadPool m_openPool;                // one thread: the background open
    mutable QFuture<void> m_opening;               // guarded by m_indexMutex
    CancelToken m_cancelOpening;                   // a rebuild in the background stops with the retriever
    std::atomic<qint64> m_backgroundOpenAbove = kBackgroundOpenAbove;
};

} // namespace docsight
