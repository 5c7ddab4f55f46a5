#include "util/lockfile.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QLoggingCategory>

namespace docsight {

Q_LOGGING_CATEGORY(lcLockFile, "docsight.util.lockfile")

namespace {

// QLockFile writes the PID microseconds after creating the file, in the same call.
constexpr qint64 kOwnerlessGraceMs = 2000;

bool ownerNamed(const QLockFile &lock)
{
    qint64 pid = 0;
    QString host;
    QString application;
    return lock.getLockInfo(&pid, &host, &application);
}

bool removeAbandoned(const QLockFile &lock, const QString &path)
{
    if (ownerNamed(lock))
        return false; // QLockFile itself tells whether that owner is alive
    // Several processes may find the file at once: one removes it, under a lock of its own, and
    // only while it is still the same old empty file (not a new lock another process just took).
    QLockFile guard(path + QStringLiteral(".rmlock"));
    if (!guard.tryLock(0))
        return false;
    const QFileInfo info(path);
    if (!info.exists() || info.size() > 0 || ownerNamed(lock)
        || info.lastModified().msecsTo(QDateTime::currentDateTime()) < kOwnerlessGraceMs)
        return false;
    qCInfo(lcLockFile) << "removing a lock file that names no owner (left by a killed process):" << path;
    return QFile::remove(path);
}

} // namespace

bool tryLockOwned(QLockFile &lock, const QString &path, int timeoutMs)
{
    if (lock.tryLock(timeoutMs))
        return true;
    if (lock.error() != QLockFile::LockFailedError || !removeAbandoned(lock, path))
        return false;
    return lock.tryLock(0);
}

} // namespace docsight
