#include "store/documentsql.h"
#include "util/sqlerror.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>


namespace docsight::documentsql {

QString text(const QString &s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

QString now()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

bool run(QSqlDatabase &db, const QString &sql, const QVariantList &binds, QString *error)
{
    QSqlQuery q(db);
    q.prepare(sql);
    for (const QVariant &v : binds)
        q.addBindValue(v);
    if (q.exec())
        return true;
    if (error)
        *error = sqlErrorText(q.lastError());
    qCWarning(lcDocuments) << "statement failed:" << sqlErrorText(q.lastError());
    return false;
}

qint64 scalar(QSqlDatabase &db, const QString &sql, const QVariantList &binds)
{
    QSqlQuery q(db);
    q.prepare(sql);
    for (const QVariant &v : binds)
        q.addBindValue(v);
    return q.exec() && q.next() ? q.value(0).toLongLong() : 0;
}

QString subject(qint64 id)
{
    return QStringLiteral("document:") + QString::number(id);
}

QString chunkIdFloorKey()
{
    return QStringLiteral("chunks.id_floor");
}

QString forceOcrKey(qint64 documentId)
{
    return QStringLiteral("ingest.force_ocr.") + QString::number(documentId);
}

} // namespace docsight::documentsql
