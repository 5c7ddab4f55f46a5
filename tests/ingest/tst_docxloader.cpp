#include "ingest/docxloader.h"

#include "testsupport.h"

#include <thread>
#include <vector>

#include <quazip.h>
#include <quazipfile.h>

#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

using namespace docsight;

namespace {

using Entries = QList<QPair<QString, QByteArray>>;

Entries readZip(const QString &path)
{
    Entries entries;
    QuaZip zip(path);
    if (!zip.open(QuaZip::mdUnzip))
        return entries;
    for (bool more = zip.goToFirstFile(); more; more = zip.goToNextFile()) {
        QuaZipFile file(&zip);
        if (file.open(QIODevice::ReadOnly))
            entries.append({zip.getCurrentFileName(), file.readAll()});
    }
    return entries;
}

bool writeZip(const QString &path, const Entries &entries)
{
    QuaZip zip(path);
    if (!zip.open(QuaZip::mdCreate))
        return false;
    for (const auto &[name, data] : entries) {
        QuaZipFile file(&zip);
        if (!file.open(QIODevice::WriteOnly, QuaZipNewInfo(name)) || file.write(data) != data.size())
            return false;
        file.close();
    }
    zip.close();
    return zip.getZipError() == UNZ_OK;
}

// A corpus document with some parts replaced or added, so that fixtures keep the styles,
// numbering and relationships Word wrote.
Entries corpusWith(const QString &corpusFile, const Entries &changes)
{
    Entries entries = readZip(test::corpusPath(QStringLiteral("docx/") + corpusFile));
    for (const auto &[name, data] : changes) {
        const auto it = std::find_if(entries.begin(), entries.end(), [&](const auto &e) { return e.first == name; });
        if (it != entries.end())
            it->second = data;
        else
            entries.append({name, data});
    }
    return entries;
}

QByteArray wordDocument(const QByteArray &body)
{
    return QByteArrayLiteral("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                             "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\""
                             " xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
                             " xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\""
                             " xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\""
                             " xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\""
                             " xmlns:wps=\"http://schemas.microsoft.com/office/word/2010/wordprocessingShape\""
                             " xmlns:v=\"urn:schemas-microsoft-com:vml\" mc:Ignorable=\"wps\"><w:body>")
        + body + QByteArrayLiteral("</w:body></w:document>");
}

QByteArray paragraph(const QByteArray &text, const QByteArray &properties = {})
{
    return "<w:p>" + (properties.isEmpty() ? QByteArray() : "<w:pPr>" + properties + "</w:pPr>") + "<w:r><w:t>" + text
        + "</w:t></w:r></w:p>";
}

QByteArray numbered(const QByteArray &text, int numId, int level)
{
    return paragraph(text,
                     "<w:numPr><w:ilvl w:val=\"" + QByteArray::number(level) + "\"/><w:numId w:val=\""
                         + QByteArray::number(numId) + "\"/></w:numPr>");
}

QByteArray tableRow(const QList<QByteArray> &cells)
{
    QByteArray row = "<w:tr>";
    for (const QByteArray &cell : cells)
        row += "<w:tc><w:tcPr><w:tcW w:w=\"2000\" w:type=\"dxa\"/></w:tcPr>" + cell + "</w:tc>";
    return row + "</w:tr>";
}

QStringList pageTexts(DocxLoader &loader)
{
    QStringList texts;
    for (int i = 0; i < loader.pageCount(); ++i) {
        const PageResult r = loader.loadPage(i, CancelToken());
        if (r.error.isError())
            return {QStringLiteral("ERROR: ") + r.error.message};
        texts.append(r.page.text);
    }
    return texts;
}

} // namespace

class TestDocxLoader final : public QObject
{
    Q_OBJECT

public:
    TestDocxLoader() = default;

private:
    QTemporaryDir m_dir;
    int m_fixtures = 0;

    QString fixturePath() { return m_dir.filePath(QStringLiteral("fixture-%1.docx").arg(++m_fixtures)); }

    QString writeFixture(const Entries &entries)
    {
        const QString path = fixturePath();
        if (!writeZip(path, entries))
            return {};
        return path;
    }

    QString documentWithBody(const QByteArray &body, const Entries &extra = {})
    {
        Entries changes{{QStringLiteral("word/document.xml"), wordDocument(body)}};
        changes += extra;
        return writeFixture(corpusWith(QStringLiteral("test.docx"), changes));
    }

    QString writeBytes(const QByteArray &bytes)
    {
        const QString path = fixturePath();
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
            return {};
        return path;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void readsEveryCorpusDocument_data()
    {
        QTest::addColumn<QString>("path");
        const QStringList files = test::corpusFiles(QStringLiteral("docx"));
        QVERIFY(files.size() >= 5);
        for (const QString &path : files)
            QTest::newRow(qPrintable(QFileInfo(path).fileName())) << path;
    }

    void readsEveryCorpusDocument()
    {
        QFETCH(QString, path);
        DocxLoader loader;
        const LoadError error = loader.open(path, {});
        QVERIFY2(!error.isError(), qPrintable(error.message));
        QVERIFY(loader.pageCount() > 0);
        for (int i = 0; i < loader.pageCount(); ++i) {
            const PageResult r = loader.loadPage(i, CancelToken());
            QVERIFY2(!r.error.isError(), qPrintable(r.error.message));
            QCOMPARE(r.page.number, i + 1);
            QCOMPARE(r.page.source, PageSource::Plain);
            QVERIFY(!r.page.text.trimmed().isEmpty());
            QVERIFY(r.page.words.isEmpty());
            QVERIFY(r.page.sizePoints.isEmpty());
        }
    }

    void keepsParagraphsInOrderAndHeadingsApart_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("text");
        // The heading's text is split by a bookmark between two runs.
        QTest::newRow("par-known-paragraphs")
            << QStringLiteral("par-known-paragraphs.docx") << QStringLiteral("Heading Paragraph\n\nNormal paragraph");
        QTest::newRow("test") << QStringLiteral("test.docx")
                              << QStringLiteral("python-docx was here!\n\npython-docx was here too!");
    }

    void keepsParagraphsInOrderAndHeadingsApart()
    {
        QFETCH(QString, file);
        QFETCH(QString, text);
        DocxLoader loader;
        QVERIFY(!loader.open(test::corpusPath(QStringLiteral("docx/") + file), {}).isError());
        QCOMPARE(pageTexts(loader), QStringList{text});
    }

    void putsHeadersFirstAndFootersLast()
    {
        // Two sections: the first ends with a (default) next-page break and brings six header and
        // footer parts, of which only the default ones hold text.
        DocxLoader loader;
        QVERIFY(!loader.open(test::corpusPath(QStringLiteral("docx/hdr-header-footer.docx")), {}).isError());
        const QStringList expected{QStringLiteral("Header for section-1\n\nsection with header"),
                                   QStringLiteral("section without header of its own.\n\nFooter for section 1")};
        QCOMPARE(pageTexts(loader), expected);
    }

    void keepsPicturesAlternativeTextAndSkipsAutomaticNames()
    {
        // having-images.docx holds only pictures; their descriptive names are what it says.
        DocxLoader loader;
        QVERIFY(!loader.open(test::corpusPath(QStringLiteral("docx/having-images.docx")), {}).isError());
        const QString text = pageTexts(loader).join(u'\n');
        QVERIFY2(text.contains(QStringLiteral("[Picture: python-powered.png]")), qPrintable(text));
        QVERIFY(!text.contains(QStringLiteral("Picture 1")));
    }

    void notesTablesWhoseCellsAreAllEmpty()
    {
        // tbl-having-tables.docx is three tables of empty cells: a form nobody filled in.
        DocxLoader loader;
        QVERIFY(!loader.open(test::corpusPath(QStringLiteral("docx/tbl-having-tables.docx")), {}).isError());
        const QString text = pageTexts(loader).join(u'\n');
        QVERIFY2(text.contains(QStringLiteral("[Empty table: 2 rows \u00d7 2 columns]")), qPrintable(text));
    }

    void reportsDocumentWithoutTextAsEmpty()
    {
        const QString path = documentWithBody("<w:p/><w:p><w:r><w:t xml:space=\"preserve\">   </w:t></w:r></w:p>");
        DocxLoader loader;
        const LoadError error = loader.open(path, {});
        QCOMPARE(error.kind, LoadError::Kind::Empty);
        QCOMPARE(error.message, QStringLiteral("the document contains no text"));
    }

    void writesEachTableRowAsOneLine()
    {
        const QByteArray nested = "<w:tbl>" + tableRow({paragraph("n1"), paragraph("n2")})
            + tableRow({paragraph("n3"), paragraph("n4")}) + "</w:tbl>";
        const QByteArray table = "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/></w:tblPr>"
            + tableRow({paragraph("Name"), paragraph("Role"), paragraph("City")})
            + tableRow({"<w:p/>", "<w:p/>", "<w:p/>"}) // an empty row adds nothing
            + tableRow({paragraph("Ada"), paragraph("Engineer") + paragraph("Mathematician"), paragraph("London")})
            + tableRow({paragraph("Grace"), "<w:p/>", nested}) + "</w:tbl>";
        const QString path = writeFixture(corpusWith(
            QStringLiteral("tbl-having-tables.docx"),
            {{QStringLiteral("word/document.xml"), wordDocument(paragraph("Before") + table + paragraph("After"))}}));
        DocxLoader loader;
        QVERIFY(!loader.open(path, {}).isError());
        QCOMPARE(pageTexts(loader),
                 QStringList{QStringLiteral("Before\n\n"
                                            "Name | Role | City\n"
                                            "Ada | Engineer Mathematician | London\n"
                                            "Grace |  | n1 | n2 n3 | n4\n\n"
                                            "After")});
    }

    void prefixesListItemsWithTheirBulletOrNumber()
    {
        // test.docx's "List Bullet" style points at numId 1; the list definitions are ours.
        const QByteArray numbering = QByteArrayLiteral(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
            "<w:numbering xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
            "<w:abstractNum w:abstractNumId=\"10\"><w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/>"
            "<w:numFmt w:val=\"bullet\"/><w:lvlText w:val=\"\xef\x82\xb7\"/></w:lvl></w:abstractNum>"
            "<w:abstractNum w:abstractNumId=\"11\">"
            "<w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"decimal\"/><w:lvlText w:val=\"%1.\"/></w:lvl>"
            "<w:lvl w:ilvl=\"1\"><w:start w:val=\"1\"/><w:numFmt w:val=\"lowerLetter\"/><w:lvlText w:val=\"%1.%2)\"/>"
            "</w:lvl></w:abstractNum>"
            "<w:num w:numId=\"1\"><w:abstractNumId w:val=\"10\"/></w:num>"
            "<w:num w:numId=\"2\"><w:abstractNumId w:val=\"11\"/></w:num>"
            "<w:num w:numId=\"3\"><w:abstractNumId w:val=\"11\"/>"
            "<w:lvlOverride w:ilvl=\"0\"><w:startOverride w:val=\"10\"/></w:lvlOverride></w:num>"
            "</w:numbering>");
        const QByteArray body = paragraph("Apples", "<w:pStyle w:val=\"ListBullet\"/>")
            + paragraph("Pears", "<w:pStyle w:val=\"ListBullet\"/>") + numbered("First", 2, 0)
            + numbered("Second", 2, 0) + numbered("Detail", 2, 1) + numbered("More detail", 2, 1)
            + numbered("Third", 2, 0) + numbered("Restarted", 3, 0) + numbered("Not numbered", 0, 0);
        const QString path = documentWithBody(body, {{QStringLiteral("word/numbering.xml"), numbering}});
        DocxLoader loader;
        QVERIFY(!loader.open(path, {}).isError());
        QCOMPARE(pageTexts(loader),
                 QStringList{QStringLiteral("• Apples\n\n• Pears\n\n1. First\n\n2. Second\n\n"
                                            "2.a) Detail\n\n2.b) More detail\n\n3. Third\n\n"
                                            "10. Restarted\n\nNot numbered")});
    }

    void splitsPagesAtExplicitPageBreaksOnly()
    {
        const QByteArray body = paragraph("One")
            + "<w:p><w:r><w:t>Two a</w:t><w:br w:type=\"page\"/><w:t>Two b</w:t></w:r></w:p>"
            + paragraph("Three", "<w:pageBreakBefore/>")
            + paragraph("Four", "<w:sectPr><w:type w:val=\"continuous\"/></w:sectPr>")
            + paragraph("Five", "<w:sectPr><w:pgSz w:w=\"12240\" w:h=\"15840\"/></w:sectPr>")
            + "<w:p><w:r><w:lastRenderedPageBreak/><w:t>Six</w:t><w:br/><w:t>line</w:t></w:r></w:p>"
            + paragraph("Seven", "<w:pageBreakBefore w:val=\"0\"/>") + "<w:sectPr/>";
        DocxLoader loader;
        QVERIFY(!loader.open(documentWithBody(body), {}).isError());
        const QStringList expected{QStringLiteral("One\n\nTwo a"), QStringLiteral("Two b"),
                                   QStringLiteral("Three\n\nFour\n\nFive"), QStringLiteral("Six\nline\n\nSeven")};
        QCOMPARE(pageTexts(loader), expected);
    }

    void cutsLongDocumentsAtParagraphBoundaries()
    {
        QByteArray body;
        QStringList paragraphs;
        for (int i = 1; i <= 120; ++i) {
            const QString text = QStringLiteral("Paragraph %1 ").arg(i) + QString(230, u'x');
            paragraphs.append(text);
            body += paragraph(text.toUtf8());
        }
        DocxLoader loader;
        QVERIFY(!loader.open(documentWithBody(body), {}).isError());
        const QStringList pages = pageTexts(loader);
        QVERIFY(pages.size() >= 10);
        QStringList seen;
        for (const QString &page : pages) {
            QVERIFY(page.size() <= 3000);
            QVERIFY(page.size() >= 1000);
            seen += page.split(QStringLiteral("\n\n"));
        }
        QCOMPARE(seen, paragraphs);
    }

    void readsRunsAsWordDisplaysThem()
    {
        const QByteArray body =
            "<w:p><w:r><w:t xml:space=\"preserve\">Name:</w:t><w:tab/><w:t>Ada</w:t><w:br/><w:t>Line</w:t>"
            "<w:cr/><w:t>Next</w:t></w:r>"
            "<w:r><w:sym w:font=\"Wingdings\" w:char=\"F0E0\"/><w:t xml:space=\"preserve\"> co</w:t>"
            "<w:noBreakHyphen/><w:t>op </w:t></w:r>"
            "<w:hyperlink r:id=\"rId99\"><w:r><w:t>link</w:t></w:r></w:hyperlink>"
            "<w:del w:id=\"1\" w:author=\"a\"><w:r><w:delText> deleted</w:delText></w:r></w:del>"
            "<w:ins w:id=\"2\" w:author=\"a\"><w:r><w:t xml:space=\"preserve\"> inserted</w:t></w:r></w:ins>"
            "<w:r><w:t xml:space=\"preserve\"> = </w:t></w:r>"
            "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>"
            "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>42</w:t></w:r>"
            "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p>"
            "<w:sdt><w:sdtPr><w:alias w:val=\"Client\"/></w:sdtPr><w:sdtContent>"
            + paragraph("In a content control") + "</w:sdtContent></w:sdt>";
        DocxLoader loader;
        QVERIFY(!loader.open(documentWithBody(body), {}).isError());
        QCOMPARE(
            pageTexts(loader),
            QStringList{QStringLiteral("Name:\tAda\nLine\nNext co-op link inserted = 42\n\nIn a content control")});
    }

    void readsTextBoxesOnce()
    {
        // Word writes a text box twice: as DrawingML for itself and as VML for older readers.
        const QByteArray box = paragraph("Boxed text");
        const QByteArray body = "<w:p><w:r><w:t>Before</w:t></w:r><w:r><mc:AlternateContent>"
                                "<mc:Choice Requires=\"wps\"><w:drawing><wp:anchor><a:graphic><a:graphicData>"
                                "<wps:wsp><wps:txbx><w:txbxContent>"
            + box
            + "</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>"
              "</mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>"
            + box + "</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"
            + paragraph("After");
        DocxLoader loader;
        QVERIFY(!loader.open(documentWithBody(body), {}).isError());
        QCOMPARE(pageTexts(loader), QStringList{QStringLiteral("Before\n\nBoxed text\n\nAfter")});
    }

    void printsFootnotesAtTheEndOfTheirPage()
    {
        const QByteArray footnotes = QByteArrayLiteral(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
            "<w:footnotes xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
            "<w:footnote w:type=\"separator\" w:id=\"-1\"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>"
            "<w:footnote w:id=\"5\"><w:p><w:r><w:footnoteRef/></w:r>"
            "<w:r><w:t xml:space=\"preserve\"> Annual report 2019, p. 4.</w:t></w:r></w:p></w:footnote>"
            "</w:footnotes>");
        Entries entries = corpusWith(QStringLiteral("test.docx"), {});
        for (auto &[name, data] : entries) {
            if (name == u"word/_rels/document.xml.rels") {
                data.replace("</Relationships>",
                             "<Relationship Id=\"rId42\" Type=\"http://schemas.openxmlformats.org/officeDocument/"
                             "2006/relationships/footnotes\" Target=\"footnotes.xml\"/></Relationships>");
            }
        }
        const QByteArray body = "<w:p><w:r><w:t>Revenue grew.</w:t></w:r>"
                                "<w:r><w:footnoteReference w:id=\"5\"/></w:r></w:p>"
            + paragraph("More text") + "<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>" + paragraph("Next page");
        entries.append({QStringLiteral("word/footnotes.xml"), footnotes});
        for (auto &[name, data] : entries) {
            if (name == u"word/document.xml")
                data = wordDocument(body);
        }
        DocxLoader loader;
        QVERIFY(!loader.open(writeFixture(entries), {}).isError());
        const QStringList expected{QStringLiteral("Revenue grew.[1]\n\nMore text\n\n[1] Annual report 2019, p. 4."),
                                   QStringLiteral("Next page")};
        QCOMPARE(pageTexts(loader), expected);
    }

    void rejectsRandomBytesAsCorrupt()
    {
        QByteArray bytes(4096, '\0');
        QRandomGenerator generator(7);
        for (char &c : bytes)
            c = char(generator.bounded(256));
        bytes[0] = 'P'; // looks like a zip to a sniffer, is not one
        bytes[1] = 'K';
        DocxLoader loader;
        const LoadError error = loader.open(writeBytes(bytes), {});
        QCOMPARE(error.kind, LoadError::Kind::Corrupt);
        QVERIFY2(error.message.contains(QStringLiteral("zip")), qPrintable(error.message));
        QCOMPARE(loader.pageCount(), 0);
    }

    void rejectsTruncatedDocxAsCorrupt()
    {
        QFile original(test::corpusPath(QStringLiteral("docx/test.docx")));
        QVERIFY(original.open(QIODevice::ReadOnly));
        const QByteArray bytes = original.readAll();
        DocxLoader loader;
        const LoadError error = loader.open(writeBytes(bytes.left(bytes.size() / 2)), {});
        QCOMPARE(error.kind, LoadError::Kind::Corrupt);
        QVERIFY(!error.message.isEmpty());
    }

    void rejectsEmptyFileAsCorrupt()
    {
        DocxLoader loader;
        const LoadError error = loader.open(writeBytes({}), {});
        QCOMPARE(error.kind, LoadError::Kind::Corrupt);
        QVERIFY(error.message.startsWith(QStringLiteral("not a Word document")));
    }

    void rejectsZipWithoutDocumentXmlWithClearError()
    {
        // A spreadsheet renamed to .docx.
        const QString path = writeFixture(
            {{QStringLiteral("[Content_Types].xml"), "<Types/>"}, {QStringLiteral("xl/workbook.xml"), "<workbook/>"}});
        DocxLoader loader;
        const LoadError error = loader.open(path, {});
        QCOMPARE(error.kind, LoadError::Kind::Corrupt);
        QCOMPARE(error.message, QStringLiteral("not a Word document: word/document.xml missing"));
    }

    void reportsMalformedXmlWithTheParsersMessage()
    {
        const QString path = writeFixture(
            corpusWith(QStringLiteral("test.docx"),
                       {{QStringLiteral("word/document.xml"), wordDocument("<w:p><w:r><w:t>unclosed</w:r></w:p>")}}));
        DocxLoader loader;
        const LoadError error = loader.open(path, {});
        QCOMPARE(error.kind, LoadError::Kind::Corrupt);
        QVERIFY2(error.message.startsWith(QStringLiteral("word/document.xml is not well-formed XML: ")),
                 qPrintable(error.message));
        QVERIFY2(error.message.contains(QStringLiteral("line 2")), qPrintable(error.message));
    }

    void rejectsPasswordProtectedDocxWithClearError()
    {
        // Word saves a protected .docx as an OLE compound file holding an "EncryptedPackage" stream.
        QByteArray ole("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
        ole += QByteArray(1024, '\0');
        const QString streamName = QStringLiteral("EncryptedPackage");
        ole += QByteArray(reinterpret_cast<const char *>(streamName.utf16()), streamName.size() * 2);
        ole += QByteArray(1024, '\0');
        DocxLoader loader;
        const LoadError error = loader.open(writeBytes(ole), {});
        QCOMPARE(error.kind, LoadError::Kind::Unsupported);
        QVERIFY2(error.message.contains(QStringLiteral("password-protected")), qPrintable(error.message));
    }

    void rejectsLegacyWordFileRenamedToDocx()
    {
        QByteArray ole("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
        ole += QByteArray(2048, '\0');
        DocxLoader loader;
        const LoadError error = loader.open(writeBytes(ole), {});
        QCOMPARE(error.kind, LoadError::Kind::Unsupported);
        QVERIFY2(error.message.contains(QStringLiteral(".doc")), qPrintable(error.message));
    }

    void refusesPartsThatUnpackBeyondTheLimit()
    {
        // 210 MB of spaces deflate to ~200 KB: the shape of a zip bomb.
        const QString path = fixturePath();
        {
            QuaZip zip(path);
            QVERIFY(zip.open(QuaZip::mdCreate));
            QuaZipFile file(&zip);
            QVERIFY(file.open(QIODevice::WriteOnly, QuaZipNewInfo(QStringLiteral("word/document.xml")), nullptr, 0,
                              Z_DEFLATED, Z_BEST_SPEED));
            QVERIFY(file.write(wordDocument({}).left(300)) > 0);
            const QByteArray chunk(1024 * 1024, ' ');
            for (int i = 0; i < 210; ++i)
                QCOMPARE(file.write(chunk), chunk.size());
            file.close();
            zip.close();
            QCOMPARE(zip.getZipError(), UNZ_OK);
        }
        DocxLoader loader;
        const LoadError error = loader.open(path, {});
        QCOMPARE(error.kind, LoadError::Kind::TooLarge);
        QVERIFY(!error.message.isEmpty());
    }

    void survivesHostileNesting()
    {
        // Far deeper than any real document: must neither overflow the stack nor lose what came before.
        QByteArray body = paragraph("Visible");
        for (int i = 0; i < 20000; ++i)
            body += "<w:sdt><w:sdtContent>";
        body += paragraph("Buried");
        for (int i = 0; i < 20000; ++i)
            body += "</w:sdtContent></w:sdt>";
        body += paragraph("After");
        DocxLoader loader;
        QVERIFY(!loader.open(documentWithBody(body), {}).isError());
        QCOMPARE(pageTexts(loader), QStringList{QStringLiteral("Visible\n\nAfter")});
    }

    void refusesEntityExpansionBombs()
    {
        QByteArray doctype = "<!DOCTYPE w:document [<!ENTITY a0 \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\">";
        for (int i = 1; i <= 9; ++i) {
            doctype += "<!ENTITY a" + QByteArray::number(i) + " \"";
            for (int j = 0; j < 10; ++j)
                doctype += "&a" + QByteArray::number(i - 1) + ';';
            doctype += "\">";
        }
        doctype += "]>";
        QByteArray xml = wordDocument(paragraph("&a9;"));
        xml.insert(xml.indexOf('\n') + 1, doctype);
        DocxLoader loader;
        const LoadError error = loader.open(
            writeFixture(corpusWith(QStringLiteral("test.docx"), {{QStringLiteral("word/document.xml"), xml}})), {});
        QCOMPARE(error.kind, LoadError::Kind::Corrupt);
        QVERIFY2(error.message.contains(QStringLiteral("entity")), qPrintable(error.message));
    }

    void survivesRandomDamageToTheXml()
    {
        // Damaged supporting parts are logged and skipped; 150 rounds of that would drown the output.
        QLoggingCategory::setFilterRules(QStringLiteral("docsight.ingest.docx.warning=false"));
        const auto restoreLogging = qScopeGuard([] { QLoggingCategory::setFilterRules(QString()); });
        const Entries original = readZip(test::corpusPath(QStringLiteral("docx/hdr-header-footer.docx")));
        QRandomGenerator generator(11);
        for (int round = 0; round < 150; ++round) {
            Entries entries = original;
            for (auto &[name, data] : entries) {
                if (!name.endsWith(QLatin1String(".xml")) || data.isEmpty())
                    continue;
                for (int flips = 0; flips < 3; ++flips)
                    data[generator.bounded(int(data.size()))] = char(generator.bounded(256));
                if (generator.bounded(4) == 0)
                    data.truncate(generator.bounded(int(data.size())));
            }
            DocxLoader loader;
            const LoadError error = loader.open(writeFixture(entries), {});
            QVERIFY2(error.kind == LoadError::Kind::None || error.kind == LoadError::Kind::Corrupt
                         || error.kind == LoadError::Kind::Empty,
                     qPrintable(error.message));
            QCOMPARE(loader.pageCount() > 0, !error.isError());
        }
    }

    void reportsMissingFileAsIoError()
    {
        DocxLoader loader;
        QCOMPARE(loader.open(m_dir.filePath(QStringLiteral("nope.docx")), {}).kind, LoadError::Kind::Io);
    }

    void servesPagesFromSeveralThreads()
    {
        QByteArray body;
        for (int i = 0; i < 200; ++i)
            body += paragraph(QByteArray("Paragraph ") + QByteArray::number(i) + ' ' + QByteArray(200, 'y'));
        DocxLoader loader;
        QVERIFY(!loader.open(documentWithBody(body), {}).isError());
        const QStringList expected = pageTexts(loader);
        QVERIFY(expected.size() > 10);
        std::vector<QStringList> results(8);
        std::vector<std::thread> threads;
        for (auto &result : results) {
            threads.emplace_back([&loader, &result, n = loader.pageCount()] {
                for (int i = n - 1; i >= 0; --i)
                    result.prepend(loader.loadPage(i, CancelToken()).page.text);
            });
        }
        for (std::thread &t : threads)
            t.join();
        for (const QStringList &result : results)
            QCOMPARE(result, expected);
    }

    void refusesCancelledAndOutOfRangePageRequests()
    {
        DocxLoader loader;
        QVERIFY(!loader.open(test::corpusPath(QStringLiteral("docx/test.docx")), {}).isError());
        CancelToken cancelled;
        cancelled.cancel();
        QCOMPARE(loader.loadPage(0, cancelled).error.kind, LoadError::Kind::Cancelled);
        QVERIFY(loader.loadPage(loader.pageCount(), CancelToken()).error.isError());
        QVERIFY(loader.loadPage(-1, CancelToken()).error.isError());
    }

    void forgetsThePreviousDocumentWhenReopened()
    {
        DocxLoader loader;
        QVERIFY(!loader.open(test::corpusPath(QStringLiteral("docx/hdr-header-footer.docx")), {}).isError());
        QCOMPARE(loader.pageCount(), 2);
        QCOMPARE(loader.open(writeBytes("garbage"), {}).kind, LoadError::Kind::Corrupt);
        QCOMPARE(loader.pageCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestDocxLoader)
#include "tst_docxloader.moc"
