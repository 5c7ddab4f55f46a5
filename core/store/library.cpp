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
#include <QUrl>

#include <pwd.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace docsight {

Q_LOGGING_CATEGORY(lcLibrary, "docsight.store.library")

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

bool configureReadOnlyConnection(QSqlDatabase &db, QString *error)
{
    // No journal-mode switch (a write); query_only makes any write a clear error, not a surprise.
    return execSql(db, QStringLiteral("PRAGMA query_only=1"), error)
        && execSql(db, QStringLiteral("PRAGMA busy_timeout=15000"), error)
        && execSql(db, QStringLiteral("PRAGMA cache_size=-16384"), error);
}

bool configureConnection(QSqlDatabase &db, QString *error)
{
    // WAL lets readers run beside the one writer; busy_timeout makes a second process wait
    // for the write lock instead of failing at once; foreign keys make page/chunk removal follow
    // document removal.
    // The busy timeout comes first: switching a new database to WAL needs a lock that another
    // process creating the same library may hold for a moment.
    return execSql(db, QStringLiteral("PRAGMA busy_timeout=15000"), error)
        && execSql(db, QStringLiteral("PRAGMA journal_mode=WAL"), error)
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

// Why this account may not write the library at root, or an empty string when it may.
QString readOnlyReasonFor(const QString &root, const QString &database)
{
    const QFileInfo rootInfo(root);
    const QFileInfo dbInfo(database);
    if (rootInfo.isWritable() && dbInfo.isWritable())
        return {};
    struct statvfs fs {};
    if (::statvfs(QFile::encodeName(root).constData(), &fs) == 0 && (fs.f_flag & ST_RDONLY))
        return QStringLiteral("its file system is mounted read-only");
    const passwd *account = ::getpwuid(::geteuid());
    return QStringLiteral("this account (%1) may not write to it")
        .arg(account ? QString::fromLocal8Bit(account->pw_name) : QString::number(::geteuid()));
}

} // namespace

bool execSql(QSqlDatabase &db, const QString &sql, QString *error)
{
    QSqlQuery q(db);
    if (q.exec(sql))
        return true;
    if (error)
        *error = sqlErrorText(q.lastError());
    qCWarning(lcLibrary) << "SQL failed:" << sqlErrorText(q.lastError());
    return false;
}

Library::Library(QString root, QString readOnlyReason)
    : m_root(std::move(root))
    , m_readOnlyReason(std::move(readOnlyReason))
    , m_connectionPrefix(QStringLiteral("docsight-lib%1-").arg(s_nextLibraryId.fetch_add(1)))
{
}

Library::~Library()
{
    // Only this thread's connections are closed here. Another thread's connection is closed by that
    // thread when it ends (ThreadConnections): closing it from here could pull it from under a query.
    closeConnections();
}

std::shared_ptr<Library> Library::open(const QString &folder, QString *error)
{
    const QString root = QDir(folder).absolutePath();
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return nullptr;
    };
    if (QFileInfo(root).exists() && !QFileInfo(root).isDir())
        return fail(QStringLiteral("%1 is a file, not a library folder").arg(QDir::toNativeSeparators(root)));
    // Docsight's own subfolders: a file of the same name is named as the problem, not the library.
    for (const QString &sub : {QStringLiteral("files"), QStringLiteral("vectors"), QStringLiteral("locks")}) {
        const QFileInfo info(root + QLatin1Char('/') + sub);
        if (info.exists() && !info.isDir())
            return fail(QStringLiteral("%1 is a file, but Docsight keeps a folder of that name in the library; "
                                       "move the file away and open the library again")
                            .arg(QDir::toNativeSeparators(info.absoluteFilePath())));
    }
    const QString database = root + QStringLiteral("/library.sqlite3");
    const QString readOnly = QFileInfo::exists(database) ? readOnlyReasonFor(root, database) : QString();
    if (!readOnly.isEmpty())
        return openReadOnly(root, readOnly, error);
    if (!QDir().mkpath(root) || !QDir().mkpath(root + QStringLiteral("/files"))
        || !QDir().mkpath(root + QStringLiteral("/vectors"))) {
        QString parent = root;
        while (!QFileInfo::exists(parent) && parent != QDir(parent).absoluteFilePath(QStringLiteral("..")))
            parent = QFileInfo(parent).absolutePath();
        const QString why = QFileInfo(parent).isWritable()
            ? QStringLiteral("the disk may be full")
            : QStringLiteral("%1 cannot be written").arg(QDir::toNativeSeparators(parent));
        return fail(QStringLiteral("Cannot create the library folder %1: %2").arg(QDir::toNativeSeparators(root), why));
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
            *error = QStringLiteral("Cannot open %1: %2").arg(library->databasePath(), sqlErrorText(db.lastError()));
        return nullptr;
    }
    if (!schema::migrate(db, error)) {
        if (error && error->contains(QLatin1String("file is not a database")))
            *error = QStringLiteral("%1 is damaged or is not a Docsight library database").arg(library->databasePath());
        return nullptr;
    }
    return library;
}

std::shared_ptr<Library> Library::openReadOnly(const QString &root, const QString &reason, QString *error)
{
    std::shared_ptr<Library> library(new Library(root, reason));
    // A WAL database opens read-only when its -shm file exists or can be created next to it; in a
    // folder nobody may write, without one, SQLite reads it in immutable mode (no locking, which is
    // right for a backup or a read-only share, where no one writes meanwhile).
    const QString shm = library->databasePath() + QStringLiteral("-shm");
    library->m_immutable = !QFileInfo::exists(shm) && !QFileInfo(root).isWritable();
    int version = 0;
    QString sqlError;
    {
        QSqlDatabase db = library->connection();
        version = db.isOpen() ? schema::storedVersion(db) : 0;
        sqlError = sqlErrorText(db.lastError());
    }
    if (version == 0) {
        if (error)
            *error = QStringLiteral("Cannot read %1 (%2): %3").arg(library->databasePath(), reason, sqlError);
        return nullptr;
    }
    if (version < schema::currentVersion()) {
        if (error)
            *error = QStringLiteral("This library was written by an older Docsight (schema version %1) and must be "
                                    "upgraded, which needs write access, but %2. Open it once where it can be written.")
                         .arg(version)
                         .arg(reason);
        return nullptr;
    }
    return library;
}

void Library::closeConnections()
{
    ThreadConnections &mine = threadConnections();
    QMutexLocker lock(&m_connectionsMutex);
    for (const QString &name : std::as_const(m_connectionNames)) {
        if (!mine.names.removeOne(name))
            continue;
        QSqlDatabase::database(name, false).close();
        QSqlDatabase::removeDatabase(name);
    }
    m_connectionNames.clear();
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

QString Library::locksPath() const
{
    return m_root + QStringLiteral("/locks");
}

QSqlDatabase Library::connection() const
{
    const QString name = m_connectionPrefix + QString::number(threadConnections().threadId);
    if (QSqlDatabase::contains(name))
        return QSqlDatabase::database(name);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    if (m_immutable) {
        db.setDatabaseName(QStringLiteral("file:%1?immutable=1").arg(QString::fromUtf8(QUrl::toPercentEncoding(databasePath(), "/"))));
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_OPEN_URI"));
    } else {
        db.setDatabaseName(databasePath());
        if (isReadOnly())
            db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
    }
    if (!db.open()) {
        qCWarning(lcLibrary) << "cannot open database:" << sqlErrorText(db.lastError());
        return db;
    }
    QString error;
    if (!(isReadOnly() ? configureReadOnlyConnection(db, &error) : configureConnection(db, &error)))
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
    if (isReadOnly()) {
        if (error)
            *error = QStringLiteral("the library is read-only: %1").arg(m_readOnlyReason);
        return false;
    }
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
