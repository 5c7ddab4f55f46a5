#include "store/documentstore.h"
#include "util/sqlerror.h"

#include "audit/auditlog.h"
#include "store/library.h"
#include "store/documentsql.h"
#include "store/meta.h"
#include "store/wordboxcodec.h"

#include <QDir>
#include <QFile>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>

namespace docsight {

Q_LOGGING_CATEGORY(lcDocuments, "docsight.store.documents")

namespace {

using namespace documentsql;

const QString kSelectDocuments = QStringLiteral(
    "SELECT d.id, d.name, d.original_path, d.sha256, d.size, d.type, d.stored_file, d.page_count, d.status, "
    "d.error, d.error_kind, d.classification, d.created_at, d.updated_at, "
    "(SELECT COUNT(*) FROM pages p WHERE p.document_id = d.id), "
    "(SELECT COUNT(*) FROM pages p WHERE p.document_id = d.id AND p.source = 'ocr'), "
    "(SELECT COUNT(*) FROM chunks c WHERE c.document_id = d.id) "
    "FROM documents d ");

DocumentRecord readDocument(const QSqlQuery &q)
{
    DocumentRecord r;
    r.id = q.value(0).toLongLong();
    r.name = q.value(1).toString();
    r.originalPath = q.value(2).toString();
    r.sha256 = q.value(3).toString();
    r.size = q.value(4).toLongLong();
    r.type = q.value(5).toString();
    r.storedFile = q.value(6).toString();
    r.pageCount = q.value(7).toInt();
    r.status = documentStatusFromName(q.value(8).toString());
    r.error = q.value(9).toString();
    r.errorKind = q.value(10).toString();
    r.classification = parseClassification(q.value(11).toString()).value_or(Classification::Internal);
    r.createdAt = QDateTime::fromString(q.value(12).toString(), Qt::ISODateWithMs);
    r.updatedAt = QDateTime::fromString(q.value(13).toString(), Qt::ISODateWithMs);
    r.storedPages = q.value(14).toInt();
    r.ocrPages = q.value(15).toInt();
    r.chunkCount = q.value(16).toInt();
    return r;
}

QList<DocumentRecord> queryDocuments(QSqlDatabase db, const QString &where, const QVariantList &binds)
{
    QList<DocumentRecord> out;
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(kSelectDocuments + where);
    for (const QVariant &v : binds)
        q.addBindValue(v);
    if (!q.exec()) {
        qCWarning(lcDocuments) << "query failed:" << sqlErrorText(q.lastError());
        return out;
    }
    while (q.next())
        out.append(readDocument(q));
    return out;
}

PageContent readPage(const QSqlQuery &q)
{
    PageContent p;
    p.number = q.value(0).toInt();
    p.text = q.value(1).toString();
    p.source = pageSourceFromName(q.value(2).toString());
    p.ocrConfidence = q.value(3).isNull() ? -1.0f : q.value(3).toFloat();
    if (!q.value(4).isNull())
        p.sizePoints = QSizeF(q.value(4).toDouble(), q.value(5).toDouble());
    p.words = decodeWordBoxes(q.value(6).toByteArray());
    return p;
}

} // namespace

QString documentStatusName(DocumentStatus status)
{
    switch (status) {
    case DocumentStatus::Queued: return QStringLiteral("queued");
    case DocumentStatus::Importing: return QStringLiteral("importing");
    case DocumentStatus::Ready: return QStringLiteral("ready");
    case DocumentStatus::Failed: return QStringLiteral("failed");
    }
    return QStringLiteral("queued");
}

DocumentStatus documentStatusFromName(const QString &name)
{
    if (name == QLatin1String("importing"))
        return DocumentStatus::Importing;
    if (name == QLatin1String("ready"))
        return DocumentStatus::Ready;
    if (name == QLatin1String("failed"))
        return DocumentStatus::Failed;
    return DocumentStatus::Queued;
}

DocumentStore::DocumentStore(std::shared_ptr<Library> library) : m_library(std::move(library)) {}

QList<DocumentRecord> DocumentStore::list() const
{
    return queryDocuments(m_library->connection(), QStringLiteral("ORDER BY d.id"), {});
}

std::optional<DocumentRecord> DocumentStore::byId(qint64 id) const
{
    const auto rows = queryDocuments(m_library->connection(), QStringLiteral("WHERE d.id = ?"), {id});
    if (rows.isEmpty())
        return std::nullopt;
    return rows.first();
}

std::optional<DocumentRecord> DocumentStore::bySha256(const QString &sha256) const
{
    const auto rows = queryDocuments(m_library->connection(), QStringLiteral("WHERE d.sha256 = ?"), {sha256});
    if (rows.isEmpty())
        return std::nullopt;
    return rows.first();
}

QList<DocumentRecord> DocumentStore::resolve(const QString &reference) const
{
    bool isNumber = false;
    const qint64 id = reference.toLongLong(&isNumber);
    if (isNumber) {
        if (auto doc = byId(id))
            return {*doc};
    }
    return queryDocuments(m_library->connection(), QStringLiteral("WHERE d.name = ? ORDER BY d.id"), {reference});
}

QList<DocumentRecord> DocumentStore::unfinished() const
{
    return queryDocuments(m_library->connection(), QStringLiteral("WHERE d.status IN ('queued', 'importing') ORDER BY d.id"),
                          {});
}

qint64 DocumentStore::add(const DocumentRecord &record, QString *error)
{
    qint64 id = 0;
    return m_library->write(
        [&](QSqlDatabase &db) {
            QSqlQuery q(db);
            q.prepare(QStringLiteral(
                "INSERT INTO documents (name, original_path, sha256, size, type, stored_file, page_count, status, "
                "classification, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, 'queued', ?, ?, ?)"));
            const QString stamp = now();
            for (const QVariant &v : QVariantList{text(record.name), text(record.originalPath), text(record.sha256), record.size,
                                                  text(record.type), text(record.storedFile),
                                                  classificationName(record.classification), stamp, stamp})
                q.addBindValue(v);
            if (!q.exec()) {
                if (error)
                    *error = sqlErrorText(q.lastError());
                return false;
            }
            id = q.lastInsertId().toLongLong();
            return auditlog::append(db, QStringLiteral("document.added"), subject(id),
                                    {{QStringLiteral("sha256"), record.sha256},
                                     {QStringLiteral("size"), static_cast<double>(record.size)},
                                     {QStringLiteral("type"), record.type},
                                     {QStringLiteral("classification"), classificationName(record.classification)}},
                                    error);
        },
        error)
        ? id
        : 0; // the row is only there once the transaction commits (it may not: a full disk)
}

bool DocumentStore::markImporting(qint64 id, int pageCount, QString *error)
{
    return m_library->write(
        [&](QSqlDatabase &db) {
            return run(db,
                       QStringLiteral("UPDATE documents SET status = 'importing', page_count = ?, error = '', "
                                      "error_kind = '', updated_at = ? WHERE id = ?"),
                       {pageCount, now(), id}, error);
        },
        error);
}

bool DocumentStore::putPage(qint64 id, const PageContent &page, QString *error)
{
    return m_library->write(
        [&](QSqlDatabase &db) {
            const bool geometric = !page.sizePoints.isEmpty();
            return run(db,
                       QStringLiteral("INSERT OR REPLACE INTO pages (document_id, number, text, source, ocr_confidence, "
                                      "width_pt, height_pt, words) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
                       {id, page.number, text(page.text), pageSourceName(page.source),
                        page.source == PageSource::Ocr ? QVariant(page.ocrConfidence) : QVariant(),
                        geometric ? QVariant(page.sizePoints.width()) : QVariant(),
                        geometric ? QVariant(page.sizePoints.height()) : QVariant(),
                        page.words.isEmpty() ? QVariant() : QVariant(encodeWordBoxes(page.words))},
                       error);
        },
        error);
}

QSet<int> DocumentStore::storedPageNumbers(qint64 id) const
{
    QSet<int> numbers;
    QSqlQuery q(m_library->connection());
    q.prepare(QStringLiteral("SELECT number FROM pages WHERE document_id = ?"));
    q.addBindValue(id);
    if (q.exec()) {
        while (q.next())
            numbers.insert(q.value(0).toInt());
    }
    return numbers;
}

bool DocumentStore::complete(qint64 id, const QList<Chunk> &chunks, const QString &notice, QString *error)
{
    return m_library->write(
        [&](QSqlDatabase &db) {
            if (!run(db, QStringLiteral("DELETE FROM chunks WHERE document_id = ?"), {id}, error)
                || !run(db, QStringLiteral("DELETE FROM meta WHERE key = ?"), {forceOcrKey(id)}, error))
                return false;
            // A null id lets SQLite choose (max + 1), unless a re-import dropped ids above that.
            const qint64 floor = readMeta(db, chunkIdFloorKey()).value_or(QString()).toLongLong();
            qint64 nextId = floor > scalar(db, QStringLiteral("SELECT COALESCE(MAX(id), 0) FROM chunks"), {}) ? floor + 1 : 0;
            QSqlQuery insert(db);
            insert.prepare(QStringLiteral(
                "INSERT INTO chunks (id, document_id, ordinal, page_number, char_start, char_end, first_word, "
                "word_count, heading, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
            for (const Chunk &c : chunks) {
                for (const QVariant &v : QVariantList{nextId > 0 ? QVariant(nextId++) : QVariant(), id, c.ordinal, c.page,
                                                      c.charStart, c.charEnd, c.firstWord, c.wordCount, text(c.heading),
                                                      text(c.text)})
                    insert.addBindValue(v);
                if (!insert.exec()) {
                    if (error)
                        *error = sqlErrorText(insert.lastError());
                    return false;
                }
            }
            if (!run(db,
                     QStringLiteral("UPDATE documents SET status = 'ready', error = ?, error_kind = ?, updated_at = ? "
                                    "WHERE id = ?"),
                     {text(notice), notice.isEmpty() ? QStringLiteral("") : QStringLiteral("notice"), now(), id}, error))
                return false;
            QSqlQuery counts(db);
            counts.prepare(QStringLiteral("SELECT d.sha256, d.page_count, "
                                          "(SELECT COUNT(*) FROM pages p WHERE p.document_id = d.id AND p.source = 'ocr') "
                                          "FROM documents d WHERE d.id = ?"));
            counts.addBindValue(id);
            if (!counts.exec() || !counts.next())
                return false;
            return auditlog::append(db, QStringLiteral("document.imported"), subject(id),
                                    {{QStringLiteral("sha256"), counts.value(0).toString()},
                                     {QStringLiteral("pages"), counts.value(1).toInt()},
                                     {QStringLiteral("ocr_pages"), counts.value(2).toInt()},
                                     {QStringLiteral("chunks"), static_cast<int>(chunks.size())}},
                                    error);
        },
        error);
}

bool DocumentStore::fail(qint64 id, const LoadError &reason, QString *error)
{
    return m_library->write(
        [&](QSqlDatabase &db) {
            return run(db, QStringLiteral("DELETE FROM chunks WHERE document_id = ?"), {id}, error)
                && run(db, QStringLiteral("DELETE FROM pages WHERE document_id = ?"), {id}, error)
                && run(db,
                       QStringLiteral("UPDATE documents SET status = 'failed', error = ?, error_kind = ?, updated_at = ? "
                                      "WHERE id = ?"),
                       {text(reason.message), loadErrorKindName(reason.kind), now(), id}, error)
                && auditlog::append(db, QStringLiteral("document.failed"), subject(id),
                                    {{QStringLiteral("reason"), loadErrorKindName(reason.kind)}}, error);
        },
        error);
}

bool DocumentStore::requeue(qint64 id, QString *error)
{
    return m_library->write(
        [&](QSqlDatabase &db) {
            return run(db,
                       QStringLiteral("UPDATE documents SET status = 'queued', error = '', error_kind = '', updated_at = ? "
                                      "WHERE id = ? AND status != 'ready'"),
                       {now(), id}, error);
        },
        error);
}

bool DocumentStore::remove(qint64 id, QString *error)
{
    const auto doc = byId(id);
    if (!doc) {
        if (error)
            *error = QStringLiteral("no document with id %1").arg(id);
        return false;
    }
    const bool ok = m_library->write(
        [&](QSqlDatabase &db) {
            return run(db, QStringLiteral("DELETE FROM chunks WHERE document_id = ?"), {id}, error)
                && run(db, QStringLiteral("DELETE FROM pages WHERE document_id = ?"), {id}, error)
                && run(db, QStringLiteral("DELETE FROM meta WHERE key = ?"), {forceOcrKey(id)}, error)
                && run(db, QStringLiteral("DELETE FROM documents WHERE id = ?"), {id}, error)
                && auditlog::append(db, QStringLiteral("document.removed"), subject(id),
                                    {{QStringLiteral("sha256"), doc->sha256}}, error);
        },
        error);
    // The copy goes only after the rows are gone: a crash in between leaves an orphan file, which
    // is harmless, never a row pointing at a missing file.
    if (ok && !doc->storedFile.isEmpty())
        QFile::remove(absoluteStoredPath(*doc));
    return ok;
}

bool DocumentStore::setClassification(qint64 id, Classification level, QString *error)
{
    const auto doc = byId(id);
    if (!doc) {
        if (error)
            *error = QStringLiteral("no document with id %1").arg(id);
        return false;
    }
    return m_library->write(
        [&](QSqlDatabase &db) {
            return run(db, QStringLiteral("UPDATE documents SET classification = ?, updated_at = ? WHERE id = ?"),
                       {classificationName(level), now(), id}, error)
                && auditlog::append(db, QStringLiteral("document.classified"), subject(id),
                                    {{QStringLiteral("from"), classificationName(doc->classification)},
                                     {QStringLiteral("to"), classificationName(level)}},
                                    error);
        },
        error);
}

QList<PageContent> DocumentStore::pages(qint64 id) const
{
    QList<PageContent> out;
    QSqlQuery q(m_library->connection());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT number, text, source, ocr_confidence, width_pt, height_pt, words FROM pages "
                             "WHERE document_id = ? ORDER BY number"));
    q.addBindValue(id);
    if (q.exec()) {
        while (q.next())
            out.append(readPage(q));
    }
    return out;
}

std::optional<PageContent> DocumentStore::page(qint64 id, int number) const
{
    QSqlQuery q(m_library->connection());
    q.prepare(QStringLiteral("SELECT number, text, source, ocr_confidence, width_pt, height_pt, words FROM pages "
                             "WHERE document_id = ? AND number = ?"));
    q.addBindValue(id);
    q.addBindValue(number);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return readPage(q);
}

QList<Chunk> DocumentStore::chunks(qint64 id) const
{
    QList<Chunk> out;
    QSqlQuery q(m_library->connection());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT id, ordinal, page_number, char_start, char_end, first_word, word_count, heading, "
                             "text FROM chunks WHERE document_id = ? ORDER BY ordinal"));
    q.addBindValue(id);
    if (q.exec()) {
        while (q.next()) {
            Chunk c;
            c.id = q.value(0).toLongLong();
            c.documentId = id;
            c.ordinal = q.value(1).toInt();
            c.page = q.value(2).toInt();
            c.charStart = q.value(3).toInt();
            c.charEnd = q.value(4).toInt();
            c.firstWord = q.value(5).toInt();
            c.wordCount = q.value(6).toInt();
            c.heading = q.value(7).toString();
            c.text = q.value(8).toString();
            out.append(c);
        }
    }
    return out;
}

QString DocumentStore::absoluteStoredPath(const DocumentRecord &record) const
{
    return QDir(m_library->rootPath()).absoluteFilePath(record.storedFile);
}

} // namespace docsight
