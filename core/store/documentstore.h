#pragma once

#include "model/classification.h"
#include "model/chunk.h"
#include "model/loaderror.h"
#include "model/pagecontent.h"

#include <memory>
#include <optional>

#include <QDateTime>
#include <QList>
#include <QSet>
#include <QString>

namespace docsight {

class Library;

enum class DocumentStatus {
    Queued,    // registered, not started (or interrupted and waiting to resume)
    Importing, // pages are being read; not searchable yet
    Ready,     // fully read and chunked; searchable
    Failed,    // could not be read; error says why
};

QString documentStatusName(DocumentStatus status);
DocumentStatus documentStatusFromName(const QString &name);

struct DocumentRecord {
    qint64 id = 0;
    QString name;           // file name as imported
    QString originalPath;
    QString sha256;         // hex of the file bytes
    qint64 size = 0;
    QString type;           // documentTypeName()
    QString storedFile;     // path relative to the library root: files/<sha256>.<ext>
    int pageCount = 0;
    DocumentStatus status = DocumentStatus::Queued;
    QString error;          // analyst-facing reason when Failed
    QString errorKind;      // loadErrorKindName()
    Classification classification = Classification::Internal;
    QDateTime createdAt;
    QDateTime updatedAt;
    // Derived counts, filled by list()/byId().
    int storedPages = 0;
    int ocrPages = 0;
    int chunkCount = 0;
};

// Documents, their pages and chunks in one library. Every state change that matters is audited in
// the same transaction. Safe to use from any thread (each thread uses its own connection).
class DocumentStore final
{
public:
    explicit DocumentStore(std::shared_ptr<Library> library);

    std::shared_ptr<Library> library() const { return m_library; }

    QList<DocumentRecord> list() const;
    std::optional<DocumentRecord> byId(qint64 id) const;
    std::optional<DocumentRecord> bySha256(const QString &sha256) const;
    // Resolves a CLI/GUI reference: a numeric id, or an exact file name. Empty when none matches;
    // several when the name is ambiguous.
    QList<DocumentRecord> resolve(const QString &reference) const;
    QList<DocumentRecord> unfinished() const;

    // Registers a new document in state Queued; returns its id (0 on failure).
    qint64 add(const DocumentRecord &record, QString *error = nullptr);
    bool markImporting(qint64 id, int pageCount, QString *error = nullptr);
    bool putPage(qint64 id, const PageContent &page, QString *error = nullptr);
    QSet<int> storedPageNumbers(qint64 id) const;
    // Replaces the document's chunks, marks it Ready and audits the import, in one transaction.
    // notice, when set, is kept in the error column of a Ready document as a warning for the analyst
    // (e.g. "no text found": a blank or picture-only document is kept, but has nothing to search).
    bool complete(qint64 id, const QList<Chunk> &chunks, const QString &notice = {}, QString *error = nullptr);
    // Marks the document Failed with the reason, drops its partial pages and chunks, audits it.
    bool fail(qint64 id, const LoadError &reason, QString *error = nullptr);
    // Puts a Failed or interrupted document back to Queued so the queue reads it again.
    bool requeue(qint64 id, QString *error = nullptr);
    // Puts a Ready or Failed document back to Queued for the import queue to read it again: drops its
    // pages and chunks (their keyword entries and vectors go with them) and audits the request, in one
    // transaction. Refused while the document is queued or being read, unless interrupted: the caller
    // holds its content lock, so no process is reading it (a reading killed half-way). forceOcr is
    // remembered until the document is Ready again (forcesOcr()), so a resume, retry or re-read of a
    // failed reading is forced too. New chunks never reuse the dropped chunks' ids, so nothing keyed
    // by chunk id can mistake new text for old.
    bool resetForReimport(qint64 id, bool forceOcr, const QStringList &ocrLanguages, bool interrupted = false,
                          QString *error = nullptr);
    bool forcesOcr(qint64 id) const;
    // Deletes the document, its pages, chunks and stored copy; audited.
    bool remove(qint64 id, QString *error = nullptr);
    bool setClassification(qint64 id, Classification level, QString *error = nullptr);

    QList<PageContent> pages(qint64 id) const;
    std::optional<PageContent> page(qint64 id, int number) const;
    QList<Chunk> chunks(qint64 id) const;

    QString absoluteStoredPath(const DocumentRecord &record) const;

private:
    std::shared_ptr<Library> m_library;
};

} // namespace docsight
