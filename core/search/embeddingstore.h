#pragma once

#include "util/canceltoken.h"

#include <functional>
#include <memory>
#include <vector>

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

namespace docsight {

class Library;

// A chunk waiting for a vector: its id and the text the embedder should see (document title and
// heading as context, then the passage).
struct PendingChunk {
    qint64 id = 0;
    QString input;
    QString classification;   // the document's ("Internal", ...), for EmbeddingGate::prepare
};

// A chunk's identity for the vector index: its id plus a fingerprint of what it is (document hash,
// document name, position). SQLite reuses the ids of deleted rows, so an id alone cannot tell an
// index built before a removal and re-import that the vector under that id is now another text's.
struct ChunkKey {
    qint64 chunkId = 0;
    quint32 fingerprint = 0;

    quint64 label() const { return (static_cast<quint64>(fingerprint) << 32) | static_cast<quint64>(chunkId); }
    static qint64 chunkIdOf(quint64 label) { return static_cast<qint64>(label & 0xffffffffu); }
    friend bool operator==(const ChunkKey &a, const ChunkKey &b) = default;
};

// Vectors per embedder in SQLite (the source of truth; the hnswlib file is only a cache of them)
// and which embedder search uses. Thread-safe like Library: each thread uses its own connection.
class EmbeddingStore final
{
public:
    explicit EmbeddingStore(std::shared_ptr<Library> library);

    std::shared_ptr<Library> library() const { return m_library; }

    // The embedder whose vectors are complete and used for search; empty when none is yet.
    QString activeEmbedder() const;
    bool setActiveEmbedder(const QString &embedderId, QString *error = nullptr);

    int chunkCount() const;
    // Chunks of ready documents without a vector for embedderId, leaving out documents classified as one of
    // `withheld` (passages an embedder off this computer must not see, see EmbeddingGate).
    int pendingCount(const QString &embedderId, const QStringList &withheld = {}) const;
    // Ready documents with chunks still waiting for a vector from embedderId: document id -> chunks waiting.
    QHash<qint64, int> pendingByDocument(const QString &embedderId) const;
    // The chunks pendingCount leaves out for `withheld`: what search finds by keyword only with this embedder.
    int withheldCount(const QString &embedderId, const QStringList &withheld) const;
    // Chunks without a vector for embedderId with an id above afterId, in id order (withheld as above).
    QList<PendingChunk> pending(const QString &embedderId, qint64 afterId, int limit,
                                const QStringList &withheld = {}) const;

    // Stores vectors (skipping chunks deleted meanwhile) in one transaction; returns the keys of
    // the chunks actually stored.
    QList<ChunkKey> put(const QString &embedderId, const QList<qint64> &chunkIds,
                        const std::vector<std::vector<float>> &vectors, QString *error = nullptr);

    // Keys of every chunk that has a vector for embedderId, sorted by chunk id.
    QList<ChunkKey> keys(const QString &embedderId) const;
    // Calls fn for every stored vector of embedderId (in chunk id order) until fn returns false.
    bool forEachVector(const QString &embedderId, int dimensions,
                       const std::function<bool(const ChunkKey &, const std::vector<float> &)> &fn,
                       const CancelToken &cancel = {}) const;
    // The vectors of the given chunks (those that have one).
    QList<std::pair<ChunkKey, std::vector<float>>> vectors(const QString &embedderId, const QList<qint64> &chunkIds,
                                                           int dimensions) const;

    static QString embeddingInput(const QString &documentName, const QString &heading, const QString &text);
    static QByteArray encode(const std::vector<float> &vector);
    static std::vector<float> decode(const QByteArray &blob, int dimensions);
    static quint32 fingerprint(const QString &documentSha256, const QString &documentName, int ordinal);

private:
    // Chunks of ready documents without a vector for embedderId that also match `filter` (an SQL condition on
    // d.classification with one placeholder per entry of `levels`).
    int countWithoutVectors(const QString &embedderId, const QString &filter, const QStringList &levels) const;

    std::shared_ptr<Library> m_library;
};

} // namespace docsight
