#include "ingest/chunker.h"

#include "util/tablevalue.h"

#include <algorithm>

#include <QHash>
#include <QRegularExpression>
#include <QSet>

namespace docsight {
namespace {

// How good a place is to end a chunk: higher is better.
enum Strength { Word = 0, Line = 1, Sentence = 2, Paragraph = 3 };

// Strength of ending a chunk just before position pos (pos indexes the first character of the next
// chunk's text, which is preceded by whitespace).
int boundaryStrength(const QString &text, qsizetype pos)
{
    if (pos <= 0 || pos >= text.size() || !text.at(pos - 1).isSpace() || text.at(pos).isSpace())
        return -1;
    qsizetype ws = pos - 1;
    int newlines = 0;
    while (ws >= 0 && text.at(ws).isSpace()) {
        if (text.at(ws) == QLatin1Char('\n'))
            ++newlines;
        --ws;
    }
    if (ws < 0)
        return -1;
    if (newlines >= 2)
        return Paragraph;
    const QChar last = text.at(ws);
    if (last == QLatin1Char('.') || last == QLatin1Char('?') || last == QLatin1Char('!') || last == QLatin1Char(':')
        || last == QChar(0x3002))
        return Sentence;
    return newlines == 1 ? Line : Word;
}

qsizetype skipSpace(const QString &text, qsizetype pos)
{
    while (pos < text.size() && text.at(pos).isSpace())
        ++pos;
    return pos;
}

qsizetype trimEnd(const QString &text, qsizetype start, qsizetype end)
{
    while (end > start && text.at(end - 1).isSpace())
        --end;
    return end;
}

} // namespace

Chunker::Chunker(ChunkerOptions options) : m_options(options)
{
    m_options.targetChars = std::max(100, m_options.targetChars);
    m_options.overlapChars = std::clamp(m_options.overlapChars, 0, m_options.targetChars / 2);
}

bool Chunker::looksLikeHeading(QStringView paragraph)
{
    const QStringView p = paragraph.trimmed();
    if (p.isEmpty() || p.size() > 90 || p.contains(QLatin1Char('\n')))
        return false;
    const QChar last = p.back();
    if (last == QLatin1Char('.') || last == QLatin1Char(',') || last == QLatin1Char(';') || last == QLatin1Char(':'))
        return false;
    int letters = 0;
    for (const QChar c : p)
        letters += c.isLetter() ? 1 : 0;
    if (letters < 3)
        return false;
    // Starts with a capital letter, or a section number such as "2.3" or "A.1".
    static const QRegularExpression numbered(QStringLiteral("^(\\d+(\\.\\d+)*|[A-Z](\\.\\d+)+)\\.?\\s+\\S"));
    return p.front().isUpper() || numbered.match(p.toString()).hasMatch();
}

namespace {

// A running header or footer with its page number and case taken out, so that "Chapter 5: Arrays
// and matrices 28" and "30 Chapter 5: Arrays and matrices" compare equal.
QString runningKey(QStringView paragraph)
{
    QString key;
    for (const QChar c : paragraph) {
        if (!c.isDigit())
            key.append(c.toCaseFolded());
    }
    return key.simplified();
}

QStringView firstParagraph(const QString &text)
{
    const QStringView t = QStringView(text).trimmed();
    const qsizetype end = t.indexOf(QStringLiteral("\n\n"));
    return end < 0 ? t : t.first(end);
}

// The header's text without the page number printed before or after it.
QString withoutPageNumber(QStringView paragraph)
{
    static const QRegularExpression number(QStringLiteral("^\\d+\\s+|\\s+\\d+$"));
    return paragraph.toString().simplified().remove(number);
}

// The column headers of tables on a page: a line with two or more years ("2023 2022", "September 30,
// 2023 September 24, 2022") directly above a row that ends in two values. Each comes with the lines
// above it in its paragraph (the table's title, "(In millions)"), or alone when those are long.
struct TableHeader {
    qsizetype end = 0; // end of the header line in the page text
    QString context;
};

QList<TableHeader> tableHeaders(const QString &text)
{
    static const QRegularExpression year(QStringLiteral("\\b(19|20)\\d\\d\\b"));
    QList<TableHeader> out;
    const QList<QStringView> lines = QStringView(text).split(QLatin1Char('\n'));
    qsizetype at = 0;
    for (qsizetype i = 0; i + 1 < lines.size(); at += lines.at(i).size() + 1, ++i) {
        const QStringView line = lines.at(i);
        if (line.size() > 160 || line.count(QLatin1Char(' ')) > 14 || trailingTableValues(lines.at(i + 1)).size() < 2)
            continue;
        int years = 0;
        for (auto it = year.globalMatch(line.toString()); it.hasNext(); it.next())
            ++years;
        if (years < 2)
            continue;
        qsizetype paragraph = text.lastIndexOf(QStringLiteral("\n\n"), at);
        paragraph = paragraph < 0 ? 0 : paragraph + 2;
        QString context = text.mid(paragraph, at + line.size() - paragraph).simplified();
        if (context.size() > 240)
            context = line.toString().simplified();
        out.append({at + line.size(), context});
    }
    return out;
}

// The first paragraphs that repeat at the top of several pages, page numbers aside: running
// headers. They name the chapter or the document, not the section a passage is in.
QSet<QString> runningHeaders(const QList<PageContent> &pages)
{
    QHash<QString, int> counts;
    for (const PageContent &page : pages) {
        const QString key = runningKey(firstParagraph(page.text));
        if (!key.isEmpty())
            ++counts[key];
    }
    QSet<QString> out;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
        if (it.value() >= 3)
            out.insert(it.key());
    }
    return out;
}

} // namespace

QList<Chunk> Chunker::chunk(const QList<PageContent> &pages) const
{
    QList<Chunk> chunks;
    const QSet<QString> repeated = runningHeaders(pages);
    const qsizetype target = m_options.targetChars;
    const qsizetype minEnd = target / 2;
    const qsizetype maxLen = target + target / 4;
    QString heading;

    for (const PageContent &page : pages) {
        const QString &text = page.text;
        // The page's running header (chapter or document title) is not a section heading: the
        // section heading from the page before still applies under it. It stands in for a heading
        // only before the first one.
        const QStringView top = firstParagraph(text);
        const QString running = repeated.contains(runningKey(top)) ? withoutPageNumber(top) : QString();
        // Headings on this page, by position, so each chunk can carry the nearest one above it.
        QList<std::pair<qsizetype, QString>> headings;
        {
            qsizetype pos = running.isEmpty() ? 0 : (top.data() - text.data()) + top.size();
            while (pos < text.size()) {
                qsizetype next = text.indexOf(QStringLiteral("\n\n"), pos);
                if (next < 0)
                    next = text.size();
                const QStringView para = QStringView(text).mid(pos, next - pos);
                if (looksLikeHeading(para))
                    headings.append({pos, para.trimmed().toString()});
                pos = next + 2;
            }
        }
        qsizetype headingIndex = 0;
        const QList<TableHeader> tables = tableHeaders(text);

        qsizetype start = skipSpace(text, 0);
        while (start < text.size()) {
            qsizetype end = text.size();
            if (text.size() - start > maxLen) {
                // Best boundary in [start+minEnd, start+target]; the latest among the strongest.
                int bestStrength = -1;
                qsizetype best = -1;
                const qsizetype hi = std::min<qsizetype>(text.size() - 1, start + target);
                for (qsizetype pos = start + minEnd; pos <= hi; ++pos) {
                    const int s = boundaryStrength(text, pos);
                    if (s >= bestStrength && s >= 0) {
                        bestStrength = s;
                        best = pos;
                    }
                }
                if (best < 0) {
                    // No whitespace in the window (a very long token): take the first space after it,
                    // or, failing that, cut hard rather than produce an unbounded chunk.
                    qsizetype pos = start + target;
                    while (pos < text.size() && boundaryStrength(text, pos) < 0 && pos < start + 4 * target)
                        ++pos;
                    best = pos;
                }
                end = best;
                // A heading left as the chunk's last paragraph belongs to the text after it: the
                // chunk ends before it (when enough remains) so the next chunk starts with it.
                const qsizetype lastBreak = text.lastIndexOf(QStringLiteral("\n\n"), trimEnd(text, start, end) - 1);
                if (lastBreak > start + minEnd / 2) {
                    const qsizetype headingStart = skipSpace(text, lastBreak);
                    if (headingStart < end && looksLikeHeading(QStringView(text).mid(headingStart, end - headingStart)))
                        end = headingStart;
                }
            }
            const qsizetype spanEnd = trimEnd(text, start, end);
            if (spanEnd > start) {
                while (headingIndex < headings.size() && headings.at(headingIndex).first <= start) {
                    heading = headings.at(headingIndex).second;
                    ++headingIndex;
                }
                Chunk c;
                c.ordinal = static_cast<int>(chunks.size());
                c.page = page.number;
                c.charStart = static_cast<int>(start);
                c.charEnd = static_cast<int>(spanEnd);
                c.heading = heading.isEmpty() ? running : heading;
                // A passage that starts inside a table, below its column headers, carries them: its
                // numbers mean nothing without the years (or dates) they are for.
                for (auto t = tables.crbegin(); t != tables.crend(); ++t) {
                    if (t->end > start)
                        continue;
                    if (!QStringView(text).mid(t->end, start - t->end).contains(QStringLiteral("\n\n")))
                        c.heading = c.heading.isEmpty() ? t->context : c.heading + QStringLiteral(" \u2014 ") + t->context;
                    break;
                }
                c.text = text.mid(start, spanEnd - start);
                // Word boxes are sorted by position; the covered ones are those overlapping the span.
                const auto first = std::lower_bound(page.words.cbegin(), page.words.cend(), start,
                                                    [](const WordBox &w, qsizetype s) { return w.start + w.length <= s; });
                auto last = first;
                while (last != page.words.cend() && last->start < spanEnd)
                    ++last;
                c.firstWord = static_cast<int>(first - page.words.cbegin());
                c.wordCount = static_cast<int>(last - first);
                chunks.append(c);
            }
            if (end >= text.size())
                break;
            // Next chunk starts at most overlapChars before the end: at the first sentence start
            // there so the overlap reads naturally, else at the first line start (a whole table
            // row), else at the first word.
            qsizetype next = end;
            if (m_options.overlapChars > 0) {
                const qsizetype from = std::max(start + 1, end - m_options.overlapChars);
                qsizetype firstLine = -1;
                qsizetype firstWord = -1;
                bool sentence = false;
                for (qsizetype pos = from; pos < end; ++pos) {
                    const int s = boundaryStrength(text, pos);
                    // A lower-case word after a blank line continues a sentence broken by a code
                    // line ("The function sink," / "> sink(...)" / "will divert ..."): no start.
                    if (s >= Sentence && !text.at(pos).isLower()) {
                        next = pos;
                        sentence = true;
                        break;
                    }
                    if (s == Line && firstLine < 0)
                        firstLine = pos;
                    if (s >= 0 && firstWord < 0)
                        firstWord = pos;
                }
                if (!sentence)
                    next = firstLine >= 0 ? firstLine : firstWord >= 0 ? firstWord : end;
            }
            start = skipSpace(text, std::max(next, start + 1));
        }
    }
    return chunks;
}

} // namespace docsight
