#include "ingest/textlayout.h"

#include "util/tablevalue.h"

#include <algorithm>

namespace docsight {
namespace {

// Vertical gap between two lines, relative to the line height, above which a new paragraph starts.
// Lines of one paragraph sit 0..0.3 line heights apart in typical typesetting.
constexpr double kParagraphGap = 0.6;
// Two lines share a baseline (a table row) when their centres are this close, in line heights.
constexpr double kSameRow = 0.35;
// A block is a table column when this share of its lines are numeric cells, it is no wider than
// this share of the page, and this share of its lines find a row to their left.
constexpr double kNumericShare = 0.7;
constexpr double kMaxColumnWidth = 0.4;
constexpr double kAlignedShare = 0.6;
// Beyond this many lines a page is not a table a reader would look up; it keeps the reading order
// (and the quadratic row matching stays cheap on hostile files).
constexpr int kMaxTableLines = 3000;

// One line as the PDF library read it: words [first, end).
struct Line {
    int first = 0;
    int end = 0;
    QRectF rect;
    int host = -1;      // the line this one was moved onto as a table cell, or -1
    QList<int> cells;   // lines moved onto this one
    QRectF extent;      // rect with its cells
};

bool isNumericLine(const QList<PositionedWord> &words, const Line &line)
{
    int numeric = 0;
    for (int i = line.first; i < line.end; ++i)
        numeric += isTableCellToken(words.at(i).text) ? 1 : 0;
    const int count = line.end - line.first;
    return count <= 6 && 2 * numeric >= count + 1;
}

bool sameRow(const QRectF &a, const QRectF &b)
{
    const qreal height = std::max<qreal>(1.0, std::min(a.height(), b.height()));
    return std::abs(a.center().y() - b.center().y()) <= kSameRow * height;
}

QList<Line> splitLines(const QList<PositionedWord> &words)
{
    QList<Line> lines;
    for (int i = 0; i < words.size(); ++i) {
        if (lines.isEmpty() || words.at(i).before == WordBreak::Line) {
            lines.append(Line{i, i, words.at(i).rect, -1, {}, {}});
        }
        Line &line = lines.last();
        line.end = i + 1;
        line.rect |= words.at(i).rect;
    }
    for (Line &line : lines)
        line.extent = line.rect;
    return lines;
}

// Moves the lines of numeric column blocks onto the rows they belong to.
void rejoinTableRows(const QList<PositionedWord> &words, QList<Line> &lines, const QSizeF &pageSize)
{
    if (lines.size() > kMaxTableLines)
        return;
    qsizetype start = 0;
    while (start < lines.size()) {
        // A block: lines that follow each other down the page, overlapping horizontally.
        qsizetype end = start + 1;
        QRectF block = lines.at(start).rect;
        while (end < lines.size()) {
            const QRectF &previous = lines.at(end - 1).rect;
            const QRectF &next = lines.at(end).rect;
            const qreal height = std::max<qreal>(1.0, std::min(previous.height(), next.height()));
            const bool below = next.top() >= previous.top() + 0.5 * height && next.top() <= previous.bottom() + 2.5 * height;
            const bool overlapping = next.left() < previous.right() && next.right() > previous.left();
            if (!below || !overlapping)
                break;
            block |= next;
            ++end;
        }
        const qsizetype count = end - start;
        qsizetype numeric = 0;
        for (qsizetype i = start; i < end; ++i)
            numeric += isNumericLine(words, lines.at(i)) ? 1 : 0;
        if (numeric >= kNumericShare * count && block.width() <= kMaxColumnWidth * pageSize.width()) {
            QList<std::pair<qsizetype, qsizetype>> moves; // (cell, host)
            for (qsizetype i = start; i < end; ++i) {
                const Line &cell = lines.at(i);
                const qreal slack = 0.5 * std::max<qreal>(1.0, cell.rect.height());
                qsizetype host = -1;
                for (qsizetype h = 0; h < start; ++h) {
                    const Line &candidate = lines.at(h);
                    if (candidate.host >= 0 || candidate.extent.right() > cell.rect.left() + slack
                        || !sameRow(candidate.rect, cell.rect))
                        continue;
                    if (host < 0 || candidate.extent.right() > lines.at(host).extent.right())
                        host = h;
                }
                if (host >= 0)
                    moves.append({i, host});
            }
            if (moves.size() >= kAlignedShare * count) {
                for (const auto &[cell, host] : std::as_const(moves)) {
                    lines[cell].host = static_cast<int>(host);
                    lines[host].cells.append(static_cast<int>(cell));
                    lines[host].extent |= lines.at(cell).rect;
                }
            }
        }
        start = end;
    }
    for (Line &line : lines) {
        std::sort(line.cells.begin(), line.cells.end(),
                  [&](int a, int b) { return lines.at(a).rect.left() < lines.at(b).rect.left(); });
    }
}

} // namespace

LaidOutText layOutText(const QList<PositionedWord> &words, const QSizeF &pageSize)
{
    LaidOutText out;
    QList<Line> lines = splitLines(words);
    rejoinTableRows(words, lines, pageSize);

    const QRectF unit(0, 0, 1, 1);
    QRectF visual; // the current visual line, in points
    const auto append = [&](int index, WordBreak before) {
        const PositionedWord &w = words.at(index);
        const QRectF &r = w.rect;
        if (out.text.isEmpty()) {
            visual = r;
        } else if (before == WordBreak::Line) {
            const qreal height = std::max<qreal>(1.0, std::min(visual.height(), r.height()));
            const qreal centre = r.center().y();
            if (r.top() > visual.bottom() + kParagraphGap * height || centre < visual.top()) {
                // A large gap, or a jump back up the page (next column or block).
                out.text.append(QLatin1String("\n\n"));
                visual = r;
            } else if (centre <= visual.bottom() && r.left() >= visual.right() - height * 0.5) {
                // Another block on the same visual line (a table cell, a side label).
                out.text.append(QLatin1Char(' '));
                visual |= r;
            } else {
                out.text.append(QLatin1Char('\n'));
                visual = r;
            }
        } else {
            if (before == WordBreak::Space)
                out.text.append(QLatin1Char(' '));
            visual |= r;
        }
        WordBox wb;
        wb.rect = QRectF(r.left() / pageSize.width(), r.top() / pageSize.height(), r.width() / pageSize.width(),
                         r.height() / pageSize.height())
                      .intersected(unit);
        wb.start = static_cast<qint32>(out.text.size());
        wb.length = static_cast<qint32>(w.text.size());
        wb.confidence = -1;
        out.text.append(w.text);
        out.words.append(wb);
        out.boxesPoints.append(r);
    };

    for (const Line &line : std::as_const(lines)) {
        if (line.host >= 0)
            continue; // written with its row
        for (int i = line.first; i < line.end; ++i)
            append(i, words.at(i).before);
        for (const int c : line.cells) {
            const Line &cell = lines.at(c);
            for (int i = cell.first; i < cell.end; ++i) {
                if (i == cell.first) {
                    out.text.append(QLatin1Char(' '));
                    append(i, WordBreak::None);
                } else {
                    append(i, words.at(i).before);
                }
            }
        }
    }
    return out;
}

} // namespace docsight
