#include "search/vectormanifest.h"

#include <algorithm>

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QtEndian>

namespace docsight {

std::optional<VectorManifest> VectorManifest::read(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QJsonObject o = QJsonDocument::fromJson(file.readAll()).object();
    if (o.value(QLatin1String("format")).toInt() != kFormat || o.value(QLatin1String("space")).toString() != QLatin1String("ip"))
        return std::nullopt;
    VectorManifest m;
    m.embedder = o.value(QLatin1String("embedder")).toString();
    m.dimensions = o.value(QLatin1String("dimensions")).toInt();
    m.count = o.value(QLatin1String("count")).toInteger();
    m.elements = o.value(QLatin1String("elements")).toInteger();
    m.deleted = o.value(QLatin1String("deleted")).toInteger();
    m.m = o.value(QLatin1String("M")).toInteger();
    m.efConstruction = o.value(QLatin1String("ef_construction")).toInteger();
    m.chunkSetSha256 = o.value(QLatin1String("chunk_set_sha256")).toString().toLatin1();
    m.fileSha256 = o.value(QLatin1String("file_sha256")).toString().toLatin1();
    m.fileSize = o.value(QLatin1String("file_size")).toInteger(-1);
    if (m.embedder.isEmpty() || m.dimensions <= 0 || m.elements < 0 || m.fileSha256.isEmpty())
        return std::nullopt;
    return m;
}

bool VectorManifest::write(const QString &path, QString *error) const
{
    const QJsonObject o{
        {QStringLiteral("format"), kFormat},
        {QStringLiteral("embedder"), embedder},
        {QStringLiteral("dimensions"), dimensions},
        {QStringLiteral("space"), QStringLiteral("ip")},
        {QStringLiteral("count"), count},
        {QStringLiteral("elements"), elements},
        {QStringLiteral("deleted"), deleted},
        {QStringLiteral("M"), m},
        {QStringLiteral("ef_construction"), efConstruction},
        {QStringLiteral("chunk_set_sha256"), QString::fromLatin1(chunkSetSha256)},
        {QStringLiteral("file_sha256"), QString::fromLatin1(fileSha256)},
        {QStringLiteral("file_size"), fileSize},
        {QStringLiteral("hnswlib"), QStringLiteral("0.6.2")},
        {QStringLiteral("saved_at"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
    };
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly) || out.write(QJsonDocument(o).toJson()) < 0 || !out.commit()) {
        if (error)
            *error = QStringLiteral("cannot write %1").arg(path);
        return false;
    }
    return true;
}

QByteArray sha256OfFile(const QString &path, qint64 *size)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hash.addData(&f))
        return {};
    if (size)
        *size = f.size();
    return hash.result().toHex();
}

QByteArray sha256OfLabels(std::vector<quint64> labels)
{
    std::sort(labels.begin(), labels.end());
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const quint64 label : labels) {
        char bytes[8];
        qToLittleEndian(label, bytes);
        hash.addData(QByteArrayView(bytes, 8));
    }
    return hash.result().toHex();
}

} // namespace docsight
