// Reads the styles, notes and header/footer parts of a .docx into the Context the body uses.

#include "ingest/docxparts.h"

#include <QXmlStreamReader>

#include "ingest/docxcontentreader.h"
#include "ingest/docxcontext.h"
#include "ingest/docxnumbering.h"
#include "ingest/docxxml.h"

namespace docsight::docx {

void readStyles(QXmlStreamReader &xml, Context &ctx)
{
    if (!xml.readNextStartElement() || !isW(xml, u"styles"))
        return;
    while (xml.readNextStartElement()) {
        if (!isW(xml, u"style") || attribute(xml, u"type") != u"paragraph") {
            xml.skipCurrentElement();
            continue;
        }
        const QString id = attribute(xml, u"styleId");
        Style style;
        while (xml.readNextStartElement()) {
            if (isW(xml, u"basedOn")) {
                style.basedOn = attribute(xml, u"val");
                xml.skipCurrentElement();
            } else if (isW(xml, u"pPr")) {
                while (xml.readNextStartElement()) {
                    if (isW(xml, u"numPr"))
                        readNumberingProperties(xml, style.numId, style.level);
                    else
                        xml.skipCurrentElement();
                }
            } else {
                xml.skipCurrentElement();
            }
        }
        ctx.styles.insert(id, style);
    }
}

void readNotes(QXmlStreamReader &xml, Context &ctx, Notes &notes)
{
    if (!xml.readNextStartElement() || !(isW(xml, u"footnotes") || isW(xml, u"endnotes")))
        return;
    ContentReader reader(xml, ctx);
    while (xml.readNextStartElement()) {
        const QString type = attribute(xml, u"type");
        if (!(isW(xml, u"footnote") || isW(xml, u"endnote")) || (!type.isEmpty() && type != u"normal")) {
            xml.skipCurrentElement(); // separators and continuation notices
            continue;
        }
        const QString id = attribute(xml, u"id");
        Flow note;
        reader.readBlocks(note);
        const QString text = note.blocks().join(u'\n');
        if (!text.isEmpty())
            notes.text.insert(id, text);
    }
}

void readHeaderOrFooter(QXmlStreamReader &xml, Context &ctx, QStringList &blocks)
{
    if (!xml.readNextStartElement() || !(isW(xml, u"hdr") || isW(xml, u"ftr")))
        return;
    Flow flow;
    ContentReader(xml, ctx).readBlocks(flow);
    for (const QString &block : flow.blocks()) {
        if (!blocks.contains(block))
            blocks.append(block);
    }
}

} // namespace docsight::docx
