#pragma once

#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QString>
#include <QVariantList>

namespace docsight {
// The store's document category, defined in documentstore.cpp.
Q_DECLARE_LOGGING_CATEGORY(lcDocuments)
} // namespace docsight

// SQL helpers shared by DocumentStore's source files; not part of the store's interface.
namespace docsight::documentsql {

// Qt binds a null QString as SQL NULL; NOT NULL text columns need an empty string instead.
QString text(const QString &s);
// UTC, millisecond precision, as the documents table stores times.
QString now();
// Runs one statement; on failure logs it and sets *error.
bool run(QSqlDatabase &db, const QString &sql, const QVariantList &binds, QString *error);
// The first column of the first row, or 0.
qint64 scalar(QSqlDatabase &db, const QString &sql, const QVariantList &binds);
// The audit subject of a document: "document:<id>".
QString subject(qint64 id);

// meta key: the highest chunk id a re-import dropped. Chunks written later start above it; SQLite
// would otherwise hand the same ids to the new text of the last document.
QString chunkIdFloorKey();
// meta key present while a document is to be read with OCR on every page.
QString forceOcrKey(qint64 documentId);

} // namespace docsight::documentsql
