#include "llm/facttext.h"

#include <algorithm>

namespace docsight::facttext {

RE ci(const QString &pattern)
{
    return RE(pattern, RE::CaseInsensitiveOption | RE::UseUnicodePropertiesOption);
}

RE cs(const QString &pattern)
{
    return RE(pattern, RE::UseUnicodePropertiesOption);
}

// Any date shape facts::parseDate understands, as one non-capturing pattern.
const QString kDate = QStringLiteral(
    "(?:[0-3]?[0-9](?:st|nd|rd|th)?\\.?\\s+(?:day\\s+of\\s+|of\\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\\.?,?\\s+[12][0-9]{3}"
    "|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\\.?\\s+[0-3]?[0-9](?:st|nd|rd|th)?,?\\s+[12][0-9]{3}"
    "|[12][0-9]{3}[\\-/.][01]?[0-9][\\-/.][0-3]?[0-9]"
    "|[0-3]?[0-9][./\\-][0-3]?[0-9][./\\-][12][0-9]{3})");

namespace {
// Company legal forms; a name ending in one is an organisation.
const QString kLegalForm = QStringLiteral(
    "(?:Inc\\.?|Incorporated|L\\.?L\\.?C\\.?|Ltd\\.?|Limited|GmbH|AG|S\\.?A\\.?|SA|Pty\\.? Ltd\\.?|Co\\.|Company|Corp\\.?|"
    "Corporation|PLC|plc|B\\.V\\.|N\\.V\\.|S\\.r\\.l\\.|SAS|Oy|AB|KG|LLP|LP|P\\.C\\.|e\\.V\\.|SE)");
} // namespace

// Any case after the capital ("MÜLLER LOGISTIK"); commas and "&", "and", "of" may join the words.
const QString kCompany = QStringLiteral("(\\p{Lu}[\\p{L}&'\\-.]*(?:[ ,]{1,2}(?:&|and|of|\\p{Lu}[\\p{L}&'\\-.]*)){0,6},? (?i:")
    + kLegalForm + QStringLiteral("))(?![\\p{L}])");

QList<Line> linesOf(const QList<FactPage> &pages)
{
    QList<Line> out;
    for (const FactPage &p : pages) {
        qsizetype at = 0;
        while (at <= p.text.size()) {
            qsizetype nl = p.text.indexOf(QLatin1Char('\n'), at);
            if (nl < 0)
                nl = p.text.size();
            const QString text = p.text.mid(at, nl - at);
            QString match = text;
            static const RE emphasis(QStringLiteral("\\*{1,3}|(?<![\\p{L}0-9])_{1,3}|_{1,3}(?![\\p{L}0-9])|^#{1,6}(?=\\s)"));
            for (auto it = emphasis.globalMatch(text); it.hasNext();) {
                const auto m = it.next();
                for (qsizetype k = m.capturedStart(); k < m.capturedEnd(); ++k)
                    match[k] = QLatin1Char(' ');
            }
            out.append({p.number, static_cast<int>(at), static_cast<int>(nl), text, match});
            at = nl + 1;
        }
    }
    return out;
}

KeyFact lineFact(const QString &field, const QString &value, const QString &raw, const Line &line)
{
    KeyFact f;
    f.field = field;
    f.value = value;
    f.raw = raw.simplified();
    f.method = QStringLiteral("rules");
    f.source.page = line.page;
    f.source.quote = line.text.simplified();
    // The quote is the trimmed line: locate exactly that span.
    const qsizetype lead = line.text.size() - QStringView(line.text).trimmed().size() == 0
        ? 0
        : line.text.indexOf(QStringView(line.text).trimmed());
    f.source.charStart = line.start + static_cast<int>(std::max<qsizetype>(0, lead));
    f.source.charEnd = f.source.charStart + static_cast<int>(QStringView(line.text).trimmed().size());
    return f;
}


Flat flatten(const FactPage &p)
{
    Flat f;
    f.page = p.number;
    bool space = false;
    for (qsizetype i = 0; i < p.text.size(); ++i) {
        const QChar c = p.text.at(i);
        if (c.isSpace()) {
            space = !f.text.isEmpty();
            continue;
        }
        if (space) {
            f.text += QLatin1Char(' ');
            f.origin.append(static_cast<int>(i));
            space = false;
        }
        f.text += c;
        f.origin.append(static_cast<int>(i));
    }
    return f;
}

// The sentence around [start, end) of flat text, as quote and page span.
KeyFact flatFact(const QString &field, const QString &value, const QString &raw, const Flat &flat, qsizetype start,
                 qsizetype end)
{
    static const RE boundary(QStringLiteral("[.;:]\\s+(?=[\\p{Lu}(0-9\"])|\\s(?=\\([0-9a-z]\\)\\s)|\\s(?=[0-9]+\\.[0-9]*\\s+\\p{Lu})"));
    qsizetype s = std::max<qsizetype>(0, start - 240);
    qsizetype e = std::min<qsizetype>(flat.text.size(), end + 240);
    qsizetype sentenceStart = s;
    for (auto it = boundary.globalMatch(flat.text.mid(s, start - s)); it.hasNext();)
        sentenceStart = s + it.next().capturedEnd();
    qsizetype sentenceEnd = e;
    const auto after = boundary.match(flat.text, end);
    if (after.hasMatch() && after.capturedStart() < e)
        sentenceEnd = after.capturedStart() + 1;
    while (sentenceStart < sentenceEnd && flat.text.at(sentenceStart).isSpace())
        ++sentenceStart;
    while (sentenceEnd > sentenceStart && flat.text.at(sentenceEnd - 1).isSpace())
        --sentenceEnd;
    KeyFact f;
    f.field = field;
    f.value = value;
    f.raw = raw.simplified();
    f.method = QStringLiteral("rules");
    f.source.page = flat.page;
    f.source.quote = flat.text.mid(sentenceStart, sentenceEnd - sentenceStart);
    if (!flat.origin.isEmpty()) {
        f.source.charStart = flat.origin.value(sentenceStart);
        f.source.charEnd = flat.origin.value(std::max<qsizetype>(sentenceStart, sentenceEnd - 1)) + 1;
    }
    return f;
}

// Text after a label on the same line: separators (":", "#", "|", dots, spaces) removed.
QString afterLabel(const Line &line, const QRegularExpressionMatch &m)
{
    QString rest = line.match.mid(m.capturedEnd());
    static const RE lead(QStringLiteral("^[\\s:#|.\\-\\x{2013}]+"));
    rest.remove(lead);
    return rest;
}

// Columns of a tabular line: runs of text separated by two or more spaces or a " | ".
QList<std::pair<qsizetype, QString>> columns(const QString &line)
{
    static const RE sep(QStringLiteral("\\s{2,}|\\s*\\|\\s*|\\t"));
    QList<std::pair<qsizetype, QString>> out;
    qsizetype at = 0;
    for (auto it = sep.globalMatch(line); it.hasNext();) {
        const auto m = it.next();
        if (m.capturedStart() > at)
            out.append({at, line.mid(at, m.capturedStart() - at)});
        at = m.capturedEnd();
    }
    if (at < line.size())
        out.append({at, line.mid(at)});
    return out;
}

// A header line ("INVOICE NO.   DATE   CUSTOMER PO") over a row of values: the value under the label.
std::optional<std::pair<QString, int>> valueBelow(const QList<Line> &lines, int index, qsizetype labelStart, qsizetype labelEnd)
{
    if (columns(lines.at(index).match).size() < 2)
        return std::nullopt;
    for (int j = index + 1; j < lines.size() && j <= index + 2; ++j) {
        if (lines.at(j).match.trimmed().isEmpty())
            continue;
        for (const auto &[at, text] : columns(lines.at(j).match)) {
            if (at < labelEnd + 2 && at + text.size() > labelStart - 2)
                return std::make_pair(text.trimmed(), j);
        }
        return std::nullopt;
    }
    return std::nullopt;
}

// Amounts on a line with their spans, skipping percentages and numbers glued to letters (codes, dates).
QList<std::pair<qsizetype, QString>> amountsIn(const QString &line)
{
    static const RE amount(QStringLiteral(
        "(?<![\\p{L}0-9.,'\\x{2019}/\\-])\\(?([0-9]{1,3}(?:[,.'\\x{2019}][0-9]{3})+(?:[.,][0-9]{2})?|[0-9]+[.,][0-9]{2}|[0-9]{2,})\\)?(?![0-9%/\\p{L}]|[.,][0-9])"));
    QList<std::pair<qsizetype, QString>> out;
    for (auto it = amount.globalMatch(line); it.hasNext();) {
        const auto m = it.next();
        out.append({m.capturedStart(1), m.captured(1)});
    }
    return out;
}

// Amounts that can be money: with a decimal or thousands separator, or a plain number right after a currency
// ("£4250"); never "14 days", "20%", "6 trips".
QList<std::pair<qsizetype, QString>> moneyIn(const QString &line, qsizetype from)
{
    static const RE unit(ci(QStringLiteral("^\\s*(days?|weeks?|months?|years?|hours?|trips?|pallets?|cases?|pcs|units?|items?|x)\\b")));
    static const RE currencyBefore(QStringLiteral("(?:[A-Z]{3}|[$\\x{20AC}\\x{00A3}\\x{00A5}])\\s*\\(?$"));
    QList<std::pair<qsizetype, QString>> out;
    for (const auto &[at, raw] : amountsIn(line.mid(from))) {
        const qsizetype start = from + at;
        if (unit.match(line.mid(start + raw.size())).hasMatch())
            continue;
        const bool separated = raw.contains(QLatin1Char('.')) || raw.contains(QLatin1Char(',')) || raw.contains(QLatin1Char('\''))
            || raw.contains(QChar(0x2019));
        if (!separated && !currencyBefore.match(line.left(start)).hasMatch())
            continue;
        out.append({start, raw});
    }
    return out;
}

} // namespace docsight::facttext
