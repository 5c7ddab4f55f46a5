// Turns WordprocessingML into text blocks as Word displays them: list labels, tables one row a
// line, text boxes after their paragraph, footnote marks, pictures by their alternative text, and
// the author's page breaks. Nesting is bounded, so hostile files cannot exhaust the stack.

#include "ingest/docxcontentreader.h"

#include <algorithm>
#include <utility>

#include <QRegularExpression>
#include <QXmlStreamReader>

#include "ingest/docxcontext.h"
#include "ingest/docxnumbering.h"
#include "ingest/docxxml.h"

namespace docsight::docx {

namespace {

// Recursion follows the XML nesting; hostile files nest far deeper than any real document.
constexpr int kMaxDepth = 100;
constexpr int kMaxStyleChain = 20;

} // namespace

struct ContentReader::Paragraph {
    QString styleId;
    QString numId;
    int level = -1;
    bool pageBreakBefore = false;
    bool sectionBreaksPage = false;
    bool propertiesApplied = false;
    QString label;
    QString text;
    Flow textBoxes; // text-box paragraphs anchored here, emitted after this paragraph
};

template<typename F>
auto ContentReader::nested(F &&read) -> decltype(read())
{
    if (m_depth >= kMaxDepth) {
        if (!std::exchange(m_warnedDepth, true))
            qCWarning(lcDocx) << "skipping content nested deeper than" << kMaxDepth << "levels";
        m_xml.skipCurrentElement();
        return decltype(read())();
    }
    ++m_depth;
    struct Leave {
        int &depth;
        ~Leave() { --depth; }
    } leave{m_depth};
    return read();
}

// Alternatives carry the same content twice (e.g. a text box as DrawingML and as VML): read
// the first one only.
template<typename F>
void ContentReader::readAlternateContent(F &&readChoice)
{
    nested([&] {
        bool taken = false;
        while (m_xml.readNextStartElement()) {
            if (!taken && isMarkupCompatibilityNs(m_xml.namespaceUri())
                && (m_xml.name() == u"Choice" || m_xml.name() == u"Fallback")) {
                taken = true;
                nested(readChoice);
            } else {
                m_xml.skipCurrentElement();
            }
        }
    });
}

// A content control or an alternate-content wrapper holds more of the same children: they are read
// with readChildren. Anything else is skipped.
template<typename F>
void ContentReader::readWrapperOrSkip(F &&readChildren)
{
    if (isBlockContainer())
        nested(readChildren);
    else if (isAlternateContent())
        readAlternateContent(readChildren);
    else
        m_xml.skipCurrentElement();
}

void ContentReader::readBlocks(Flow &flow)
{
    while (m_xml.readNextStartElement()) {
        if (isW(m_xml, u"p")) {
            readParagraph(flow);
        } else if (isW(m_xml, u"tbl")) {
            flow.add(nested([&] { return readTable(); }));
        } else if (isW(m_xml, u"sectPr")) {
            readSectionProperties(); // the last section: no break after it
        } else {
            readWrapperOrSkip([&] { readBlocks(flow); });
        }
    }
}

void ContentReader::breakPage(Flow &flow)
{
    if (!flow.keepsPageBreaks)
        return;
    flushNotes(m_ctx.footnotes, flow);
    flow.pageBreak();
}

void ContentReader::flushNotes(Notes &notes, Flow &flow)
{
    for (const QString &note : std::as_const(notes.pending))
        flow.add(note);
    notes.pending.clear();
}

bool ContentReader::isBlockContainer() const
{
    static const QStringList names{QStringLiteral("sdt"), QStringLiteral("sdtContent"), QStringLiteral("customXml"),
                                   QStringLiteral("ins"), QStringLiteral("moveTo"),     QStringLiteral("smartTag")};
    return isWordNs(m_xml.namespaceUri()) && names.contains(m_xml.name());
}

bool ContentReader::isAlternateContent() const
{
    return m_xml.name() == u"AlternateContent" && isMarkupCompatibilityNs(m_xml.namespaceUri());
}

void ContentReader::readParagraph(Flow &flow)
{
    Paragraph p;
    while (m_xml.readNextStartElement()) {
        if (isW(m_xml, u"pPr")) {
            readParagraphProperties(p);
            continue;
        }
        applyProperties(p, flow);
        readInline(p, flow);
    }
    applyProperties(p, flow);
    flushParagraph(p, flow);
    if (p.sectionBreaksPage)
        breakPage(flow);
}

void ContentReader::readParagraphProperties(Paragraph &p)
{
    while (m_xml.readNextStartElement()) {
        if (isW(m_xml, u"pStyle")) {
            p.styleId = attribute(m_xml, u"val");
            m_xml.skipCurrentElement();
        } else if (isW(m_xml, u"numPr")) {
            readNumberingProperties(m_xml, p.numId, p.level);
        } else if (isW(m_xml, u"pageBreakBefore")) {
            p.pageBreakBefore = isOn(attribute(m_xml, u"val"));
            m_xml.skipCurrentElement();
        } else if (isW(m_xml, u"sectPr")) {
            p.sectionBreaksPage = readSectionProperties();
        } else {
            m_xml.skipCurrentElement(); // formatting, and tracked changes of it (pPrChange)
        }
    }
}

// Returns whether the section ends with a page break.
bool ContentReader::readSectionProperties()
{
    bool breaksPage = true;
    while (m_xml.readNextStartElement()) {
        if (isW(m_xml, u"headerReference") || isW(m_xml, u"footerReference")) {
            QStringList &ids = m_xml.name() == u"headerReference" ? m_ctx.headerIds : m_ctx.footerIds;
            const QString id = attribute(m_xml, u"id");
            if (!id.isEmpty() && !ids.contains(id))
                ids.append(id);
        } else if (isW(m_xml, u"type")) {
            const QString type = attribute(m_xml, u"val");
            breaksPage = !(type == u"continuous" || type == u"nextColumn");
        }
        m_xml.skipCurrentElement();
    }
    return breaksPage;
}

// Paragraph properties come first in w:p; they take effect before any of its content.
void ContentReader::applyProperties(Paragraph &p, Flow &flow)
{
    if (p.propertiesApplied)
        return;
    p.propertiesApplied = true;
    if (p.pageBreakBefore)
        breakPage(flow);
    QString numId = p.numId;
    int level = p.level;
    QString styleId = p.styleId;
    for (int i = 0; numId.isEmpty() && !styleId.isEmpty() && i < kMaxStyleChain; ++i) {
        const Style style = m_ctx.styles.value(styleId);
        numId = style.numId;
        if (level < 0)
            level = style.level;
        styleId = style.basedOn;
    }
    p.label = m_ctx.numbering.nextLabel(numId, qMax(level, 0));
}

void ContentReader::flushParagraph(Paragraph &p, Flow &flow)
{
    if (!p.text.trimmed().isEmpty()) {
        flow.add(p.label + p.text.trimmed());
        p.label.clear();
    }
    p.text.clear();
    for (const QString &block : p.textBoxes.blocks())
        flow.add(block);
    p.textBoxes.pages = {QStringList()};
}

// The current element inside a paragraph: a run, or something that holds runs.
void ContentReader::readInline(Paragraph &p, Flow &flow)
{
    static const QStringList containers{
        QStringLiteral("r"),          QStringLiteral("hyperlink"), QStringLiteral("ins"),
        QStringLiteral("moveTo"),     QStringLiteral("smartTag"),  QStringLiteral("sdt"),
        QStringLiteral("sdtContent"), QStringLiteral("fldSimple"), QStringLiteral("customXml"),
        QStringLiteral("dir"),        QStringLiteral("bdo"),       QStringLiteral("ruby"),
        QStringLiteral("rubyBase")};
    const QStringView name = m_xml.name();
    if (isWordNs(m_xml.namespaceUri())) {
        if (name == u"t") {
            p.text += m_xml.readElementText(QXmlStreamReader::SkipChildElements);
            return;
        }
        if (name == u"tab" || name == u"ptab") {
            p.text += u'\t';
        } else if (name == u"cr") {
            p.text += u'\n';
        } else if (name == u"noBreakHyphen") {
            p.text += u'-';
        } else if (name == u"br") {
            if (attribute(m_xml, u"type") == u"page" && flow.keepsPageBreaks) {
                flushParagraph(p, flow);
                breakPage(flow);
            } else {
                p.text += u'\n';
            }
        } else if (name == u"footnoteReference" || name == u"endnoteReference") {
            const bool foot = name == u"footnoteReference";
            referenceNote(foot ? m_ctx.footnotes : m_ctx.endnotes, attribute(m_xml, u"id"), foot, p);
        } else if (name == u"drawing" || name == u"pict" || name == u"object") {
            readDrawing(p);
            return;
        } else if (containers.contains(name)) {
            nested([&] {
                while (m_xml.readNextStartElement())
                    readInline(p, flow);
            });
            return;
        }
        // Everything else carries no text of its own: formatting, field codes (instrText),
        // deleted text (del, delText, moveFrom), symbols in private fonts (sym), ruby guides.
        m_xml.skipCurrentElement();
    } else if (isAlternateContent()) {
        readAlternateContent([&] {
            while (m_xml.readNextStartElement())
                readInline(p, flow);
        });
    } else if (isMathNs(m_xml.namespaceUri()) && (name == u"oMath" || name == u"oMathPara")) {
        p.text += readMathText();
    } else {
        m_xml.skipCurrentElement();
    }
}

void ContentReader::referenceNote(Notes &notes, const QString &id, bool footnote, Paragraph &p)
{
    const auto it = notes.text.constFind(id);
    if (it == notes.text.constEnd())
        return;
    ++notes.counter;
    // Word's defaults: footnotes 1, 2, 3; endnotes i, ii, iii.
    const QString mark = u'[' + (footnote ? QString::number(notes.counter) : roman(notes.counter, false)) + u']';
    p.text += mark;
    notes.pending.append(mark + u' ' + *it);
}

// Pictures carry no text of their own, but their alternative text (what a screen reader says)
// is written by the author and is searchable content: keep it as "[Picture: ...]". Text boxes
// inside shapes are read as text.
void ContentReader::readDrawing(Paragraph &p)
{
    QString altText;
    bool picture = false;
    for (int open = 1; open > 0 && !m_xml.atEnd();) {
        switch (m_xml.readNext()) {
        case QXmlStreamReader::StartElement:
            if (isW(m_xml, u"txbxContent")) {
                nested([&] { readBlocks(p.textBoxes); });
            } else {
                if (m_xml.name() == u"blip" || m_xml.name() == u"imagedata") {
                    m_ctx.sawImage = true;
                    picture = true;
                }
                // docPr holds the author's description; cNvPr the picture's own (file) name.
                // Word's automatic names ("Picture 3") say nothing and are left out.
                if (m_xml.name() == u"docPr" || m_xml.name() == u"cNvPr") {
                    for (const QLatin1String key : {QLatin1String("descr"), QLatin1String("title"), QLatin1String("name")}) {
                        const QString value = m_xml.attributes().value(key).toString().trimmed();
                        static const QRegularExpression automatic(QStringLiteral("^(Picture|Image|Grafik|Imagen) \\d+$"));
                        if (altText.isEmpty() && !value.isEmpty() && !automatic.match(value).hasMatch())
                            altText = value;
                    }
                }
                ++open;
            }
            break;
        case QXmlStreamReader::EndElement:
            --open;
            break;
        default:
            break;
        }
    }
    if (picture)
        p.text += altText.isEmpty() ? QStringLiteral("[Picture]") : QStringLiteral("[Picture: %1]").arg(altText);
}

QString ContentReader::readMathText()
{
    QString text;
    for (int open = 1; open > 0 && !m_xml.atEnd();) {
        switch (m_xml.readNext()) {
        case QXmlStreamReader::StartElement:
            if (m_xml.name() == u"t" && isMathNs(m_xml.namespaceUri()))
                text += m_xml.readElementText(QXmlStreamReader::SkipChildElements);
            else
                ++open;
            break;
        case QXmlStreamReader::EndElement:
            --open;
            break;
        default:
            break;
        }
    }
    return text;
}

// One line per row, cells joined by " | "; a nested table is flattened into its cell.
// A table whose cells are all empty (a form to fill in) is noted with its shape, so the
// document still says what it holds.
QString ContentReader::readTable()
{
    QStringList rows;
    const auto outer = std::make_pair(std::exchange(m_tableRows, 0), std::exchange(m_tableColumns, 0));
    readRows(rows);
    const int rowCount = std::exchange(m_tableRows, outer.first);
    const int columnCount = std::exchange(m_tableColumns, outer.second);
    if (rows.isEmpty() && rowCount > 0)
        return QStringLiteral("[Empty table: %1 rows \u00d7 %2 columns]").arg(rowCount).arg(columnCount);
    return rows.join(u'\n');
}

void ContentReader::readRows(QStringList &rows)
{
    while (m_xml.readNextStartElement()) {
        if (isW(m_xml, u"tr")) {
            QStringList cells;
            nested([&] { readCells(cells); });
            ++m_tableRows;
            m_tableColumns = std::max(m_tableColumns, static_cast<int>(cells.size()));
            // Rows left empty (layout grids, vertically merged continuations) add nothing.
            const bool empty =
                std::all_of(cells.cbegin(), cells.cend(), [](const QString &c) { return c.isEmpty(); });
            if (!empty)
                rows.append(cells.join(u" | "));
        } else {
            readWrapperOrSkip([&] { readRows(rows); });
        }
    }
}

void ContentReader::readCells(QStringList &cells)
{
    while (m_xml.readNextStartElement()) {
        if (isW(m_xml, u"tc")) {
            Flow cell;
            nested([&] { readBlocks(cell); });
            QString text = cell.blocks().join(u' ');
            // A row must stay on one line.
            text.replace(u'\n', u' ');
            text.replace(u'\t', u' ');
            cells.append(text.trimmed());
        } else if (isBlockContainer()) {
            nested([&] { readCells(cells); });
        } else {
            m_xml.skipCurrentElement();
        }
    }
}

} // namespace docsight::docx
