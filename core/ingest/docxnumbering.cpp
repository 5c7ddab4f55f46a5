// Reads the list definitions of word/numbering.xml and counts list items the way Word does, so
// each list paragraph keeps its visible label ("3.", "ii)", "•").

#include "ingest/docxnumbering.h"

#include <utility>

#include <QXmlStreamReader>

#include "ingest/docxxml.h"

namespace docsight::docx {

namespace {

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

} // namespace

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

void Numbering::read(QXmlStreamReader &xml)
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

QString Numbering::nextLabel(const QString &numId, int level)
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

} // namespace docsight::docx
