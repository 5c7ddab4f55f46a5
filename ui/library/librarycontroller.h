#pragma once

#include "ingest/ingestqueue.h"

#include <functional>
#include <memory>
#include <optional>

#include <QList>
#include <QObject>
#include <QThreadPool>

namespace docsight {

class DocumentStore;
class Library;
class LibraryModel;

// What the library pane's commands do: import (folder walking off the GUI thread), retry, re-run OCR,
// cancel, remove, classify, and the password prompt for encrypted PDFs. Owns the import queue and the
// documents model; the window only shows.
class LibraryController final : public QObject
{
    Q_OBJECT

public:
    // Asks the analyst for a document's password; nullopt when they decline. Injectable for tests.
    using PasswordPrompt = std::function<std::optional<QString>(const QString &documentName, bool wrongPassword)>;

    LibraryController(std::shared_ptr<Library> library, std::shared_ptr<DocumentStore> store, QObject *parent = nullptr);
    ~LibraryController() override;
    Q_DISABLE_COPY_MOVE(LibraryController)

    IngestQueue *queue() const { return m_queue; }
    LibraryModel *model() const { return m_model; }
    void setImportOptions(const ImportOptions &options) { m_options = options; }
    void setPasswordPrompt(PasswordPrompt prompt) { m_prompt = std::move(prompt); }

    void importPaths(const QStringList &paths);
    void resumeInterrupted();
    void retry(qint64 documentId);
    // Reads Ready or Failed documents again from their stored copies with the current OCR languages;
    // forceOcr also OCRs PDF pages that have a text layer.
    void reimport(const QList<qint64> &documentIds, bool forceOcr);
    void cancel(const QList<qint64> &documentIds);
    void remove(const QList<qint64> &documentIds);
    void classify(const QList<qint64> &documentIds, int level);
    // Prompts for the password of a document (queued behind any prompt already open), then reads it again.
    void askPassword(qint64 documentId, const QString &name, bool wrongPassword, bool reimport);
    // Stops imports so they resume next time (closing the window).
    void shutdown();

Q_SIGNALS:
    void documentFinished(const docsight::ImportOutcome &outcome);
    void passwordEntered(qint64 documentId, const QString &password);
    void importing(bool busy, int done, int total);
    void removed(const QList<qint64> &documentIds);

private:
    struct PendingPrompt {
        qint64 documentId = 0;
        QString name;
        bool wrong = false;
        bool reimport = true;
    };
    void onFinished(const ImportOutcome &outcome);
    void nextPrompt();

    std::shared_ptr<Library> m_library;
    std::shared_ptr<DocumentStore> m_store;
    IngestQueue *m_queue = nullptr;
    LibraryModel *m_model = nullptr;
    ImportOptions m_options;
    PasswordPrompt m_prompt;
    QList<PendingPrompt> m_prompts;
    bool m_prompting = false;
    // Queue calls that touch the disk (folder walks, requeue) run here; the destructor waits for them,
    // so none outlives the queue it calls.
    QThreadPool m_pool;
    // Store reads and writes (the model's rows, removal, classification): not behind a long folder walk.
    QThreadPool m_storePool;
};

} // namespace docsight
