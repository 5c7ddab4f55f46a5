#pragma once

#include "util/canceltoken.h"

#include <memory>

#include <QFuture>
#include <QObject>
#include <QString>

namespace docsight {

class Embedder;
class Library;

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

Q_SIGNALS:
    void progress(int done, int total);
    void finished(bool ok, const QString &error);

private:
    std::shared_ptr<Library> m_library;
    std::shared_ptr<Embedder> m_embedder;
    CancelToken m_cancel;
    int m_batchSize = 128;
};

} // namespace docsight
