#include "search/indexer.h"

#include "search/embedder.h"
#include "search/embeddingstore.h"
#include "search/vectorindex.h"

#include <QElapsedTimer>
#include <QHash>
#include <QLoggingCategory>
#include <QtConcurrent/QtConcurrentRun>

namespace docsight {

Q_LOGGING_CATEGORY(lcIndexer, "docsight.search.indexer")

namespace {

constexpr int kBulkThreshold = 5000;

} // namespace

Indexer::Indexer(std::shared_ptr<Library> library, std::shared_ptr<Embedder> embedder, QObject *parent)
    : QObject(parent)
    , m_library(std::move(library))
    , m_embedder(std::move(embedder))
{
}

Indexer::~Indexer() = default;

QFuture<bool> Indexer::start()
{
    return QtConcurrent::run([this] { return run(nullptr); });
}

bool Indexer::run(QString *error)
{
    const auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        qCWarning(lcIndexer) << "indexing with" << m_embedder->id() << "stopped:" << message;
        Q_EMIT finished(false, message);
        return false;
    };
    QElapsedTimer timer;
    timer.start();
    EmbeddingStore store(m_library);
    const QString id = m_embedder->id();
    const int dimensions = m_embedder->dimensions();
    const QStringList &withheld = m_gate.withheldClassifications;
    const int total = store.pendingCount(id, withheld);
    m_stats = {};
    m_stats.withheld = store.withheldCount(id, withheld);
    Q_EMIT progress(0, total);

    // Opening first means the index holds everything embedded earlier; new vectors are then
    // added to it as they are stored.
    const std::shared_ptr<VectorIndex> index = VectorIndex::forEmbedder(m_library, id, dimensions);
    QString message;
    if (!index->open(m_cancel, &message))
        return fail(message);

    // Many new vectors at once (a first import, a new embedder): one parallel build at the end is
    // far faster than inserting them one by one, and the old graph serves searches meanwhile.
    const bool bulk = total >= kBulkThreshold && total > index->size() / 4;
    int done = 0;
    qint64 afterId = 0;
    while (!m_cancel.isCancelled()) {
        const QList<PendingChunk> batch = store.pending(id, afterId, m_batchSize, withheld);
        if (batch.isEmpty())
            break;
        QStringList inputs;
        QList<qint64> ids;
        inputs.reserve(batch.size());
        ids.reserve(batch.size());
        for (const PendingChunk &c : batch) {
            QString input = c.input;
            if (m_gate.prepare && m_gate.prepare(c.classification, input))
                ++m_stats.prepared;
            inputs.append(std::move(input));
            ids.append(c.id);
        }
        afterId = ids.last();
        EmbedResult result = m_embedder->embed(inputs, m_cancel);
        if (m_cancel.isCancelled())
            break;
        if (!result.ok())
            return fail(result.error);
        if (result.vectors.size() != static_cast<size_t>(inputs.size()))
            return fail(QStringLiteral("the embedder returned %1 vectors for %2 passages").arg(result.vectors.size()).arg(inputs.size()));
        for (const std::vector<float> &v : result.vectors) {
            if (static_cast<int>(v.size()) != dimensions)
                return fail(QStringLiteral("the embedder returned vectors of %1 dimensions; %2 expects %3")
                                .arg(v.size())
                                .arg(id)
                                .arg(dimensions));
        }
        const QList<ChunkKey> stored = store.put(id, ids, result.vectors, &message);
        if (!message.isEmpty())
            return fail(message);
        QHash<qint64, qsizetype> position;
        for (qsizetype i = 0; i < ids.size(); ++i)
            position.insert(ids.at(i), i);
        std::vector<std::vector<float>> storedVectors;
        storedVectors.reserve(static_cast<size_t>(stored.size()));
        for (const ChunkKey &key : stored)
            storedVectors.push_back(std::move(result.vectors[static_cast<size_t>(position.value(key.chunkId))]));
        if (!bulk)
            index->add(stored, storedVectors);
        done += static_cast<int>(batch.size());
        m_stats.embedded += static_cast<int>(stored.size());
        Q_EMIT progress(std::min(done, total), total);
    }
    if (m_cancel.isCancelled()) {
        // What was embedded is in SQLite; the next run picks up from there.
        if (!bulk)
            index->save(nullptr);
        return fail(QStringLiteral("cancelled"));
    }
    // Chunks removed while we ran (or by another process) leave the index here.
    if (bulk ? !index->rebuild(m_cancel, &message) : !index->sync(m_cancel, &message))
        return fail(message);
    if (store.pendingCount(id, withheld) == 0 && store.activeEmbedder() != id) {
        if (!store.setActiveEmbedder(id, &message))
            return fail(message);
        qCInfo(lcIndexer) << "search now uses" << id;
    }
    qCInfo(lcIndexer) << "embedded" << done << "chunks with" << id << "in" << timer.elapsed() << "ms";
    Q_EMIT finished(true, QString());
    return true;
}

} // namespace docsight
