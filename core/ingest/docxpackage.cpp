// Reads the zip package of a .docx through QuaZip, with bounds on entry count and unpacked size,
// and resolves its relationships to part names that cannot escape the package.

#include "ingest/docxpackage.h"

#include <quazip.h>
#include <quazipfile.h>
#include <quazipfileinfo.h>

#include <QDir>
#include <QXmlStreamReader>

#include "ingest/docxxml.h"

namespace docsight::docx {

namespace {

constexpr int kMaxEntries = 100000;

// "word/document.xml" + "header1.xml" -> "word/header1.xml"; empty if it escapes the package.
QString resolvePart(const QString &sourcePart, const QString &target)
{
    QString path = target;
    if (path.startsWith(u'/')) {
        path.remove(0, 1);
    } else {
        const qsizetype slash = sourcePart.lastIndexOf(u'/');
        if (slash >= 0)
            path = sourcePart.left(slash + 1) + path;
    }
    path = QDir::cleanPath(path);
    if (path.isEmpty() || path == u".." || path.startsWith(u"../"))
        return {};
    return path;
}

} // namespace

Package::Package(const QString &path) : m_zip(std::make_unique<QuaZip>(path)) {}
Package::~Package() = default;

LoadError Package::open()
{
    if (!m_zip->open(QuaZip::mdUnzip)) {
        return LoadError::make(LoadError::Kind::Corrupt,
                               QStringLiteral("not a Word document, or a damaged one: the file is not a readable "
                                              "zip archive (zip error %1)")
                                   .arg(m_zip->getZipError()));
    }
    // A real document has a few dozen entries; a directory of millions only costs memory.
    if (m_zip->getEntriesCount() > kMaxEntries) {
        return LoadError::make(LoadError::Kind::TooLarge,
                               QStringLiteral("the archive has more than %1 entries").arg(kMaxEntries));
    }
    const QStringList names = m_zip->getFileNameList();
    for (const QString &name : names) {
        // Part names are case-insensitive (OPC), and some writers use backslashes.
        QString key = name.toLower();
        key.replace(u'\\', u'/');
        if (!m_names.contains(key))
            m_names.insert(key, name);
    }
    return {};
}

bool Package::contains(const QString &part) const { return m_names.contains(part.toLower()); }

qint64 Package::bytesRead() const { return kMaxUnpackedBytes - m_budget; }

LoadError Package::read(const QString &part, QByteArray &out)
{
    out.clear();
    const QString name = m_names.value(part.toLower());
    if (name.isEmpty() || !m_zip->setCurrentFile(name, QuaZip::csSensitive))
        return LoadError::make(LoadError::Kind::Corrupt, QStringLiteral("%1 is missing").arg(part));
    QuaZipFileInfo64 info;
    if (!m_zip->getCurrentFileInfo(&info))
        return LoadError::make(LoadError::Kind::Corrupt,
                               QStringLiteral("%1 cannot be read from the archive").arg(part));
    if (info.flags & 0x1) {
        return LoadError::make(
            LoadError::Kind::Unsupported,
            QStringLiteral("%1 is encrypted with a zip password; save an unprotected copy").arg(part));
    }
    // The declared size is checked first to fail fast, and the real size while inflating,
    // because a hostile archive can declare anything.
    if (qint64(info.uncompressedSize) > m_budget)
        return tooLarge();
    QuaZipFile file(m_zip.get());
    if (!file.open(QIODevice::ReadOnly)) {
        return LoadError::make(
            LoadError::Kind::Corrupt,
            QStringLiteral("%1 cannot be unpacked (zip error %2)").arg(part).arg(file.getZipError()));
    }
    char buffer[64 * 1024];
    for (;;) {
        const qint64 n = file.read(buffer, sizeof buffer);
        if (n < 0) {
            return LoadError::make(
                LoadError::Kind::Corrupt,
                QStringLiteral("%1 is damaged (zip error %2)").arg(part).arg(file.getZipError()));
        }
        if (n == 0)
            break;
        if (out.size() + n > m_budget) {
            out.clear();
            return tooLarge();
        }
        out.append(buffer, qsizetype(n));
    }
    file.close(); // checks the CRC
    if (file.getZipError() != UNZ_OK) {
        out.clear();
        return LoadError::make(LoadError::Kind::Corrupt,
                               QStringLiteral("%1 is damaged (zip error %2)").arg(part).arg(file.getZipError()));
    }
    m_budget -= out.size();
    return {};
}

LoadError Package::tooLarge()
{
    return LoadError::make(
        LoadError::Kind::TooLarge,
        QStringLiteral("the document unpacks to more than %1 MB").arg(kMaxUnpackedBytes / (1024 * 1024)));
}

QString relationshipsPartOf(const QString &part)
{
    const qsizetype slash = part.lastIndexOf(u'/');
    return part.left(slash + 1) + u"_rels/" + part.mid(slash + 1) + u".rels";
}

QString xmlError(const QString &part, const QXmlStreamReader &xml)
{
    return QStringLiteral("%1 is not well-formed XML: %2 (line %3, column %4)")
        .arg(part, xml.errorString())
        .arg(xml.lineNumber())
        .arg(xml.columnNumber());
}

QHash<QString, Relationship> parseRelationships(const QByteArray &data, const QString &sourcePart)
{
    QHash<QString, Relationship> out;
    QXmlStreamReader xml(data);
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement || xml.name() != u"Relationship")
            continue;
        if (attribute(xml, u"TargetMode") == u"External")
            continue;
        const QString part = resolvePart(sourcePart, attribute(xml, u"Target"));
        if (!part.isEmpty())
            out.insert(attribute(xml, u"Id"), Relationship{attribute(xml, u"Type"), part});
    }
    if (xml.hasError())
        qCWarning(lcDocx) << "ignoring damaged relationships:" << xmlError(QString(), xml);
    return out;
}

QString partOfType(const QHash<QString, Relationship> &relationships, QStringView typeSuffix)
{
    for (const Relationship &r : relationships) {
        if (r.type.endsWith(typeSuffix))
            return r.part;
    }
    return {};
}

} // namespace docsight::docx
