#include "library/librarycontroller.h"

#include "common/async.h"
#include "library/librarymodel.h"

#include "store/documentstore.h"
#include "store/library.h"

#include <QLoggingCategory>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

namespace docsight {

Q_LOGGING_CATEGORY(lcLibraryUi, "docsight.ui.library")

LibraryController::LibraryController(std::shared_ptr<Library> library, std::shared_ptr<DocumentStore> store, QObject *parent)
    : QObject(parent)
    , m_library(std::move(library))
    , m_store(std::move(store))
{
    m_queue = new IngestQueue(m_library, this);
    m_model = new LibraryModel(m_store, &m_storePool, this);
    m_pool.setMaxThreadCount(1);
    connect(m_queue, &IngestQueue::progress, m_model, &LibraryModel::applyProgress);
    connect(m_queue, &IngestQueue::finished, m_model, &LibraryModel::applyOutcome);
    connect(m_queue, &IngestQueue::finished, this, &LibraryController::onFinished);
    connect(m_queue, &IngestQueue::overallProgress, this,
            [this](int done, int total) { Q_EMIT importing(done < total, done, total); });
    m_model->refresh();
}

LibraryController::~LibraryController()
{
    m_pool.waitForDone();
}

void LibraryController::importPaths(const QStringList &paths)
{
    if (paths.isEmpty())
        return;
    Q_EMIT importing(true, 0, 0);
    // Folder walking and type sniffing read the disk: keep them off the GUI thread.
    (void)QtConcurrent::run(&m_pool, [queue = m_queue, paths, options = m_options] { queue->enqueue(paths, options); });
}

void LibraryController::resumeInterrupted()
{
    // Documents a crash or kill left half-read are finished now.
    (void)QtConcurrent::run(&m_pool, [queue = m_queue, options = m_options] { queue->resumeInterrupted(options); });
}

void LibraryController::retry(qint64 documentId)
{
    const std::optional<DocumentRecord> doc = m_model->recordById(documentId);
    if (doc && doc->errorKind == QLatin1String("password-required")) {
        askPassword(documentId, doc->name, false, true);
        return;
    }
    // requeue() writes to the database: off the GUI thread.
    (void)QtConcurrent::run(&m_pool, [queue = m_queue, documentId, options = m_options] { queue->retry(documentId, options); });
}

void LibraryController::reimport(const QList<qint64> &documentIds, bool forceOcr)
{
    if (documentIds.isEmpty())
        return;
    ImportOptions options = m_options;
    options.forceOcr = forceOcr;
    Q_EMIT importing(true, 0, static_cast<int>(documentIds.size()));
    // The reset is a write transaction: off the GUI thread, in order with the other queue calls.
    runAsync(
        &m_pool, this,
        [queue = m_queue, documentIds, options] {
            for (const qint64 id : documentIds) {
                QString error;
                if (queue->reimport(id, options, &error) == 0)
                    qCWarning(lcLibraryUi) << "document" << id << "not read again:" << error;
            }
        },
        [this] {
            m_model->refresh();
            if (m_queue->isIdle())
                Q_EMIT importing(false, 0, 0); // every request was refused
        });
}

void LibraryController::cancel(const QList<qint64> &documentIds)
{
    for (const qint64 id : documentIds)
        m_queue->cancelDocument(id);
}

void LibraryController::remove(const QList<qint64> &documentIds)
{
    if (documentIds.isEmpty())
        return;
    for (const qint64 id : documentIds)
        m_queue->cancelDocument(id);
    runAsync(
        &m_storePool, this,
        [store = m_store, documentIds] {
            for (const qint64 id : documentIds)
                store->remove(id);
        },
        [this, documentIds] {
            m_model->refresh();
            Q_EMIT removed(documentIds);
        });
}

void LibraryController::classify(const QList<qint64> &documentIds, int level)
{
    runAsync(
        &m_storePool, this,
        [store = m_store, documentIds, level] {
            for (const qint64 id : documentIds)
                store->setClassification(id, static_cast<Classification>(level));
        },
        [this] { m_model->refresh(); });
}

void LibraryController::onFinished(const ImportOutcome &outcome)
{
    if (outcome.result == ImportOutcome::Result::Failed && outcome.errorKind == QLatin1String("password-required")
        && outcome.documentId != 0) {
        askPassword(outcome.documentId, outcome.name, outcome.error.contains(QLatin1String("wrong")), true);
    }
    Q_EMIT documentFinished(outcome);
}

void LibraryController::askPassword(qint64 documentId, const QString &name, bool wrongPassword, bool reimport)
{
    for (const PendingPrompt &p : std::as_const(m_prompts)) {
        if (p.documentId == documentId)
            return;
    }
    m_prompts.append(PendingPrompt{documentId, name, wrongPassword, reimport});
    // One dialog at a time, opened from the event loop rather than from inside a signal handler.
    QTimer::singleShot(0, this, &LibraryController::nextPrompt);
}

void LibraryController::nextPrompt()
{
    if (m_prompting || m_prompts.isEmpty() || !m_prompt)
        return;
    m_prompting = true;
    const PendingPrompt p = m_prompts.takeFirst();
    const std::optional<QString> password = m_prompt(p.name, p.wrong);
    m_prompting = false;
    if (password && !password->isEmpty()) {
        Q_EMIT passwordEntered(p.documentId, *password);
        if (p.reimport) {
            ImportOptions options = m_options;
            options.password = *password;
            (void)QtConcurrent::run(&m_pool, [queue = m_queue, id = p.documentId, options] { queue->retry(id, options); });
        }
    }
    if (!m_prompts.isEmpty())
        QTimer::singleShot(0, this, &LibraryController::nextPrompt);
}

void LibraryController::shutdown()
{
    // Pages read so far are committed; an interrupted document resumes on the next start.
    m_queue->shutdown();
}

} // namespace docsight
