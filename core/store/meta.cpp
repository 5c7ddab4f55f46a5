#include "store/meta.h"
#include "util/sqlerror.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace docsight {

std::optional<QString> readMeta(QSqlDatabase &db, const QString &key)
{
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT value FROM meta WHERE key = ?"));
    q.addBindValue(key);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return q.value(0).toString();
}

bool writeMeta(QSqlDatabase &db, const QString &key, const QString &value, QString *error)
{
    QSqlQuery q(db);
    q.prepare(QStringLiteral("INSERT INTO meta (key, value) VALUES (?, ?) "
                             "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
    q.addBindValue(key);
    q.addBindValue(value);
    if (q.exec())
        return true;
    if (error)
        *error = sqlErrorText(q.lastError());
    return false;
}

} // namespace docsight
