#include "ingest/originals.h"

#include "util/lockfile.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace docsight::originals {

QString hashFile(const QString &path, const CancelToken &cancel, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the file: %1").arg(file.errorString());
        return {};
    }
    QCryptographicHash hash(QCryptographicHash::Sha256);
    QByteArray buffer(1 << 20, Qt::Uninitialized);
    while (!file.atEnd()) {
        if (cancel.isCancelled())
            return {};
        const qint64 n = file.read(buffer.data(), buffer.size());
        if (n < 0) {
            *error = QStringLiteral("cannot read the file: %1").arg(file.errorString());
            return {};
        }
        hash.addData(QByteArrayView(buffer.constData(), n));
    }
    return QString::fromLatin1(hash.result().toHex());
}

bool storeCopy(const QString &from, const QString &to, const CancelToken &cancel, QString *error)
{
    if (QFileInfo(to).size() == QFileInfo(from).size())
        return true; // left by an earlier, interrupted import of the same bytes (files are named by hash)
    QFile in(from);
    if (!in.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the file: %1").arg(in.errorString());
        return false;
    }
    QSaveFile out(to);
    if (!out.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot copy the file into the library: %1").arg(out.errorString());
        return false;
    }
    QByteArray buffer(1 << 20, Qt::Uninitialized);
    while (!in.atEnd()) {
        if (cancel.isCancelled()) {
            out.cancelWriting();
            *error = QStringLiteral("import cancelled");
            return false;
        }
        const qint64 n = in.read(buffer.data(), buffer.size());
        if (n < 0) {
            *error = QStringLiteral("cannot read the file: %1").arg(in.errorString());
            out.cancelWriting();
            return false;
        }
        if (out.write(buffer.constData(), n) != n) {
            *error = QStringLiteral("cannot copy the file into the library: %1").arg(out.errorString());
            out.cancelWriting();
            return false;
        }
    }
    if (!out.commit()) {
        *error = QStringLiteral("cannot copy the file into the library: %1").arg(out.errorString());
        return false;
    }
    return true;
}

// One reader per content (SHA-256), within this process and across processes sharing the library:
// registration (look up, copy, add) and reading happen under it, so identical files in one import,
// or two imports of the same file, give one document and duplicates instead of racing for the same
// row and stored file. A killed process's lock is stale (its PID is gone, or it was killed before
// writing its PID: util/lockfile) and is taken over; age never makes it stale, since reading a long
// scan takes as long as it takes.
std::unique_ptr<QLockFile> lockContent(const QString &locksDir, const QString &sha256, const CancelToken &cancel,
                                       bool wait, QString *error)
{
    if (!QDir().mkpath(locksDir)) {
        *error = QStringLiteral("cannot create %1").arg(QDir::toNativeSeparators(locksDir));
        return nullptr;
    }
    const QString path = locksDir + QLatin1Char('/') + sha256 + QStringLiteral(".lock");
    auto lock = std::make_unique<QLockFile>(path);
    lock->setStaleLockTime(0);
    for (;;) {
        if (tryLockOwned(*lock, path, 200))
            return lock;
        if (lock->error() != QLockFile::LockFailedError) {
            *error = lock->error() == QLockFile::PermissionError
                ? QStringLiteral("the library's folder cannot be written")
                : QStringLiteral("cannot write a lock file in %1").arg(QDir::toNativeSeparators(locksDir));
            return nullptr;
        }
        if (!wait) {
            *error = QStringLiteral("the document is being read by another Docsight window or command");
            return nullptr;
        }
        if (cancel.isCancelled()) {
            *error = QStringLiteral("import cancelled");
            return nullptr;
        }
    }
}

bool contentLocked(const QString &locksDir, const QString &sha256)
{
    const QString path = locksDir + QLatin1Char('/') + sha256 + QStringLiteral(".lock");
    QLockFile probe(path);
    probe.setStaleLockTime(0);
    if (tryLockOwned(probe, path, 0)) {
        probe.unlock();
        return false;
    }
    return probe.error() == QLockFile::LockFailedError;
}

} // namespace docsight::originals
