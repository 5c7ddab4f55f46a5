#pragma once

#include <functional>
#include <memory>

#include <QMutex>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

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
    static std::shared_ptr<Library> open(const QString &folder, QString *error);

    QString rootPath() const { return m_root; }
    QString databasePath() const;
    QString filesPath() const;
    QString vectorsPath() const;

    // The calling thread's connection to this library (opened on first use).
    QSqlDatabase connection() const;

    // Runs fn in one write transaction on the calling thread's connection. Commits when fn returns
    // true, rolls back otherwise (and on any SQL error). error receives a message on failure.
    bool write(const std::function<bool(QSqlDatabase &)> &fn, QString *error = nullptr) const;

    int schemaVersion() const;

private:
    explicit Library(QString root);

    QString m_root;
    QString m_connectionPrefix;
    mutable QMutex m_writeMutex;
    mutable QMutex m_connectionsMutex;
    mutable QStringList m_connectionNames;
};

// Executes one statement, returning false and filling *error with the SQL message on failure.
bool execSql(QSqlDatabase &db, const QString &sql, QString *error);

} // namespace docsight
