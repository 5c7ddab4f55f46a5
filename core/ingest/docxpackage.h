#pragma once

// The OOXML package of a .docx: zip entries by part name, unpacked under one shared size budget,
// and the relationship files that say which part plays which role.

#include "ingest/loader.h"

#include <memory>

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringView>

class QuaZip;
class QXmlStreamReader;

namespace docsight::docx {

// A zip bomb turns kilobytes into gigabytes. No real document needs more unpacked XML than this,
// summed over every part we read, so the budget is shared rather than per entry.
constexpr qint64 kMaxUnpackedBytes = qint64(200) * 1024 * 1024;

// The only user of QuaZip: the rest of the reader sees part names and bytes.
class Package final
{
public:
    explicit Package(const QString &path);
    ~Package();
    Q_DISABLE_COPY_MOVE(Package)

    LoadError open();
    bool contains(const QString &part) const;
    qint64 bytesRead() const;
    // Unpacks a whole part into out, charged to the budget; TooLarge once the budget is spent.
    LoadError read(const QString &part, QByteArray &out);

private:
    static LoadError tooLarge();

    std::unique_ptr<QuaZip> m_zip;
    QHash<QString, QString> m_names; // lower-case part name -> entry name in the archive
    qint64 m_budget = kMaxUnpackedBytes;
};

struct Relationship {
    QString type;
    QString part; // resolved part name
};

// "word/document.xml" -> "word/_rels/document.xml.rels"
QString relationshipsPartOf(const QString &part);

// rId -> relationship, internal targets only.
QHash<QString, Relationship> parseRelationships(const QByteArray &data, const QString &sourcePart);

// Relationship types differ between Transitional and Strict only before the last '/'.
QString partOfType(const QHash<QString, Relationship> &relationships, QStringView typeSuffix);

QString xmlError(const QString &part, const QXmlStreamReader &xml);

} // namespace docsight::docx
