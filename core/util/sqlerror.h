#pragma once

#include <QSqlError>
#include <QString>

namespace docsight {

// The database's own words for a failed statement ("database or disk is full"), without Qt's
// driver suffix ("Unable to execute statement"), which tells an analyst nothing.
inline QString sqlErrorText(const QSqlError &error)
{
    const QString text = error.databaseText().trimmed();
    return text.isEmpty() ? error.text().trimmed() : text;
}

} // namespace docsight
