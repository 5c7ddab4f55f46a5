// DocxLoader on arbitrary bytes. An input starting with "PK" is the .docx file itself (QuaZip, the
// package limits, relationships). Anything else is the package's XML, which random zip bytes would
// rarely reach past the CRC checks: the parts are separated by NUL bytes (which XML cannot hold) in
// the order document, styles, numbering, footnotes, endnotes, and zipped into a package here.

#include "fuzzsupport.h"

#include "ingest/docxloader.h"
#include "ingest/loader.h"

#include <quazip.h>
#include <quazipfile.h>
#include <quazipnewinfo.h>

using namespace docsight;

namespace {

const char *const kPartNames[] = {"word/document.xml", "word/styles.xml", "word/numbering.xml",
                                  "word/footnotes.xml", "word/endnotes.xml"};

const QByteArray kDocumentRels = QByteArrayLiteral(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering\" Target=\"numbering.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes\" Target=\"footnotes.xml\"/>"
    "<Relationship Id=\"rId4\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/endnotes\" Target=\"endnotes.xml\"/>"
    "</Relationships>");

bool addEntry(QuaZip &zip, const QString &name, const QByteArray &bytes)
{
    QuaZipFile entry(&zip);
    if (!entry.open(QIODevice::WriteOnly, QuaZipNewInfo(name)))
        return false;
    const bool written = entry.write(bytes) == bytes.size();
    entry.close();
    return written && entry.getZipError() == 0;
}

QString writePackage(const QByteArray &parts)
{
    const QString path = fuzz::writeScratchFile({}, QStringLiteral("parts.docx"));
    QuaZip zip(path);
    DOCSIGHT_FUZZ_CHECK(zip.open(QuaZip::mdCreate), QString::number(zip.getZipError()));
    const QList<QByteArray> pieces = parts.split('\0');
    for (qsizetype i = 0; i < pieces.size() && i < qsizetype(std::size(kPartNames)); ++i)
        DOCSIGHT_FUZZ_CHECK(addEntry(zip, QString::fromLatin1(kPartNames[i]), pieces.at(i)), QString::fromLatin1(kPartNames[i]));
    DOCSIGHT_FUZZ_CHECK(addEntry(zip, QStringLiteral("word/_rels/document.xml.rels"), kDocumentRels), {});
    zip.close();
    DOCSIGHT_FUZZ_CHECK(zip.getZipError() == 0, QString::number(zip.getZipError()));
    return path;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz::ensureApplication();
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const QString path = bytes.startsWith("PK") ? fuzz::writeScratchFile(bytes, QStringLiteral("input.docx"))
                                                : writePackage(bytes);
    (void)detectDocumentType(path);

    DocxLoader loader;
    const LoadError error = loader.open(path, {});
    DOCSIGHT_FUZZ_CHECK(!error.isError() || loader.pageCount() == 0, error.message);
    fuzz::loadAndCheckPages(loader, fuzz::PageErrors::Forbidden);
    return 0;
}
