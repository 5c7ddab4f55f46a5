// DocumentStore: reading a document again (see resetForReimport in documentstore.h).
#include "store/documentstore.h"

#include "audit/auditlog.h"
#include "store/documentsql.h"
#include "store/library.h"
#include "store/meta.h"

#include <algorithm>

#include <QJsonObject>
#include <QSqlQuery>

namespace docsight {

using namespace documentsql;

bool DocumentStore::resetForReimport(qint64 id, bool forceOcr, const QStringList &ocrLanguages, bool interrupted,
                                     QString *error)
{
    return m_library->write(
        [&](QSqlDatabase &db) {
            QSqlQuery q(db);
            q.prepare(QStringLiteral("SELECT status, sha256, page_count, (SELECT COUNT(*) FROM chunks WHERE document_id = ?) "
                                     "FROM documents WHERE id = ?"));
            q.addBindValue(id);
            q.addBindValue(id);
            if (!q.exec() || !q.next()) {
                if (error)
                    *error = QStringLiteral("no document with id %1").arg(id);
                return false;
            }
            const QString status = q.value(0).toString();
            // A failed forced reading (cancelled, say) read again stays forced.
            const bool forced = forceOcr || readMeta(db, forceOcrKey(id)).has_value();
            const bool unfinished = status == QLatin1String("queued") || status == QLatin1String("importing");
            if (status != QLatin1String("ready") && status != QLatin1String("failed") && !(interrupted && unfinished)) {
                if (error)
                    *error = QStringLiteral("the document is being read; cancel it first");
                return false;
            }
            const QJsonObject payload{{QStringLiteral("sha256"), q.value(1).toString()},
                                      {QStringLiteral("previous_status"), status},
                                      {QStringLiteral("pages"), q.value(2).toInt()},
                                      {QStringLiteral("chunks"), q.value(3).toInt()},
                                      {QStringLiteral("ocr"), forced ? QStringLiteral("every-page")
                                                                        : QStringLiteral("pages-without-text")},
                                      {QStringLiteral("ocr_languages"), ocrLanguages.join(QLatin1Char('+'))}};
            const qint64 maxId = scalar(db, QStringLiteral("SELECT COALESCE(MAX(id), 0) FROM chunks"), {});
            const qint64 floor = readMeta(db, chunkIdFloorKey()).value_or(QString()).toLongLong();
            return writeMeta(db, chunkIdFloorKey(), QString::number(std::max(maxId, floor)), error)
                && (!forced || writeMeta(db, forceOcrKey(id), QStringLiteral("1"), error))
                // Deleting chunks deletes their keyword entries (trigger) and vectors (foreign key).
                && run(db, QStringLiteral("DELETE FROM chunks WHERE document_id = ?"), {id}, error)
                && run(db, QStringLiteral("DELETE FROM pages WHERE document_id = ?"), {id}, error)
                && run(db,
                       QStringLiteral("UPDATE documents SET status = 'queued', error = '', error_kind = '', updated_at = ? "
                                      "WHERE id = ?"),
                       {now(), id}, error)
                && auditlog::append(db, QStringLiteral("document.reimport_requested"), subject(id), payload, error);
        },
        error);
}

bool DocumentStore::forcesOcr(qint64 id) const
{
    QSqlDatabase db = m_library->connection();
    return readMeta(db, forceOcrKey(id)).has_value();
}

} // namespace docsight
