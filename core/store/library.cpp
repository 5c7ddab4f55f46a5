#include "store/library.h"

#include "store/schema.h"

#include <atomic>

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
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
    bool hooked = false;

    void closeAll()
    {
        for (const QString &name : std::as_const(names)) {
            if (!QSqlDatabase::contains(name))
                continue;
            QSqlDatabase::database(name, false).close();
            QSqlDatabase::removeDatabase(name);
        }
        names.clear();
    }

    ~ThreadConnections() { closeAll(); }
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
        && execSql(db, QStringLiteral("PRAGMA synchronous=NORMAL"), error)
        // Keyword ranking reads many FTS5 index pages per question; with the 2 MB default a big
        // library re-reads them from the OS on every search.
        && execSql(db, QStringLiteral("PRAGMA cache_size=-16384"), error);
}

// The schema version of an existing database file, read without writing to it; 0 when absent.
int peekSchemaVersion(const QString &path)
{
    if (!QFileInfo::exists(path))
        return 0;
    static std::atomic_int s_peek{0};
    const QString name = QStringLiteral("docsight-peek-%1").arg(s_peek.fetch_add(1));
    int version = 0;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (db.open())
            version = schema::storedVersion(db);
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return version;
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
    // Only this thread's connections are closed here. Another thread's connection is closed by that
    // thread when it ends (ThreadConnections): closing it from here could pull it from under a query.
    ThreadConnections &mine = threadConnections();
    QMutexLocker lock(&m_connectionsMutex);
    for (const QString &name : std::as_const(m_connectionNames)) {
        if (!mine.names.removeOne(name))
            continue;
        QSqlDatabase::database(name, false).close();
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
    // A library from a newer Docsight is refused before anything (even switching it to WAL) writes
    // to its file.
    if (const int stored = peekSchemaVersion(root + QStringLiteral("/library.sqlite3")); stored > schema::currentVersion()) {
        if (error)
            *error = QStringLiteral("This library was written by a newer Docsight (schema version %1; this build "
                                    "reads up to %2). Open it with a newer Docsight; nothing was changed.")
                         .arg(stored)
                         .arg(schema::currentVersion());
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
    ThreadConnections &mine = threadConnections();
    mine.names.append(name);
    // Close on QThread::finished, emitted by the ending thread before QThread::wait() returns. The
    // thread_local destructor alone runs after that, so at process exit it raced QtSql's own static
    // teardown (a crash in about one CLI run in twenty under load).
    QThread *thread = QThread::currentThread();
    const QCoreApplication *app = QCoreApplication::instance();
    if (!mine.hooked && app && thread != app->thread()) {
        mine.hooked = true;
        QObject::connect(thread, &QThread::finished, thread, [] { threadConnections().closeAll(); }, Qt::DirectConnection);
    }
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
