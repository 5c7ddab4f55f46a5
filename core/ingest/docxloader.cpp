#include "ingest/docxloader.h"

#include <algorithm>
#include <optional>
#include <utility>

#include <quazip.h>
#include <quazipfile.h>
#include <quazipfileinfo.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QLoggingCategory>
#include <QSet>
#include <QRegularExpression>
#include <QXmlStreamReader>

namespace docsight {

namespace {

Q_LOGGING_CATEGORY(lcDocx, "docsight.ingest.docx")

// A zip bomb turns kilobytes into gigabytes. No real document needs more unpacked XML than this,
// summed over every part we read, so the budget is shared rather than per entry.
constexpr qint64 kMaxUnpackedBytes = qint64(200) * 1024 * 1024;
// Word lays pages out at display time, so a DOCX has no pages to cite. We cut where the author
// forced a break (w:br type="page", pageBreakBefore, a section that starts a new page) and then cut
// every piece longer than this at a paragraph boundary, so a citation points to a passage an
// analyst can find at a glance. lastRenderedPageBreak is ignored: it is only a cache of the layout
// of whichever machine saved the file last.
constexpr qsizetype kMaxPageChars = 3000;
// Recursion follows the XML nesting; hostile files nest far deeper than any real document.
constexpr int kMaxDepth = 100;
constexpr int kMaxStyleChain = 20;
constexpr int kMaxEntries = 100000;
constexpr int kNumberingLevels = 9;

bool isWordNs(QStringView ns)
{
    return ns == u"http://schemas.openxmlformats.org/wordprocessingml/2006/main"
        || ns == u"http://purl.oclc.org/ooxml/wordprocessingml/main"; // ISO 29500 Strict
}

bool isMarkupCompatibilityNs(QStringView ns)
{
    return ns == u"http://schemas.openxmlformats.org/markup-compatibility/2006";
}

bool isMathNs(QStringView ns)
{
    return ns == u"http://schemas.openxmlformats.org/officeDocument/2006/math"
        || ns == u"http://purl.oclc.org/ooxml/officeDocument/math";
}

bool isW(const QXmlStreamReader &xml, QStringView name) { return xml.name() == name && isWordNs(xml.namespaceUri()); }

// Attribute by local name. Transitional and Strict documents use different namespace URIs for the
// same attribute, and relationship files use none, so the namespace is not compared.
QString attribute(const QXmlStreamReader &xml, QStringView localName)
{
    const QXmlStreamAttributes attributes = xml.attributes();
    for (const QXmlStreamAttribute &a : attributes) {
        if (a.name() == localName)
            return a.value().toString();
    }
    return {};
}

// OOXML on/off values: a bare element means on.
bool isOn(const QString &value) { return value.isEmpty() || !(value == u"0" || value == u"false" || value == u"off"); }

QString roman(int n, bool upper)
{
    if (n <= 0 || n >= 4000)
        return QString::number(n);
    static const std::pair<int, const char16_t *> table[] = {
        {1000, u"m"}, {900, u"cm"}, {500, u"d"}, {400, u"cd"}, {100, u"c"}, {90, u"xc"}, {50, u"l"},
        {40, u"xl"},  {10, u"x"},   {9, u"ix"},  {5, u"v"},    {4, u"iv"},  {1, u"i"}};
    QString out;
    for (const auto &[value, digits] : table) {
        for (; n >= value; n -= value)
            out += QStringView(digits);
    }
    return upper ? out.toUpper() : out;
}

QString formatNumber(int n, const QString &format)
{
    if (format == u"lowerRoman" || format == u"upperRoman")
        return roman(n, format == u"upperRoman");
    if ((format == u"lowerLetter" || format == u"upperLetter") && n > 0 && n <= 26 * 20) {
        // Word counts a..z, then aa..zz, then aaa..zzz.
        const QChar letter(char16_t((format == u"upperLetter" ? u'A' : u'a') + (n - 1) % 26));
        return QString((n - 1) / 26 + 1, letter);
    }
    if (format == u"decimalZero" && n >= 0 && n < 10)
        return u'0' + QString::number(n);
    return QString::number(n);
}

// ---------------------------------------------------------------------------------------------
// The package: zip entries by part name, read under the shared budget.

class Package final
{
public:
    explicit Package(const QString &path) : m_zip(path) {}
    Q_DISABLE_COPY_MOVE(Package)

    LoadError open()
    {
        if (!m_zip.open(QuaZip::mdUnzip)) {
            return LoadError::make(LoadError::Kind::Corrupt,
                                   QStringLiteral("not a Word document, or a damaged one: the file is not a readable "
                                                  "zip archive (zip error %1)")
                                       .arg(m_zip.getZipError()));
        }
        // A real document has a few dozen entries; a directory of millions only costs memory.
        if (m_zip.getEntriesCount() > kMaxEntries) {
            return LoadError::make(LoadError::Kind::TooLarge,
                                   QStringLiteral("the archive has more than %1 entries").arg(kMaxEntries));
        }
        const QStringList names = m_zip.getFileNameList();
        for (const QString &name : names) {
            // Part names are case-insensitive (OPC), and some writers use backslashes.
            QString key = name.toLower();
            key.replace(u'\\', u'/');
            if (!m_names.contains(key))
                m_names.insert(key, name);
        }
        return {};
    }

    bool contains(const QString &part) const { return m_names.contains(part.toLower()); }
    qint64 bytesRead() const { return kMaxUnpackedBytes - m_budget; }

    LoadError read(const QString &part, QByteArray &out)
    {
        out.clear();
        const QString name = m_names.value(part.toLower());
        if (name.isEmpty() || !m_zip.setCurrentFile(name, QuaZip::csSensitive))
            return LoadError::make(LoadError::Kind::Corrupt, QStringLiteral("%1 is missing").arg(part));
        QuaZipFileInfo64 info;
        if (!m_zip.getCurrentFileInfo(&info))
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
        QuaZipFile file(&m_zip);
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

private:
    static LoadError tooLarge()
    {
        return LoadError::make(
            LoadError::Kind::TooLarge,
            QStringLiteral("the document unpacks to more than %1 MB").arg(kMaxUnpackedBytes / (1024 * 1024)));
    }

    QuaZip m_zip;
    QHash<QString, QString> m_names; // lower-case part name -> entry name in the archive
    qint64 m_budget = kMaxUnpackedBytes;
};

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

QString relationshipsPartOf(const QString &part)
{
    const qsizetype slash = part.lastIndexOf(u'/');
    return part.left(slash + 1) + u"_rels/" + part.mid(slash + 1) + u".rels";
}

struct Relationship {
    QString type;
    QString part; // resolved part name
};

QString xmlError(const QString &part, const QXmlStreamReader &xml)
{
    return QStringLiteral("%1 is not well-formed XML: %2 (line %3, column %4)")
        .arg(part, xml.errorString())
        .arg(xml.lineNumber())
        .arg(xml.columnNumber());
}

// rId -> relationship, internal targets only.
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

// Relationship types differ between Transitional and Strict only before the last '/'.
QString partOfType(const QHash<QString, Relationship> &relationships, QStringView typeSuffix)
{
    for (const Relationship &r : relationships) {
        if (r.type.endsWith(typeSuffix))
            return r.part;
    }
    return {};
}

// ---------------------------------------------------------------------------------------------
// What the body needs from the other parts, and what it leaves for them.

// w:numPr, in a paragraph or a paragraph style.
void readNumberingProperties(QXmlStreamReader &xml, QString &numId, int &level)
{
    while (xml.readNextStartElement()) {
        if (isW(xml, u"numId"))
            numId = attribute(xml, u"val");
        else if (isW(xml, u"ilvl"))
            level = qBound(0, attribute(xml, u"val").toInt(), kNumberingLevels - 1);
        xml.skipCurrentElement();
    }
}

struct Style {
    QString basedOn;
    QString numId;
    int level = -1;
};

class Numbering final
{
public:
    Numbering() = default;
    Q_DISABLE_COPY_MOVE(Numbering)

    // word/numbering.xml: list definitions (abstractNum) and the list instances using them (num).
    void read(QXmlStreamReader &xml)
    {
        if (!xml.readNextStartElement() || !isW(xml, u"numbering"))
            return;
        while (xml.readNextStartElement()) {
            if (isW(xml, u"abstractNum")) {
                QList<Level> levels(kNumberingLevels);
                const QString id = attribute(xml, u"abstractNumId");
                while (xml.readNextStartElement()) {
                    if (!isW(xml, u"lvl")) {
                        xml.skipCurrentElement();
                        continue;
                    }
                    const int ilvl = attribute(xml, u"ilvl").toInt();
                    Level level;
                    while (xml.readNextStartElement()) {
                        if (isW(xml, u"start"))
                            level.start = attribute(xml, u"val").toInt();
                        else if (isW(xml, u"numFmt"))
                            level.format = attribute(xml, u"val");
                        else if (isW(xml, u"lvlText"))
                            level.text = attribute(xml, u"val");
                        xml.skipCurrentElement();
                    }
                    if (ilvl >= 0 && ilvl < kNumberingLevels)
                        levels[ilvl] = level;
                }
                m_abstracts.insert(id, levels);
            } else if (isW(xml, u"num")) {
                const QString id = attribute(xml, u"numId");
                Instance instance;
                while (xml.readNextStartElement()) {
                    if (isW(xml, u"abstractNumId")) {
                        instance.abstractId = attribute(xml, u"val");
                        xml.skipCurrentElement();
                    } else if (isW(xml, u"lvlOverride")) {
                        const int ilvl = attribute(xml, u"ilvl").toInt();
                        while (xml.readNextStartElement()) {
                            if (isW(xml, u"startOverride") && ilvl >= 0 && ilvl < kNumberingLevels)
                                instance.startOverrides.insert(ilvl, attribute(xml, u"val").toInt());
                            xml.skipCurrentElement();
                        }
                    } else {
                        xml.skipCurrentElement();
                    }
                }
                m_instances.insert(id, instance);
            } else {
                xml.skipCurrentElement();
            }
        }
    }

    // The label Word would draw before the next paragraph of this list, e.g. "3. ", "• ", "2.1. ".
    QString nextLabel(const QString &numId, int level)
    {
        if (numId.isEmpty() || numId == u"0" || level < 0 || level >= kNumberingLevels)
            return {};
        const auto instance = m_instances.constFind(numId);
        if (instance == m_instances.constEnd())
            return {};
        const auto abstract = m_abstracts.constFind(instance->abstractId);
        if (abstract == m_abstracts.constEnd())
            return {};
        const QList<Level> &levels = *abstract;
        // Counters belong to the abstract list: Word continues numbering across instances unless
        // an instance restarts it with startOverride.
        QList<std::optional<int>> &counters = m_counters[instance->abstractId];
        counters.resize(kNumberingLevels);
        if (!m_started.contains(numId)) {
            m_started.insert(numId);
            for (auto it = instance->startOverrides.cbegin(); it != instance->startOverrides.cend(); ++it)
                counters[it.key()] = it.value() - 1;
        }
        counters[level] = counters[level] ? *counters[level] + 1 : levels[level].start;
        for (int deeper = level + 1; deeper < kNumberingLevels; ++deeper)
            counters[deeper].reset();

        const Level &lvl = levels[level];
        if (lvl.format == u"bullet")
            return QStringLiteral("• "); // lvlText is a glyph in a symbol font, meaningless as text
        if (lvl.format == u"none")
            return {};
        const QString pattern = lvl.text.isEmpty() ? QString(u'%' + QString::number(level + 1) + u'.') : lvl.text;
        QString label;
        for (qsizetype i = 0; i < pattern.size(); ++i) {
            const QChar c = pattern.at(i);
            if (c == u'%' && i + 1 < pattern.size() && pattern.at(i + 1) >= u'1' && pattern.at(i + 1) <= u'9') {
                const int k = pattern.at(++i).unicode() - u'1';
                label += formatNumber(counters[k].value_or(levels[k].start), levels[k].format);
            } else {
                label += c;
            }
        }
        label = label.trimmed();
        return label.isEmpty() ? QString() : label + u' ';
    }

private:
    struct Level {
        QString format;
        QString text;
        int start = 1;
    };
    struct Instance {
        QString abstractId;
        QHash<int, int> startOverrides;
    };

    QHash<QString, QList<Level>> m_abstracts;
    QHash<QString, Instance> m_instances;
    QHash<QString, QList<std::optional<int>>> m_counters;
    QSet<QString> m_started;
};

struct Notes {
    QHash<QString, QString> text; // w:id -> note text
    QStringList pending; // "[n] text" blocks waiting for the end of the page
    int counter = 0;
};

struct Context {
    QHash<QString, Style> styles;
    Numbering numbering;
    Notes footnotes;
    Notes endnotes;
    QStringList headerIds; // relationship ids, in order of first reference
    QStringList footerIds;
    bool sawImage = false;
};

// Where parsed blocks go. The body keeps page breaks; table cells, text boxes, notes and
// headers flatten them.
struct Flow {
    bool keepsPageBreaks = false;
    QList<QStringList> pages{QStringList()};

    void add(const QString &block)
    {
        const QString text = block.trimmed();
        if (!text.isEmpty())
            pages.last().append(text);
    }
    void pageBreak()
    {
        if (keepsPageBreaks && !pages.last().isEmpty())
            pages.append(QStringList());
    }
    QStringList blocks() const
    {
        QStringList all;
        for (const QStringList &page : pages)
            all += page;
        return all;
    }
};

// ---------------------------------------------------------------------------------------------
// WordprocessingML content: paragraphs, tables, runs. Every read* function is entered on a start
// element and returns after consuming its end element.

class ContentReader final
{
public:
    ContentReader(QXmlStreamReader &xml, Context &context) : m_xml(xml), m_ctx(context) {}
    Q_DISABLE_COPY_MOVE(ContentReader)

    // Block-level children of the current element: paragraphs, tables, content controls.
    void readBlocks(Flow &flow)
    {
        while (m_xml.readNextStartElement()) {
            if (isW(m_xml, u"p")) {
                readParagraph(flow);
            } else if (isW(m_xml, u"tbl")) {
                flow.add(nested([&] { return readTable(); }));
            } else if (isW(m_xml, u"sectPr")) {
                readSectionProperties(); // the last section: no break after it
            } else if (isBlockContainer()) {
                nested([&] { readBlocks(flow); });
            } else if (isAlternateContent()) {
                readAlternateContent([&] { readBlocks(flow); });
            } else {
                m_xml.skipCurrentElement();
            }
        }
    }

    // Ends the current page of the body: footnotes referenced on it are printed at its foot.
    void breakPage(Flow &flow)
    {
        if (!flow.keepsPageBreaks)
            return;
        flushNotes(m_ctx.footnotes, flow);
        flow.pageBreak();
    }

    static void flushNotes(Notes &notes, Flow &flow)
    {
        for (const QString &note : std::as_const(notes.pending))
            flow.add(note);
        notes.pending.clear();
    }

private:
    struct Paragraph {
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
    auto nested(F &&read) -> decltype(read())
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

    bool isBlockContainer() const
    {
        static const QStringList names{QStringLiteral("sdt"), QStringLiteral("sdtContent"), QStringLiteral("customXml"),
                                       QStringLiteral("ins"), QStringLiteral("moveTo"),     QStringLiteral("smartTag")};
        return isWordNs(m_xml.namespaceUri()) && names.contains(m_xml.name());
    }

    bool isAlternateContent() const
    {
        return m_xml.name() == u"AlternateContent" && isMarkupCompatibilityNs(m_xml.namespaceUri());
    }

    // Alternatives carry the same content twice (e.g. a text box as DrawingML and as VML): read
    // the first one only.
    template<typename F>
    void readAlternateContent(F &&readChoice)
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

    void readParagraph(Flow &flow)
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

    void readParagraphProperties(Paragraph &p)
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
    bool readSectionProperties()
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
    void applyProperties(Paragraph &p, Flow &flow)
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

    void flushParagraph(Paragraph &p, Flow &flow)
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
    void readInline(Paragraph &p, Flow &flow)
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

    static void referenceNote(Notes &notes, const QString &id, bool footnote, Paragraph &p)
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
    void readDrawing(Paragraph &p)
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

    QString readMathText()
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
    QString readTable()
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

    void readRows(QStringList &rows)
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
            } else if (isBlockContainer()) {
                nested([&] { readRows(rows); });
            } else if (isAlternateContent()) {
                readAlternateContent([&] { readRows(rows); });
            } else {
                m_xml.skipCurrentElement();
            }
        }
    }

    void readCells(QStringList &cells)
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

    QXmlStreamReader &m_xml;
    Context &m_ctx;
    int m_tableRows = 0;    // rows and widest row of the table being read
    int m_tableColumns = 0;
    int m_depth = 0;
    bool m_warnedDepth = false;
};

// ---------------------------------------------------------------------------------------------
// The supporting parts. Each is optional: if one is damaged the body is still worth reading.

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

// Headers and footers, flattened; blocks already seen (the same header in every section) dropped.
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

// Cuts a page's text into pieces of at most maxChars: at a blank line if one falls in the last
// two thirds of the window, else at a line end, else between words, else anywhere.
QStringList cutIntoPages(const QString &text, qsizetype maxChars)
{
    QStringList pages;
    const qsizetype size = text.size();
    auto skipSpace = [&](qsizetype i) {
        while (i < size && text.at(i).isSpace())
            ++i;
        return i;
    };
    for (qsizetype start = skipSpace(0); start < size;) {
        qsizetype cut = size - start;
        if (cut > maxChars) {
            const QStringView window = QStringView(text).mid(start, maxChars);
            const qsizetype minCut = maxChars / 3;
            cut = window.lastIndexOf(u"\n\n");
            if (cut < minCut)
                cut = window.lastIndexOf(u'\n');
            for (qsizetype i = maxChars - 1; cut < minCut && i >= minCut; --i) {
                if (window.at(i).isSpace())
                    cut = i;
            }
            if (cut < minCut)
                cut = window.at(maxChars - 1).isHighSurrogate() ? maxChars - 1 : maxChars;
        }
        const QString page = text.mid(start, cut).trimmed();
        if (!page.isEmpty())
            pages.append(page);
        start = skipSpace(start + cut);
    }
    return pages;
}

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

// ---------------------------------------------------------------------------------------------

struct DocxLoader::Private {
    // Filled by open() and only read afterwards, so loadPage() needs no lock.
    QList<PageContent> pages;

    LoadError parse(const QString &path);
};

LoadError DocxLoader::Private::parse(const QString &path)
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
        for (const QString &text : cutIntoPages(blocks.join(u"\n\n"), kMaxPageChars)) {
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

DocxLoader::DocxLoader() : d(std::make_unique<Private>()) {}
DocxLoader::~DocxLoader() = default;

LoadError DocxLoader::open(const QString &path, const LoadOptions &)
{
    QElapsedTimer timer;
    timer.start();
    d->pages.clear();
    const LoadError error = d->parse(path);
    if (error.isError())
        d->pages.clear();
    qCDebug(lcDocx) << "open:" << loadErrorKindName(error.kind) << d->pages.size() << "pages in" << timer.elapsed()
                    << "ms";
    return error;
}

int DocxLoader::pageCount() const { return int(d->pages.size()); }

PageResult DocxLoader::loadPage(int index, const CancelToken &cancel)
{
    return storedPage(d->pages, index, cancel);
}

} // namespace docsight
