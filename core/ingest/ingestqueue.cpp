#include "ingest/ingestqueue.h"

#include "ingest/loader.h"
#include "ingest/originals.h"
#include "store/documentstore.h"
#include "store/library.h"
#include "util/diskspace.h"

#include <atomic>

#include <QDeadlineTimer>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QLoggingCategory>
#include <QMutexLocker>
#include <QtConcurrent/QtConcurrentMap>

namespace docsight {

Q_LOGGING_CATEGORY(lcIngest, "docsight.ingest.queue")

struct IngestQueue::Job {
    quint64 id = 0;
    QString path;            // original file (empty when resuming from the stored copy)
    qint64 documentId = 0;   // known up front when resuming or retrying
    ImportOptions options;
    CancelToken cancel;
    QString name;
    bool resume = false;     // resuming an interrupted document: skipped while another process reads it
};

namespace {

bool looksLikeEmptyDocument(const QFileInfo &info)
{
    static const QStringList suffixes{QStringLiteral("pdf"), QStringLiteral("docx"), QStringLiteral("png"),
                                      QStringLiteral("jpg"), QStringLiteral("jpeg"), QStringLiteral("tif"),
                                      QStringLiteral("tiff"), QStringLiteral("txt"), QStringLiteral("text"),
                                      QStringLiteral("md"), QStringLiteral("markdown")};
    return info.size() == 0 && suffixes.contains(info.suffix().toLower());
}

ImportOutcome::Result resultFor(const LoadError &e)
{
    return e.kind == LoadError::Kind::Cancelled ? ImportOutcome::Result::Cancelled : ImportOutcome::Result::Failed;
}

} // namespace

QString importStageName(ImportStage stage)
{
    switch (stage) {
    case ImportStage::Queued: return QStringLiteral("queued");
    case ImportStage::Hashing: return QStringLiteral("hashing");
    case ImportStage::Opening: return QStringLiteral("opening");
    case ImportStage::Reading: return QStringLiteral("reading");
    case ImportStage::Chunking: return QStringLiteral("chunking");
    case ImportStage::Finished: return QStringLiteral("finished");
    }
    return {};
}

QString importResultName(ImportOutcome::Result result)
{
    switch (result) {
    case ImportOutcome::Result::Imported: return QStringLiteral("imported");
    case ImportOutcome::Result::Duplicate: return QStringLiteral("duplicate");
    case ImportOutcome::Result::Failed: return QStringLiteral("failed");
    case ImportOutcome::Result::Cancelled: return QStringLiteral("cancelled");
    }
    return {};
}

IngestQueue::IngestQueue(std::shared_ptr<Library> library, QObject *parent)
    : QObject(parent)
    , m_library(std::move(library))
    , m_store(std::make_unique<DocumentStore>(m_library))
{
    qRegisterMetaType<ImportProgress>();
    qRegisterMetaType<ImportOutcome>();
    // Two documents at a time keeps a small text PDF from waiting behind a long scan; pages of
    // all running documents share one thread per core. Page threads never expire, so each keeps its
    // OCR engine (costly to create) for the queue's lifetime.
    m_documentPool.setMaxThreadCount(2);
    m_pagePool.setMaxThreadCount(std::max(1, QThread::idealThreadCount()));
    m_pagePool.setExpiryTimeout(-1);
}

IngestQueue::~IngestQueue()
{
    shutdown();
    m_documentPool.waitForDone();
    m_pagePool.waitForDone();
}

QList<quint64> IngestQueue::enqueue(const QStringList &paths, const ImportOptions &options)
{
    QList<quint64> ids;
    for (const QString &path : paths) {
        const QFileInfo info(path);
        if (info.isDir()) {
            QStringList files;
            QDirIterator it(path, QDir::Files | QDir::Readable, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                const QString file = it.next();
                // An empty file has no content to recognise; one named like a document Docsight reads is
                // reported ("the file is empty") rather than skipped without a word.
                if (detectDocumentType(file) != DocumentType::Unknown || looksLikeEmptyDocument(it.fileInfo()))
                    files.append(file);
            }
            files.sort();
            for (const QString &file : std::as_const(files)) {
                auto job = std::make_shared<Job>();
                job->path = file;
                job->options = options;
                ids.append(submit(job));
            }
            continue;
        }
        auto job = std::make_shared<Job>();
        job->path = path;
        job->options = options;
        ids.append(submit(job));
    }
    return ids;
}

int IngestQueue::resumeInterrupted(const ImportOptions &options)
{
    const QList<DocumentRecord> unfinished = m_store->unfinished();
    int submitted = 0;
    for (const DocumentRecord &doc : unfinished) {
        {
            // Not when this queue is already reading it.
            QMutexLocker lock(&m_mutex);
            bool running = false;
            for (const auto &job : std::as_const(m_jobs))
                running = running || job->documentId == doc.id;
            if (running)
                continue;
        }
        // Nor when another process is reading it (a second import into the same library): it is
        // not interrupted. The job checks again under the lock, since that process may start later.
        if (originals::contentLocked(m_library->locksPath(), doc.sha256))
            continue;
        auto job = std::make_shared<Job>();
        job->documentId = doc.id;
        job->options = options;
        job->options.classification = doc.classification;
        job->resume = true;
        qCInfo(lcIngest) << "resuming interrupted document" << doc.id;
        submit(job);
        ++submitted;
    }
    return submitted;
}

quint64 IngestQueue::retry(qint64 documentId, const ImportOptions &options)
{
    m_store->requeue(documentId);
    auto job = std::make_shared<Job>();
    job->documentId = documentId;
    job->options = options;
    return submit(job);
}

quint64 IngestQueue::reimport(qint64 documentId, const ImportOptions &options, QString *error)
{
    {
        QMutexLocker lock(&m_mutex);
        for (const auto &job : std::as_const(m_jobs)) {
            if (job->documentId == documentId) {
                if (error)
                    *error = QStringLiteral("the document is being read; cancel it first");
                return 0;
            }
        }
    }
    // A document a killed process left Queued or Importing is read by nobody, and may be read again
    // like a Ready one: holding its content lock through the reset proves that no process is reading
    // it, and keeps one from starting meanwhile. Otherwise the store refuses a document that is not
    // Ready or Failed, so two requests cannot both reset it.
    std::unique_ptr<QLockFile> interrupted;
    if (const auto doc = m_store->byId(documentId);
        doc && (doc->status == DocumentStatus::Queued || doc->status == DocumentStatus::Importing)) {
        QString lockError;
        interrupted = originals::lockContent(m_library->locksPath(), doc->sha256, CancelToken(), false, &lockError);
        if (!interrupted) {
            if (error)
                *error = QStringLiteral("the document is being read; cancel it first");
            return 0;
        }
    }
    if (!m_store->resetForReimport(documentId, options.forceOcr, options.ocrLanguages, interrupted != nullptr, error))
        return 0;
    interrupted.reset();
    qCInfo(lcIngest) << "re-reading document" << documentId << (options.forceOcr ? "with OCR on every page" : "");
    auto job = std::make_shared<Job>();
    job->documentId = documentId;
    job->options = options;
    return submit(job);
}

quint64 IngestQueue::submit(std::shared_ptr<Job> job)
{
    {
        QMutexLocker lock(&m_mutex);
        job->id = m_nextJobId++;
        m_jobs.insert(job->id, job);
        ++m_total;
    }
    job->name = job->path.isEmpty() ? QString() : QFileInfo(job->path).fileName();
    report(job, ImportStage::Queued, 0, 0);
    m_documentPool.start([this, job] { run(job); });
    return job->id;
}

void IngestQueue::cancel(quint64 jobId)
{
    QMutexLocker lock(&m_mutex);
    if (auto it = m_jobs.constFind(jobId); it != m_jobs.cend())
        it.value()->cancel.cancel();
}

void IngestQueue::cancelDocument(qint64 documentId)
{
    QMutexLocker lock(&m_mutex);
    for (const auto &job : std::as_const(m_jobs)) {
        if (job->documentId == documentId)
            job->cancel.cancel();
    }
}

void IngestQueue::cancelAll()
{
    QMutexLocker lock(&m_mutex);
    for (const auto &job : std::as_const(m_jobs))
        job->cancel.cancel();
}

void IngestQueue::shutdown()
{
    m_shuttingDown = true;
    cancelAll();
}

bool IngestQueue::isIdle() const
{
    QMutexLocker lock(&m_mutex);
    return m_jobs.isEmpty();
}

bool IngestQueue::waitForIdle(int timeoutMs)
{
    return m_documentPool.waitForDone(timeoutMs) && isIdle();
}

void IngestQueue::report(const std::shared_ptr<Job> &job, ImportStage stage, int done, int total)
{
    ImportProgress p;
    p.jobId = job->id;
    {
        QMutexLocker lock(&m_mutex);
        p.documentId = job->documentId;
        p.name = job->name;
    }
    p.stage = stage;
    p.pagesDone = done;
    p.pagesTotal = total;
    Q_EMIT progress(p);
}

void IngestQueue::done(const std::shared_ptr<Job> &job, const ImportOutcome &outcome, bool announce)
{
    // Removing the job and emitting its signals is one step, so idle() is never emitted before
    // another job's finished() (the CLI stops listening at idle()).
    QMutexLocker emitting(&m_emitMutex);
    int doneCount = 0;
    int total = 0;
    bool nowIdle = false;
    {
        QMutexLocker lock(&m_mutex);
        m_jobs.remove(job->id);
        doneCount = ++m_done;
        total = m_total;
        nowIdle = m_jobs.isEmpty();
        if (nowIdle) {
            m_done = 0;
            m_total = 0;
        }
    }
    qCInfo(lcIngest) << "job" << job->id << "document" << outcome.documentId << importResultName(outcome.result)
                     << outcome.errorKind << (announce ? "" : "(not announced)");
    if (announce)
        Q_EMIT finished(outcome);
    Q_EMIT overallProgress(doneCount, total);
    if (nowIdle)
        Q_EMIT idle();
}

void IngestQueue::run(const std::shared_ptr<Job> &job)
{
    ImportOutcome outcome;
    outcome.jobId = job->id;
    outcome.path = job->path;
    outcome.name = job->name;
    auto failWith = [&](LoadError e) {
        // A full disk is told as such, and leaves the document as it is: what was read stays, and
        // the next import resumes it once there is room (marking it failed would need room too).
        if (e.kind == LoadError::Kind::Io) {
            if (const QString full = diskFullReason(e.message, m_library->rootPath()); !full.isEmpty()) {
                e.kind = LoadError::Kind::DiskFull;
                e.message = outcome.documentId != 0
                    ? full + QStringLiteral("; free some space and import again: the document resumes where it stopped")
                    : full + QStringLiteral("; free some space and import the file again");
            }
        }
        outcome.result = resultFor(e);
        outcome.error = e.message;
        outcome.errorKind = loadErrorKindName(e.kind);
        // On shutdown the document stays unfinished (not failed) so the next start resumes it.
        const bool resumable = (e.kind == LoadError::Kind::Cancelled && m_shuttingDown) || e.kind == LoadError::Kind::DiskFull;
        if (outcome.documentId != 0 && !resumable)
            m_store->fail(outcome.documentId, e);
        done(job, outcome);
    };
    const LoadError cancelled = LoadError::make(LoadError::Kind::Cancelled, QStringLiteral("import cancelled"));
    if (job->cancel.isCancelled()) {
        outcome.documentId = job->documentId;
        return failWith(cancelled);
    }

    std::unique_ptr<QLockFile> contentLock;
    std::optional<DocumentRecord> doc;
    if (job->documentId == 0) {
        // A new file: hash it, recognise a duplicate, copy it into the library, register it.
        report(job, ImportStage::Hashing, 0, 0);
        const QFileInfo info(job->path);
        QString error;
        if (!info.isReadable())
            return failWith(LoadError::make(LoadError::Kind::Io, QStringLiteral("cannot read the file")));
        if (info.isFile() && info.size() == 0)
            return failWith(LoadError::make(LoadError::Kind::Empty, QStringLiteral("the file is empty (0 bytes)")));
        const DocumentType type = detectDocumentType(job->path);
        if (type == DocumentType::Unknown)
            return failWith(LoadError::make(LoadError::Kind::Unsupported,
                                            QStringLiteral("unsupported file type: Docsight reads PDF, Word (.docx), "
                                                           "PNG, JPEG, TIFF, text and Markdown files")));
        const QString sha = originals::hashFile(job->path, job->cancel, &error);
        if (job->cancel.isCancelled())
            return failWith(cancelled);
        if (sha.isEmpty())
            return failWith(LoadError::make(LoadError::Kind::Io, error));
        // Waits while another job or process reads the same bytes; then it is a duplicate of theirs.
        contentLock = originals::lockContent(m_library->locksPath(), sha, job->cancel, true, &error);
        if (job->cancel.isCancelled())
            return failWith(cancelled);
        if (!contentLock)
            return failWith(LoadError::make(LoadError::Kind::Io, error));
        doc = m_store->bySha256(sha);
        if (doc && doc->status == DocumentStatus::Ready) {
            outcome.result = ImportOutcome::Result::Duplicate;
            outcome.documentId = doc->id;
            outcome.pages = doc->pageCount;
            outcome.ocrPages = doc->ocrPages;
            outcome.chunks = doc->chunkCount;
            outcome.error = QStringLiteral("same content as document %1 (%2)").arg(doc->id).arg(doc->name);
            return done(job, outcome);
        }
        if (!doc) {
            QString suffix = info.suffix().toLower();
            if (suffix.isEmpty() || suffix.size() > 8)
                suffix = documentTypeName(type);
            DocumentRecord record;
            record.name = info.fileName();
            record.originalPath = info.absoluteFilePath();
            record.sha256 = sha;
            record.size = info.size();
            record.type = documentTypeName(type);
            record.storedFile = QStringLiteral("files/") + sha + QLatin1Char('.') + suffix;
            record.classification = job->options.classification;
            if (!originals::storeCopy(job->path, QDir(m_library->rootPath()).absoluteFilePath(record.storedFile), job->cancel, &error))
                return failWith(job->cancel.isCancelled() ? cancelled : LoadError::make(LoadError::Kind::Io, error));
            const qint64 id = m_store->add(record, &error);
            if (id == 0)
                QFile::remove(QDir(m_library->rootPath()).absoluteFilePath(record.storedFile)); // no orphan copies
            if (id == 0)
                return failWith(LoadError::make(LoadError::Kind::Io, QStringLiteral("cannot record the document: ") + error));
            doc = m_store->byId(id);
            if (!doc)
                return failWith(LoadError::make(LoadError::Kind::Io, QStringLiteral("the document vanished from the library")));
        } else {
            // Same bytes as a document that failed or was interrupted: read that one again.
            m_store->requeue(doc->id);
        }
        QMutexLocker lock(&m_mutex);
        job->documentId = doc->id;
    } else {
        doc = m_store->byId(job->documentId);
        if (!doc)
            return failWith(LoadError::make(LoadError::Kind::Io, QStringLiteral("the document is no longer in the library")));
        QString error;
        // A resume leaves a document to the process already reading it; a retry or re-read waits.
        contentLock = originals::lockContent(m_library->locksPath(), doc->sha256, job->cancel, !job->resume, &error);
        if (!contentLock && job->resume) {
            qCInfo(lcIngest) << "document" << doc->id << "is being read by another process; not resuming it";
            return done(job, outcome, false);
        }
        if (job->cancel.isCancelled())
            return failWith(cancelled);
        if (!contentLock)
            return failWith(LoadError::make(LoadError::Kind::Io, error));
        doc = m_store->byId(job->documentId); // as it is now that no one else reads it
        if (!doc)
            return failWith(LoadError::make(LoadError::Kind::Io, QStringLiteral("the document is no longer in the library")));
        if (job->resume && doc->status != DocumentStatus::Queued && doc->status != DocumentStatus::Importing)
            return done(job, outcome, false); // another process finished it meanwhile
        QMutexLocker lock(&m_mutex);
        job->name = doc->name;
        outcome.name = doc->name;
        outcome.path = doc->originalPath;
    }
    outcome.documentId = doc->id;
    outcome.name = doc->name;

    // Always read the library's own copy: it is what the audit trail and reports vouch for, and it
    // is still there when an interrupted import resumes after the original moved.
    report(job, ImportStage::Opening, 0, 0);
    const QString stored = m_store->absoluteStoredPath(*doc);
    std::unique_ptr<Loader> loader = createLoader(detectDocumentType(stored));
    if (!loader)
        return failWith(LoadError::make(LoadError::Kind::Io, QStringLiteral("the library's copy of the file is missing or unreadable")));
    LoadOptions loadOptions;
    loadOptions.password = job->options.password;
    loadOptions.ocrLanguages = job->options.ocrLanguages;
    loadOptions.forceOcr = job->options.forceOcr || m_store->forcesOcr(doc->id);
    if (const LoadError e = loader->open(stored, loadOptions); e.isError())
        return failWith(e);
    if (job->cancel.isCancelled())
        return failWith(cancelled);
    const int pageCount = loader->pageCount();
    if (pageCount <= 0)
        return failWith(LoadError::make(LoadError::Kind::Empty, QStringLiteral("the document has no pages")));
    m_store->markImporting(doc->id, pageCount);

    if (const LoadError e = runPages(job, *loader, doc->id); e.isError())
        return failWith(e);
    if (job->cancel.isCancelled())
        return failWith(cancelled);

    report(job, ImportStage::Chunking, pageCount, pageCount);
    const QList<PageContent> pages = m_store->pages(doc->id);
    if (pages.size() != pageCount)
        return failWith(LoadError::make(LoadError::Kind::Io, QStringLiteral("pages were lost while importing")));
    const QList<Chunk> chunks = Chunker(job->options.chunking).chunk(pages);
    // A blank or picture-only document is kept (it was read, and the report can vouch for it) but
    // says plainly that there is nothing in it to search.
    const QString notice = chunks.isEmpty()
        ? QStringLiteral("no text found on %1: blank, or pictures without readable text")
              .arg(pageCount == 1 ? QStringLiteral("its page") : QStringLiteral("any of its %1 pages").arg(pageCount))
        : QString();
    QString error;
    if (!m_store->complete(doc->id, chunks, notice, &error))
        return failWith(LoadError::make(LoadError::Kind::Io, QStringLiteral("cannot save the document: ") + error));

    const auto finalDoc = m_store->byId(doc->id);
    outcome.result = ImportOutcome::Result::Imported;
    outcome.pages = pageCount;
    outcome.ocrPages = finalDoc ? finalDoc->ocrPages : 0;
    outcome.chunks = static_cast<int>(chunks.size());
    outcome.error = notice;
    report(job, ImportStage::Finished, pageCount, pageCount);
    done(job, outcome);
}

LoadError IngestQueue::runPages(const std::shared_ptr<Job> &job, Loader &loader, qint64 documentId)
{
    const int pageCount = loader.pageCount();
    const QSet<int> stored = m_store->storedPageNumbers(documentId);
    QList<int> todo;
    for (int i = 0; i < pageCount; ++i) {
        if (!stored.contains(i + 1))
            todo.append(i);
    }
    std::atomic_int pagesDone(pageCount - static_cast<int>(todo.size()));
    report(job, ImportStage::Reading, pagesDone, pageCount);

    // The first page error stops the document: its remaining pages are skipped.
    QMutex errorMutex;
    LoadError firstError;
    CancelToken stop;
    QtConcurrent::blockingMap(&m_pagePool, todo, [&](int index) {
        if (job->cancel.isCancelled() || stop.isCancelled())
            return;
        PageResult r = loader.loadPage(index, job->cancel);
        if (r.error.isError()) {
            if (r.error.kind != LoadError::Kind::Cancelled) {
                QMutexLocker lock(&errorMutex);
                if (!firstError.isError()) {
                    firstError = r.error;
                    // Loaders that already name the page ("page 3 cannot be decoded") are not prefixed twice.
                    const QString prefix = QStringLiteral("page %1").arg(index + 1);
                    if (!r.error.message.startsWith(prefix + QLatin1Char(' ')))
                        firstError.message = prefix + QStringLiteral(": ") + r.error.message;
                }
            }
            stop.cancel();
            return;
        }
        r.page.number = index + 1;
        QString error;
        if (!m_store->putPage(documentId, r.page, &error)) {
            QMutexLocker lock(&errorMutex);
            if (!firstError.isError())
                firstError = LoadError::make(LoadError::Kind::Io, QStringLiteral("cannot save page %1: %2").arg(index + 1).arg(error));
            stop.cancel();
            return;
        }
        report(job, ImportStage::Reading, ++pagesDone, pageCount);
    });
    return firstError;
}

} // namespace docsight
