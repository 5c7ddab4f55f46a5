#pragma once

#include "search/embeddingstore.h"
#include "util/canceltoken.h"

#include <atomic>
#include <memory>
#include <vector>

#include <QHash>
#include <QList>
#include <QMutex>
#include <QReadWriteLock>
#include <QString>

namespace docsight {

class HnswGraph;
class Library;

struct VectorHit {
    qint64 chunkId = 0;
    float score = 0.0f; // inner product of normalised vectors: cosine similarity
};

// Approximate nearest-neighbour search (hnswlib HNSW, inner product) over one embedder's vectors,
// persisted as vectors/<embedder-id>.hnsw beside a JSON manifest. SQLite is the source of truth:
// open() verifies the file against the manifest's SHA-256 before hnswlib reads a byte of it and
// compares the chunk set with SQLite; a missing, corrupt or stale file is rebuilt (or, when only a
// few chunks changed, repaired) from the embeddings table. Small candidate sets are searched
// exactly. Searches may run on any number of threads while one thread maintains the index.
// Processes sharing a library write the file and its manifest one at a time (vectors/<id>.lock),
// each saving what SQLite holds at that moment, so no process's save drops another's vectors.
class VectorIndex final
{
public:
    struct Parameters {
        // Hashed lexical vectors have a high intrinsic dimension: at 100k of them M 16 / ef 160
        // finds only ~91% of the true top 10; M 32 / ef 640 finds ~98% (see bench_search).
        int m = 32;
        int efConstruction = 100;
        int efSearch = 640;
        int exactBelow = 10000;          // whole-library exact search below this many vectors
        int exactCandidatesBelow = 20000; // filtered searches over fewer candidates are exact
        double maxDeletedFraction = 0.2;  // rebuild when more of the graph is deleted entries
    };

    enum class OpenAction { None, Loaded, Repaired, Rebuilt };

    // The index of one embedder in one library; every caller in the process shares it.
    static std::shared_ptr<VectorIndex> forEmbedder(const std::shared_ptr<Library> &library, const QString &embedderId,
                                                    int dimensions);
    ~VectorIndex();
    Q_DISABLE_COPY_MOVE(VectorIndex)

    // Makes the index usable: loads and verifies the saved file, or repairs/rebuilds it from SQLite
    // and saves it. Cheap once open. Returns false only when cancelled or SQLite fails.
    bool open(const CancelToken &cancel, QString *error = nullptr);
    bool isOpen() const;
    OpenAction lastOpenAction() const;
    QString lastOpenReason() const; // why it was repaired or rebuilt, for logs and tests

    // Puts vectors already stored in SQLite into the index (replacing a chunk's older vector).
    void add(const QList<ChunkKey> &keys, const std::vector<std::vector<float>> &vectors);
    // Brings the index in line with SQLite (adds what is missing, drops what was removed, rebuilds
    // when too much of the graph is deleted) and saves it when anything changed.
    bool sync(const CancelToken &cancel, QString *error = nullptr);
    bool save(QString *error = nullptr);
    // Builds a fresh graph from SQLite (on all cores for big libraries) and swaps it in; searches
    // keep using the old graph meanwhile. Faster than adding many vectors one by one.
    bool rebuild(const CancelToken &cancel, QString *error = nullptr);

    // The n most similar chunks. candidates (when not null) restricts the search to those chunk ids.
    QList<VectorHit> search(const std::vector<float> &query, int n, const QList<qint64> *candidates = nullptr) const;
    // Brute force over every live vector or the candidates; what search() is measured against.
    QList<VectorHit> searchExact(const std::vector<float> &query, int n, const QList<qint64> *candidates = nullptr) const;

    // The stored vector of a chunk (empty when the index does not hold it).
    std::vector<float> vectorOf(qint64 chunkId) const;

    QString embedderId() const { return m_embedderId; }
    int dimensions() const { return m_dimensions; }
    int size() const;         // live vectors
    int deletedCount() const; // entries marked deleted, still in the graph
    Parameters parameters() const;
    void setParameters(const Parameters &parameters); // takes effect for search policy at once, graph parameters at the next build
    QString indexPath() const;
    QString manifestPath() const;

private:
    QString lockPath() const; // held while the index file and its manifest are written or read
    VectorIndex(std::shared_ptr<Library> library, QString embedderId, int dimensions);

    // Loads the saved graph if the manifest and the file's hash agree; *reason says why not.
    bool tryLoad(std::unique_ptr<HnswGraph> &graph, QString *reason) const;
    std::unique_ptr<HnswGraph> build(const CancelToken &cancel, int expected, QString *error) const;
    // Makes graph hold exactly truth; returns how many entries changed, -1 when cancelled.
    int repair(HnswGraph &graph, const QList<ChunkKey> &truth, const CancelToken &cancel, QString *error) const;
    bool saveLocked(QString *error);
    void install(std::unique_ptr<HnswGraph> graph);

    std::shared_ptr<Library> m_library;
    EmbeddingStore m_store;
    QString m_embedderId;
    int m_dimensions = 0;

    mutable QMutex m_maintenance;   // one open/sync/add/save at a time
    mutable QReadWriteLock m_lock;  // searches read; swapping or changing the graph writes
    std::unique_ptr<HnswGraph> m_graph;
    Parameters m_parameters;
    bool m_dirty = false;
    OpenAction m_lastAction = OpenAction::None;
    QString m_lastReason;
};

} // namespace docsight
