#pragma once

#include <optional>

#include <QSqlDatabase>
#include <QString>

namespace docsight {

// The library's meta table (key -> text): settings that belong to the library rather than to one computer
// (governance policy, price table, budget), so the GUI and the CLI on the same library obey the same rules.
std::optional<QString> readMeta(QSqlDatabase &db, const QString &key);
// Inside the caller's write transaction (Library::write).
bool writeMeta(QSqlDatabase &db, const QString &key, const QString &value, QString *error);

} // namespace docsight
