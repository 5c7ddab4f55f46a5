#pragma once

#include "model/classification.h"
#include "ingest/chunker.h"
#include "util/canceltoken.h"

#include <atomic>
#include <memory>

#include <QHash>
#include <QMutex>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QThreadPool>

namespace docsight {

class DocumentStore;
class Loader;
struct LoadError;
class Library;

struct ImportOptions {
    QString password;
    Classification classification = Classification::Internal;
    QStringList ocrLanguages{QStringLiteral("eng")};
    ChunkerOptions chunking;
    // OCR every page even where a PDF has a text layer (one whose text is garbage). A document read
    // this way keeps the mode until it is Ready again, so a resume or retry does not lose it.
    bool forceOcr = false;
};

enum class ImportStage { Queued, Hashing, Opening, Reading, Chunking, Finished };

struct ImportProgress {
    quint64 jobId = 0;
    qint64 documentId = 0;  // 0 until the file is registered in the library
    QString name;
    ImportStage stage = ImportStage::Queued;
    int pagesDone = 0;
    int pagesTotal = 0;
};

struct ImportOutcome {
    enum class Result { Imported, Duplicate, Failed, Cancelled };
    quint64 jobId = 0;
    qint64 documentId = 0;  // the document, or the one this file duplicates; 0 if never registered
    QString name;
    QString path;
    Result result = Result::Failed;
    QString error;          // analyst-facing reason when Failed
    QString errorKind;
    int pages = 0;
    int ocrPages = 0;
    int chunks = 0;
};

QString importStageName(ImportStage stage);
QString importResultName(ImportOutcome::Result result);

// Reads documents into a library in the background. Documents run two at a time; their pages are
// spread over a second pool with one thread per core (each with its own OCR engine), so one big
// scan uses every core. Pages are committed one by one and a document becomes searchable only when
// all its pages are in and its chunks are written in one transaction, so a crash or kill at any
// point leaves the library consistent; resumeInterrupted() finishes what was cut off.
// Signals are emitted from worker threads; connect with a context object to receive them queued.
class IngestQueue final : public QObject
{
    Q_OBJECT

public:
    explicit IngestQueue(std::shared_ptr<Library> library, QObject *parent = nullptr);
    ~IngestQueue() override;
    Q_DISABLE_COPY_MOVE(IngestQueue)

    // Queues files; folders are walked recursively (files of unknown type inside folders are skipped).
    // Returns the job ids, one per file.
    QList<quint64> enqueue(const QStringList &paths, const ImportOptions &options);
    // Queues every document left unfinished by an earlier run (not those another process is reading
    // now). Returns how many. idle() may be emitted between two calls that queue work: a caller
    // waiting for everything it queued checks isIdle() when idle() arrives.
    int resumeInterrupted(const ImportOptions &options = {});
    // Reads a failed document again (e.g. with a password now).
    quint64 retry(qint64 documentId, const ImportOptions &options);
    // Reads a Ready or Failed document again from the library's copy (new OCR languages, or OCR of
    // every page with options.forceOcr). Its pages, passages and vectors go at once, in one audited
    // transaction, so search leaves it out until the new reading is complete; id, name and
    // classification stay. Returns the job id, or 0 (with a reason) when the document is missing or
    // already being read.
    quint64 reimport(qint64 documentId, const ImportOptions &options, QString *error = nullptr);

    void cancel(quint64 jobId);
    void cancelDocument(qint64 documentId);
    void cancelAll();
    // Stops every job without marking documents failed: what was read stays committed and
    // resumeInterrupted() finishes it next time. Called on application exit.
    void shutdown();

    bool isIdle() const;
    // Blocks until idle; for the CLI and tests only (never call on the GUI thread).
    bool waitForIdle(int timeoutMs = -1);

Q_SIGNALS:
    void progress(const docsight::ImportProgress &progress);
    void finished(const docsight::ImportOutcome &outcome);
    void overallProgress(int documentsDone, int documentsTotal);
    void idle();

private:
    struct Job;
    quint64 submit(std::shared_ptr<Job> job);
    void run(const std::shared_ptr<Job> &job);
    LoadError runPages(const std::shared_ptr<Job> &job, Loader &loader, qint64 documentId);
    void report(const std::shared_ptr<Job> &job, ImportStage stage, int done, int total);
    // announce=false ends a job without a finished() signal: a resume that found its document being
    // read, or finished, by another process.
    void done(const std::shared_ptr<Job> &job, const ImportOutcome &outcome, bool announce = true);

    std::shared_ptr<Library> m_library;
    std::unique_ptr<DocumentStore> m_store;
    QThreadPool m_documentPool;
    QThreadPool m_pagePool;
    mutable QMutex m_mutex;
    QMutex m_emitMutex;
    QHash<quint64, std::shared_ptr<Job>> m_jobs;
    quint64 m_nextJobId = 1;
    int m_done = 0;
    int m_total = 0;
    std::atomic_bool m_shuttingDown{false};
};

} // namespace docsight

Q_DECLARE_METATYPE(docsight::ImportProgress)
Q_DECLARE_METATYPE(docsight::ImportOutcome)
