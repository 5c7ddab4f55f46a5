#include "store/library.h"

#include "store/schema.h"

#include <atomic>

#include <QDir>
#include <QLoggingCategory>
#include <QMutexLocker>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

Q_LOGGING_CATEGORY(lcLibrary, "docsight.store.library")

namespace docsight {
namespace {

std::atomic_int s_nextLibraryId{1};
std::atomic<quint64> s_nextThreadId{1};

// Connections opened by the current thread. A thread's connections are closed when it ends, so
// pool threads that expire leave no open handles behind (and a new thread never inherits a name).
struct ThreadConnections {
    quint64 threadId = s_nextThreadId.fetch_add(1);
    QStringList names;

    ~ThreadConnections()
    {
        for (const QString &name : std::as_const(names)) {
            if (!QSqlDatabase::contains(name))
                continue;
            QSqlDatabase::database(name, false).close();
            QSqlDatabase::removeDatabase(name);
        }
    }
};

ThreadConnections &threadConnections()
{
    thread_local ThreadConnections connections;
    return connections;
}

bool configureConnection(QSqlDatabase &db, QString *error)
{
    // WAL lets readers run beside the one writer; busy_timeout makes a second process wait
    // for the write lock instead of failing at once; foreign keys make page/chunk removal follow
    // document removal.
    return execSql(db, QStringLiteral("PRAGMA journal_mode=WAL"), error)
        && execSql(db, QStringLiteral("PRAGMA busy_timeout=15000"), error)
        && execSql(db, QStringLiteral("PRAGMA foreign_keys=ON"), error)
        && execSql(db, QStringLiteral("PRAGMA synchronous=NORMAL"), error);
}

} // namespace

bool execSql(QSqlDatabase &db, const QString &sql, QString *error)
{
    QSqlQuery q(db);
    if (q.exec(sql))
        return true;
    if (error)
        *error = q.lastError().text();
    qCWarning(lcLibrary) << "SQL failed:" << q.lastError().text();
    return false;
}

Library::Library(QString root)
    : m_root(std::move(root))
    , m_connectionPrefix(QStringLiteral("docsight-lib%1-").arg(s_nextLibraryId.fetch_add(1)))
{
}

Library::~Library()
{
    QMutexLocker lock(&m_connectionsMutex);
    for (const QString &name : std::as_const(m_connectionNames)) {
        // Connections of other threads are closed by those threads when they end; removing the
        // name here closes this thread's and stops anyone from reusing a dead library's handle.
        QSqlDatabase::removeDatabase(name);
    }
}

std::shared_ptr<Library> Library::open(const QString &folder, QString *error)
{
    const QString root = QDir(folder).absolutePath();
    if (!QDir().mkpath(root) || !QDir().mkpath(root + QStringLiteral("/files"))
        || !QDir().mkpath(root + QStringLiteral("/vectors"))) {
        if (error)
            *error = QStringLiteral("Cannot create the library folder %1").arg(root);
        return nullptr;
    }
    std::shared_ptr<Library> library(new Library(root));
    QSqlDatabase db = library->connection();
    if (!db.isOpen()) {
        if (error)
            *error = QStringLiteral("Cannot open %1: %2").arg(library->databasePath(), db.lastError().text());
        return nullptr;
    }
    if (!schema::migrate(db, error))
        return nullptr;
    return library;
}

QString Library::databasePath() const
{
    return m_root + QStringLiteral("/library.sqlite3");
}

QString Library::filesPath() const
{
    return m_root + QStringLiteral("/files");
}

QString Library::vectorsPath() const
{
    return m_root + QStringLiteral("/vectors");
}

QSqlDatabase Library::connection() const
{
    const QString name = m_connectionPrefix + QString::number(threadConnections().threadId);
    if (QSqlDatabase::contains(name))
        return QSqlDatabase::database(name);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(databasePath());
    if (!db.open()) {
        qCWarning(lcLibrary) << "cannot open database:" << db.lastError().text();
        return db;
    }
    QString error;
    if (!configureConnection(db, &error))
        qCWarning(lcLibrary) << "cannot configure connection:" << error;
    threadConnections().names.append(name);
    QMutexLocker lock(&m_connectionsMutex);
    m_connectionNames.append(name);
    return db;
}

bool Library::write(const std::function<bool(QSqlDatabase &)> &fn, QString *error) const
{
    QMutexLocker lock(&m_writeMutex);
    QSqlDatabase db = connection();
    QString localError;
    // BEGIN IMMEDIATE takes the write lock up front so two processes never deadlock mid-transaction.
    if (!execSql(db, QStringLiteral("BEGIN IMMEDIATE"), &localError)) {
        if (error)
            *error = localError;
        return false;
    }
    bool ok = false;
    try {
        ok = fn(db);
    } catch (...) {
        execSql(db, QStringLiteral("ROLLBACK"), nullptr);
        throw;
    }
    if (ok && execSql(db, QStringLiteral("COMMIT"), &localError))
        return true;
    if (!ok && error && error->isEmpty())
        *error = db.lastError().text();
    else if (ok && error)
        *error = localError;
    execSql(db, QStringLiteral("ROLLBACK"), nullptr);
    return false;
}

int Library::schemaVersion() const
{
    QSqlDatabase db = connection();
    return schema::storedVersion(db);
}

} // namespace docsight
