#pragma once

#include <functional>
#include <memory>

#include <QMutex>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include "util/sqlerror.h"

namespace docsight {

// A library folder: library.sqlite3 (WAL) + files/<sha256>.<ext> + vectors/.
// One Library object per folder per process; share it by shared_ptr across threads.
// Every thread that touches the database gets its own connection (SQLite + Qt require it);
// writes are serialised with a process-wide mutex and BEGIN IMMEDIATE across processes.
class Library final
{
public:
    ~Library();
    Q_DISABLE_COPY_MOVE(Library)

    // Opens the folder, creating it and the schema when absent, migrating an older schema.
    // Returns nullptr with a message when the folder cannot be used (e.g. a newer schema version).
    // A library this account may not write (another user's, a read-only share or mount, a backup)
    // opens read-only: reads work, write() refuses with readOnlyReason(), nothing is migrated.
    static std::shared_ptr<Library> open(const QString &folder, QString *error);

    bool isReadOnly() const { return !m_readOnlyReason.isEmpty(); }
    // Why the library is read-only ("its file system is mounted read-only"); empty when writable.
    QString readOnlyReason() const { return m_readOnlyReason; }

    QString rootPath() const { return m_root; }
    QString databasePath() const;
    QString filesPath() const;
    QString vectorsPath() const;
    // Lock files of documents being read (ingest), so two processes never read the same content.
    QString locksPath() const;

    // The calling thread's connection to this library (opened on first use).
    QSqlDatabase connection() const;

    // Runs fn in one write transaction on the calling thread's connection. Commits when fn returns
    // true, rolls back otherwise (and on any SQL error). error receives a message on failure.
    bool write(const std::function<bool(QSqlDatabase &)> &fn, QString *error = nullptr) const;

    int schemaVersion() const;

private:
    explicit Library(QString root, QString readOnlyReason = {});
    static std::shared_ptr<Library> openReadOnly(const QString &root, const QString &reason, QString *error);
    // Closes the calling thread's connections (used before reopening in another mode).
    void closeConnections();

    QString m_root;
    QString m_readOnlyReason;
    bool m_immutable = false; // read-only and its WAL files cannot be created: SQLite's immutable mode
    QString m_connectionPrefix;
    mutable QMutex m_writeMutex;
    mutable QMutex m_connectionsMutex;
    mutable QStringList m_connectionNames;
};

// Executes one statement, returning false and filling *error with the SQL message on failure.
bool execSql(QSqlDatabase &db, const QString &sql, QString *error);

} // namespace docsight
