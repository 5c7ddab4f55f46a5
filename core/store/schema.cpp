#include "store/schema.h"
#include "util/sqlerror.h"

#include "store/library.h"

#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

namespace docsight::schema {

Q_LOGGING_CATEGORY(lcSchema, "docsight.store.schema")

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
        // v2: keyword search (FTS5 over chunk text, heading and document name, kept in sync by
        // triggers) and per-embedder vectors. The FTS table reads its content through a view so the
        // document name can be indexed beside each chunk without copying it into every chunk row.
        QStringLiteral(R"SQL(
CREATE VIEW chunks_fts_content AS
    SELECT c.id AS id, c.text AS text, c.heading AS heading, d.name AS title
    FROM chunks c JOIN documents d ON d.id = c.document_id;
CREATE VIRTUAL TABLE chunks_fts USING fts5(
    text, heading, title,
    content='chunks_fts_content', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE chunks_fts_vocab USING fts5vocab(chunks_fts, 'row');
CREATE TRIGGER chunks_fts_after_insert AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, text, heading, title)
    VALUES (new.id, new.text, new.heading, (SELECT name FROM documents WHERE id = new.document_id));
END;
CREATE TRIGGER chunks_fts_after_delete AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text, heading, title)
    VALUES ('delete', old.id, old.text, old.heading, (SELECT name FROM documents WHERE id = old.document_id));
END;
CREATE TRIGGER chunks_fts_after_update AFTER UPDATE OF text, heading, document_id ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text, heading, title)
    VALUES ('delete', old.id, old.text, old.heading, (SELECT name FROM documents WHERE id = old.document_id));
    INSERT INTO chunks_fts(rowid, text, heading, title)
    VALUES (new.id, new.text, new.heading, (SELECT name FROM documents WHERE id = new.document_id));
END;
CREATE TRIGGER chunks_fts_before_document_delete BEFORE DELETE ON documents BEGIN
    DELETE FROM chunks WHERE document_id = old.id;
END;
CREATE TRIGGER chunks_fts_after_document_rename AFTER UPDATE OF name ON documents BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text, heading, title)
    SELECT 'delete', id, text, heading, old.name FROM chunks WHERE document_id = old.id;
    INSERT INTO chunks_fts(rowid, text, heading, title)
    SELECT id, text, heading, new.name FROM chunks WHERE document_id = new.id;
END;
INSERT INTO chunks_fts(chunks_fts) VALUES ('rebuild');
CREATE TABLE embeddings (
    chunk_id INTEGER NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
    embedder_id TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (chunk_id, embedder_id)
);
CREATE INDEX embeddings_by_embedder ON embeddings(embedder_id, chunk_id);
)SQL"),
        // v3: governance. Conversations and their messages (question and answer text, which the audit trail
        // holds only as hashes, so a report can show them), usage per provider call (tokens, latency, cost
        // priced when recorded) and answer feedback.
        QStringLiteral(R"SQL(
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    trust TEXT NOT NULL,
    parameters TEXT NOT NULL DEFAULT '{}',
    citations TEXT NOT NULL DEFAULT '[]',
    governance TEXT NOT NULL DEFAULT '{}',
    outcome TEXT NOT NULL,
    question_sha256 TEXT NOT NULL,
    answer_sha256 TEXT NOT NULL
);
CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
CREATE INDEX messages_by_time ON messages(at);
CREATE TABLE usage_events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    trust TEXT NOT NULL,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    latency_ms INTEGER NOT NULL DEFAULT 0,
    ok INTEGER NOT NULL,
    error TEXT NOT NULL DEFAULT '',
    cost_usd REAL NOT NULL DEFAULT 0,
    priced INTEGER NOT NULL DEFAULT 1,
    message_id INTEGER REFERENCES messages(id) ON DELETE SET NULL
);
CREATE INDEX usage_by_time ON usage_events(at);
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    rating INTEGER NOT NULL,
    correction TEXT NOT NULL DEFAULT ''
);
CREATE INDEX feedback_by_message ON feedback(message_id, id);
)SQL"),
    };
    return steps;
}

// A trigger body holds several ';'-terminated statements; the trigger ends only at its "END".
bool isIncompleteTrigger(const QString &statement)
{
    static const QRegularExpression trigger(QStringLiteral("^\\s*CREATE\\s+(TEMP\\s+|TEMPORARY\\s+)?TRIGGER\\b"),
                                            QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression end(QStringLiteral("\\bEND\\s*$"), QRegularExpression::CaseInsensitiveOption);
    return trigger.match(statement).hasMatch() && !end.match(statement).hasMatch();
}

bool runScript(QSqlDatabase &db, const QString &script, QString *error)
{
    // QSqlQuery runs one statement at a time; our scripts never contain ';' inside literals.
    const QStringList pieces = script.split(QLatin1Char(';'), Qt::SkipEmptyParts);
    QString statement;
    for (const QString &piece : pieces) {
        statement += piece;
        if (isIncompleteTrigger(statement)) {
            statement += QLatin1Char(';');
            continue;
        }
        if (!statement.trimmed().isEmpty() && !execSql(db, statement, error))
            return false;
        statement.clear();
    }
    if (!statement.trimmed().isEmpty()) {
        if (error)
            *error = QStringLiteral("unterminated statement in migration script");
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
    return migrateTo(db, currentVersion(), error);
}

bool migrateTo(QSqlDatabase &db, int target, QString *error)
{
    const int from = storedVersion(db);
    if (target < 0 || target > currentVersion()) {
        if (error)
            *error = QStringLiteral("unknown schema version %1").arg(target);
        return false;
    }
    if (from > currentVersion()) {
        if (error)
            *error = QStringLiteral("This library was written by a newer Docsight (schema version %1; this build "
                                    "reads up to %2). Open it with a newer Docsight; nothing was changed.")
                         .arg(from)
                         .arg(currentVersion());
        return false;
    }
    if (from >= target)
        return true;
    // Another process may be migrating the same file right now (two imports started at once into a
    // new library): take the write lock first (waiting up to the busy timeout), then read the version
    // again, so only one of them runs each step and the other finds the work done.
    if (!execSql(db, QStringLiteral("BEGIN IMMEDIATE"), error))
        return false;
    const int locked = storedVersion(db);
    if (locked > currentVersion()) {
        execSql(db, QStringLiteral("ROLLBACK"), nullptr);
        return migrateTo(db, target, error); // refused with the newer-version message
    }
    for (int v = locked + 1; v <= target; ++v) {
        qCInfo(lcSchema) << "migrating library schema to version" << v;
        if (!runScript(db, migrations().at(v - 1), error)
            || !execSql(db, QStringLiteral("PRAGMA user_version = %1").arg(v), error)) {
            execSql(db, QStringLiteral("ROLLBACK"), nullptr);
            return false;
        }
    }
    if (!execSql(db, QStringLiteral("COMMIT"), error)) {
        execSql(db, QStringLiteral("ROLLBACK"), nullptr);
        return false;
    }
    return true;
}

} // namespace docsight::schema
