#pragma once

#include <QSqlDatabase>
#include <QString>

namespace docsight::schema {

// The schema version this build writes. A library with a higher version is refused, never touched.
int currentVersion();

// Brings the database to currentVersion() inside one transaction, from any earlier version
// (0 = empty file). Returns false with a message on failure; the database is left unchanged.
bool migrate(QSqlDatabase &db, QString *error);

// Like migrate(), but stops at version target (never goes down). Lets tests build a library exactly
// as an older Docsight left it, then upgrade it.
bool migrateTo(QSqlDatabase &db, int target, QString *error);

// The version stored in the database (0 when it has no schema yet).
int storedVersion(QSqlDatabase &db);

} // namespace docsight::schema
