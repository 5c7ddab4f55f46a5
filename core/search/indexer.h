#pragma once

#include "search/embedder.h"
#include "util/canceltoken.h"

#include <memory>

#include <QFuture>
#include <QObject>
#include <QString>

namespace docsight {

class Library;

// What one run did, for the CLI's summary and the audit trail.
struct IndexerStats {
    int embedded = 0;    // passages given vectors
    int prepared = 0;    // of those, passages the gate changed (PII redacted) before they were sent
    int withheld = 0;    // passages the gate kept from the embedder; search finds them by keyword only
};

// Gives every chunk a vector from one embedder and keeps that embedder's vector index in step with
// SQLite. When no chunk is left without a vector it makes the embedder the one search uses, so
// switching embedders re-embeds in the background while search keeps the old one until the new
// one is complete. Signals are emitted from the thread that runs it.
class Indexer final : public QObject
{
    Q_OBJECT

public:
    Indexer(std::shared_ptr<Library> library, std::shared_ptr<Embedder> embedder, QObject *parent = nullptr);
    ~Indexer() override;
    Q_DISABLE_COPY_MOVE(Indexer)

    // Blocking; call from a worker thread (or the CLI). Returns false with a message on failure or
    // cancel; what was embedded before that is kept.
    bool run(QString *error = nullptr);
    // run() on the global thread pool.
    QFuture<bool> start();
    void cancel() { m_cancel.cancel(); }

    void setBatchSize(int chunks) { m_batchSize = std::max(1, chunks); }
    // What the embedder may see (set before run()). An embedder that sends text off this computer must be
    // given the gate governance decides for it; withheld passages do not keep it from becoming active.
    void setGate(EmbeddingGate gate) { m_gate = std::move(gate); }
    IndexerStats stats() const { return m_stats; }

Q_SIGNALS:
    void progress(int done, int total);
    void finished(bool ok, const QString &error);

private:
    std::shared_ptr<Library> m_library;
    std::shared_ptr<Embedder> m_embedder;
    CancelToken m_cancel;
    EmbeddingGate m_gate;
    IndexerStats m_stats;
    int m_batchSize = 128;
};

} // namespace docsight
