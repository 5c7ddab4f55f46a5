#include "store/schema.h"

#include "store/library.h"

#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

Q_LOGGING_CATEGORY(lcSchema, "docsight.store.schema")

namespace docsight::schema {
namespace {

// Migration N takes a database at version N-1 to version N. Append; never edit a shipped step.
const QStringList &migrations()
{
    static const QStringList steps{
        // v1: documents, pages, chunks and the audit chain.
        QStringLiteral(R"SQL(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    original_path TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    type TEXT NOT NULL,
    stored_file TEXT NOT NULL,
    page_count INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    error TEXT NOT NULL DEFAULT '',
    error_kind TEXT NOT NULL DEFAULT '',
    classification TEXT NOT NULL DEFAULT 'Internal',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE pages (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    text TEXT NOT NULL,
    source TEXT NOT NULL,
    ocr_confidence REAL,
    width_pt REAL,
    height_pt REAL,
    words BLOB,
    PRIMARY KEY (document_id, number)
);
CREATE TABLE chunks (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    page_number INTEGER NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    first_word INTEGER NOT NULL,
    word_count INTEGER NOT NULL,
    heading TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL
);
CREATE INDEX chunks_by_document ON chunks(document_id, ordinal);
CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
)SQL"),
    };
    return steps;
}

bool runScript(QSqlDatabase &db, const QString &script, QString *error)
{
    // QSqlQuery runs one statement at a time; our scripts never contain ';' inside literals.
    const QStringList statements = script.split(QLatin1Char(';'), Qt::SkipEmptyParts);
    for (const QString &statement : statements) {
        if (statement.trimmed().isEmpty())
            continue;
        if (!execSql(db, statement, error))
            return false;
    }
    return true;
}

} // namespace

int currentVersion()
{
    return static_cast<int>(migrations().size());
}

int storedVersion(QSqlDatabase &db)
{
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next())
        return 0;
    return q.value(0).toInt();
}

bool migrate(QSqlDatabase &db, QString *error)
{
    const int from = storedVersion(db);
    if (from > currentVersion()) {
        if (error)
            *error = QStringLiteral("This library was written by a newer Docsight (schema version %1; this build "
                                    "reads up to %2). Open it with a newer Docsight; nothing was changed.")
                         .arg(from)
                         .arg(currentVersion());
        return false;
    }
    if (from == currentVersion())
        return true;
    if (!db.transaction()) {
        if (error)
            *error = db.lastError().text();
        return false;
    }
    for (int v = from + 1; v <= currentVersion(); ++v) {
        qCInfo(lcSchema) << "migrating library schema to version" << v;
        if (!runScript(db, migrations().at(v - 1), error)
            || !execSql(db, QStringLiteral("PRAGMA user_version = %1").arg(v), error)) {
            db.rollback();
            return false;
        }
    }
    if (!db.commit()) {
        if (error)
            *error = db.lastError().text();
        db.rollback();
        return false;
    }
    return true;
}

} // namespace docsight::schema
