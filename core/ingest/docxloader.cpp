// The DOCX loader adapter: refuses encrypted and legacy Word files up front, then reads the
// package (docxpackage), its supporting parts (docxparts) and its body (docxcontentreader) into
// pages cut at the author's page breaks and at most kMaxPageChars long.

#include "ingest/docxloader.h"

#include <utility>

#include <QFile>
#include <QHash>
#include <QLoggingCategory>
#include <QXmlStreamReader>

#include "ingest/docxcontentreader.h"
#include "ingest/docxcontext.h"
#include "ingest/docxpackage.h"
#include "ingest/docxparts.h"
#include "ingest/docxxml.h"
#include "ingest/pagecutter.h"

namespace docsight {

namespace docx {

Q_LOGGING_CATEGORY(lcDocx, "docsight.ingest.docx")

} // namespace docx

using namespace docx;

namespace {

// Word lays pages out at display time, so a DOCX has no pages to cite. We cut where the author
// forced a break (w:br type="page", pageBreakBefore, a section that starts a new page) and then cut
// every piece longer than this at a paragraph boundary, so a citation points to a passage an
// analyst can find at a glance. lastRenderedPageBreak is ignored: it is only a cache of the layout
// of whichever machine saved the file last.
constexpr qsizetype kMaxPageChars = 3000;

// An OLE compound file where a .docx should be: an encrypted OOXML package, or a legacy .doc.
bool isCompoundFile(QFile &file) { return file.peek(8).startsWith("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"); }

bool holdsEncryptedPackage(QFile &file)
{
    // The stream directory can be anywhere in the file; its entry names are UTF-16LE.
    static const QByteArray name = QByteArrayLiteral("E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0");
    if (uchar *data = file.map(0, file.size())) {
        const bool found = QByteArrayView(data, file.size()).indexOf(name) >= 0;
        file.unmap(data);
        return found;
    }
    return file.size() <= kMaxUnpackedBytes && file.readAll().contains(name);
}

} // namespace

LoadError DocxLoader::read(const QString &path, const LoadOptions &, QList<PageContent> &pages)
{
    {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return LoadError::make(LoadError::Kind::Io,
                                   QStringLiteral("cannot read the file: %1").arg(file.errorString()));
        if (file.size() == 0)
            return LoadError::make(LoadError::Kind::Corrupt, QStringLiteral("not a Word document: the file is empty"));
        if (isCompoundFile(file)) {
            if (holdsEncryptedPackage(file)) {
                // Kind Unsupported, not PasswordRequired: no password would help, we cannot decrypt Word files.
                return LoadError::make(
                    LoadError::Kind::Unsupported,
                    QStringLiteral("the Word document is password-protected; Docsight cannot decrypt "
                                   "Word files, save an unprotected copy and import that"));
            }
            return LoadError::make(
                LoadError::Kind::Unsupported,
                QStringLiteral("not a .docx file: this looks like a legacy Word 97-2003 (.doc) file; "
                               "save it as .docx and import that"));
        }
    }

    Package package(path);
    if (const LoadError e = package.open(); e.isError())
        return e;

    QByteArray data;
    QString mainPart = QStringLiteral("word/document.xml");
    if (package.contains(QStringLiteral("_rels/.rels"))) {
        if (const LoadError e = package.read(QStringLiteral("_rels/.rels"), data); e.kind == LoadError::Kind::TooLarge)
            return e;
        const QString declared = partOfType(parseRelationships(data, QString()), u"/officeDocument");
        if (!declared.isEmpty() && package.contains(declared))
            mainPart = declared;
    }
    if (!package.contains(mainPart))
        return LoadError::make(LoadError::Kind::Corrupt,
                               QStringLiteral("not a Word document: %1 missing").arg(mainPart));

    QHash<QString, Relationship> relationships;
    const QString relsPart = relationshipsPartOf(mainPart);
    if (package.contains(relsPart)) {
        if (const LoadError e = package.read(relsPart, data); e.kind == LoadError::Kind::TooLarge)
            return e;
        relationships = parseRelationships(data, mainPart);
    }

    Context ctx;
    // Supporting parts are optional: a damaged one costs its own content, not the document.
    // Only the safety limit is fatal.
    LoadError fatal;
    auto readOptional = [&](const QString &part, const auto &parse) {
        if (fatal.isError() || part.isEmpty() || !package.contains(part))
            return;
        if (LoadError e = package.read(part, data); e.isError()) {
            if (e.kind == LoadError::Kind::TooLarge)
                fatal = e;
            else
                qCWarning(lcDocx) << "skipping a part of the document:" << e.message;
            return;
        }
        QXmlStreamReader xml(data);
        parse(xml);
        if (xml.hasError())
            qCWarning(lcDocx) << "skipping the rest of a part:" << xmlError(part, xml);
    };
    auto partOr = [&](QStringView typeSuffix, const QString &conventional) {
        const QString part = partOfType(relationships, typeSuffix);
        return part.isEmpty() ? conventional : part;
    };
    readOptional(partOr(u"/styles", QStringLiteral("word/styles.xml")),
                 [&](QXmlStreamReader &xml) { readStyles(xml, ctx); });
    readOptional(partOr(u"/numbering", QStringLiteral("word/numbering.xml")),
                 [&](QXmlStreamReader &xml) { ctx.numbering.read(xml); });
    readOptional(partOfType(relationships, u"/footnotes"),
                 [&](QXmlStreamReader &xml) { readNotes(xml, ctx, ctx.footnotes); });
    readOptional(partOfType(relationships, u"/endnotes"),
                 [&](QXmlStreamReader &xml) { readNotes(xml, ctx, ctx.endnotes); });
    if (fatal.isError())
        return fatal;
    // Notes may cite notes; only citations from the body count.
    ctx.footnotes.pending.clear();
    ctx.footnotes.counter = 0;
    ctx.endnotes.pending.clear();
    ctx.endnotes.counter = 0;

    // The body: the one part whose damage fails the document.
    if (LoadError e = package.read(mainPart, data); e.isError())
        return e;
    Flow body;
    body.keepsPageBreaks = true;
    {
        QXmlStreamReader xml(data);
        data.clear();
        ContentReader reader(xml, ctx);
        if (xml.readNextStartElement()) {
            if (!isW(xml, u"document")) {
                return LoadError::make(LoadError::Kind::Corrupt,
                                       QStringLiteral("not a Word document: %1 is not WordprocessingML").arg(mainPart));
            }
            while (xml.readNextStartElement()) {
                if (isW(xml, u"body"))
                    reader.readBlocks(body);
                else
                    xml.skipCurrentElement();
            }
        }
        if (xml.hasError())
            return LoadError::make(LoadError::Kind::Corrupt, xmlError(mainPart, xml));
        ContentReader::flushNotes(ctx.footnotes, body); // those of the last page
        ContentReader::flushNotes(ctx.endnotes, body);
    }

    QStringList headers;
    QStringList footers;
    for (const QString &id : std::as_const(ctx.headerIds)) {
        readOptional(relationships.value(id).part,
                     [&](QXmlStreamReader &xml) { readHeaderOrFooter(xml, ctx, headers); });
    }
    for (const QString &id : std::as_const(ctx.footerIds)) {
        readOptional(relationships.value(id).part,
                     [&](QXmlStreamReader &xml) { readHeaderOrFooter(xml, ctx, footers); });
    }
    if (fatal.isError())
        return fatal;
    // Headers and footers repeat on every printed page; once each, at the start and the end,
    // keeps them searchable without drowning the body in copies.
    body.pages.first() = headers + body.pages.first();
    body.pages.last() += footers;

    for (const QStringList &blocks : std::as_const(body.pages)) {
        for (const QString &text : cutIntoPages(blocks.join(u"\n\n"), kMaxPageChars, PageEdges::Trimmed)) {
            PageContent page;
            page.number = int(pages.size()) + 1;
            page.text = text;
            page.source = PageSource::Plain;
            pages.append(page);
        }
    }
    qCDebug(lcDocx) << "unpacked" << package.bytesRead() << "bytes into" << pages.size() << "pages";
    if (pages.isEmpty()) {
        return LoadError::make(LoadError::Kind::Empty,
                               ctx.sawImage
                                   ? QStringLiteral("the document contains no text, only images (Docsight does not "
                                                    "read text inside images of Word files)")
                                   : QStringLiteral("the document contains no text"));
    }
    return {};
}

const QLoggingCategory &DocxLoader::category() const { return docx::lcDocx(); }

} // namespace docsight
