#pragma once

// HnswGraph: the hnswlib graph of one embedder's vectors (hnswgraph.cpp is the only file that includes
// hnswlib) and the chunk id -> entry map of its live, not deleted, entries. Knows nothing of SQLite or
// of the files' manifest: VectorIndex keeps it in sync with those.

#include "search/embeddingstore.h"

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

#include <QHash>
#include <QList>
#include <QString>

namespace docsight {

// Not thread-safe: VectorIndex locks around every call.
class HnswGraph final
{
public:
    // An empty graph (inner product) with room for capacity vectors.
    HnswGraph(int dimensions, size_t capacity, int m, int efConstruction);
    // The graph saved at path, which the manifest says holds elements entries; nullptr, with *reason
    // ("corrupt: ..."), when hnswlib refuses the file or its layout does not match.
    static std::unique_ptr<HnswGraph> load(const QString &path, int dimensions, size_t elements, QString *reason);
    ~HnswGraph();
    Q_DISABLE_COPY_MOVE(HnswGraph)

    int liveCount() const { return static_cast<int>(m_live.size()); }
    int deleted() const;      // entries marked deleted, still in the graph
    qint64 elements() const;  // entries, live and deleted
    qint64 m() const;
    qint64 efConstruction() const;
    std::vector<quint64> liveLabels() const;
    bool contains(qint64 chunkId) const { return m_live.contains(chunkId); }
    // Live chunks whose label is not the one wanted holds for them (0 when absent), in map order.
    QList<qint64> staleAgainst(const QHash<qint64, quint64> &wanted) const;

    void ensureCapacity(size_t extra);
    void remove(qint64 chunkId);
    // Adds or replaces the vector of one chunk.
    void add(const ChunkKey &key, const std::vector<float> &vector);
    // Inserts vectors as a fresh build does, on all cores when parallel; the live map is only filled
    // by indexLive(), once every batch is in.
    void addBatch(const std::vector<std::pair<ChunkKey, std::vector<float>>> &batch, bool parallel);
    void indexLive();
    void setEf(size_t ef);
    // Writes the graph to path; false with *error (when not null) on failure.
    bool save(const QString &path, QString *error) const;

    // The approximate k nearest (1 - inner product, label), nearest first. Throws what hnswlib throws.
    std::vector<std::pair<float, quint64>> searchKnn(const float *query, size_t k) const;
    // Inner product of query with every live vector, or with each candidate chunk the graph holds
    // (once each, in the candidates' order), as (similarity, chunk id).
    std::vector<std::pair<float, qint64>> similarities(const float *query, const QList<qint64> *candidates) const;
    // The stored vector of a chunk (empty when the graph does not hold it).
    std::vector<float> vectorOf(qint64 chunkId) const;

private:
    explicit HnswGraph(int dimensions);
    struct Engine;
    std::unique_ptr<Engine> m_engine;
    int m_dimensions = 0;
    QHash<qint64, std::pair<quint64, quint32>> m_live; // chunk id -> (label, internal id)
};

} // namespace docsight
