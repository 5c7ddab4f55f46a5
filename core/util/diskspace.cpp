#include "util/diskspace.h"

#include <QDir>
#include <QLocale>
#include <QStorageInfo>

namespace docsight {
namespace {

// Below this a write of one page or one copied file is likely to fail; the number only decides
// whether an unspecific I/O error is reported as "disk full", never whether a write is tried.
constexpr qint64 kNearlyFull = 1024 * 1024;

bool saysDiskFull(const QString &text)
{
    return text.contains(QLatin1String("disk is full"), Qt::CaseInsensitive)
        || text.contains(QLatin1String("No space left"), Qt::CaseInsensitive)
        || text.contains(QLatin1String("quota exceeded"), Qt::CaseInsensitive);
}

bool saysIoError(const QString &text)
{
    return text.contains(QLatin1String("disk I/O error"), Qt::CaseInsensitive)
        || text.contains(QLatin1String("cannot copy"), Qt::CaseInsensitive)
        || text.contains(QLatin1String("cannot write"), Qt::CaseInsensitive)
        || text.contains(QLatin1String("cannot save"), Qt::CaseInsensitive);
}

} // namespace

QString humanBytes(qint64 bytes)
{
    const QLocale c = QLocale::c();
    if (bytes < 1024)
        return QStringLiteral("%1 bytes").arg(bytes);
    if (bytes < 1024 * 1024)
        return QStringLiteral("%1 KB").arg(bytes / 1024);
    if (bytes < qint64(1024) * 1024 * 1024)
        return QStringLiteral("%1 MB").arg(c.toString(double(bytes) / (1024.0 * 1024.0), 'f', 1));
    return QStringLiteral("%1 GB").arg(c.toString(double(bytes) / (1024.0 * 1024.0 * 1024.0), 'f', 1));
}

QString diskFullReason(const QString &errorText, const QString &folder)
{
    QStorageInfo storage(folder);
    storage.refresh();
    const qint64 free = storage.isValid() ? storage.bytesAvailable() : -1;
    const bool full = saysDiskFull(errorText) || (saysIoError(errorText) && free >= 0 && free < kNearlyFull);
    if (!full)
        return {};
    const QString where = QDir::toNativeSeparators(QDir(folder).absolutePath());
    if (free < 0)
        return QStringLiteral("the disk is full (%1)").arg(where);
    return QStringLiteral("the disk is full: %1 free in %2").arg(humanBytes(free), where);
}

} // namespace docsight
