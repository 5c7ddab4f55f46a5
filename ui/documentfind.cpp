#include "documentfind.h"

#include <algorithm>

namespace docsight {
namespace {

// The text with runs of whitespace folded to one space, lower-cased, and for each character of the
// result the index it came from.
QString fold(const QString &text, QList<int> *map)
{
    QString out;
    out.reserve(text.size());
    if (map) {
        map->clear();
        map->reserve(text.size());
    }
    bool space = false;
    for (int i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c.isSpace()) {
            if (space || out.isEmpty())
                continue;
            space = true;
            out.append(QLatin1Char(' '));
        } else {
            space = false;
            out.append(c.toCaseFolded());
        }
        if (map)
            map->append(i);
    }
    return out;
}

} // namespace

QList<FindMatch> findInPages(const QList<PageContent> &pages, const QString &needle, int maxMatches)
{
    QList<FindMatch> out;
    const QString folded = fold(needle, nullptr).trimmed();
    if (folded.isEmpty())
        return out;
    QList<int> map;
    for (const PageContent &page : pages) {
        const QString hay = fold(page.text, &map);
        qsizetype from = 0;
        while (true) {
            const qsizetype at = hay.indexOf(folded, from);
            if (at < 0)
                break;
            const int start = map.at(at);
            const int end = map.at(at + folded.size() - 1) + 1;
            out.append(FindMatch{page.number, start, end - start});
            if (out.size() >= maxMatches)
                return out;
            from = at + folded.size();
        }
    }
    return out;
}

QList<QRectF> wordRectsForSpan(const PageContent &page, int start, int end)
{
    QList<QRectF> out;
    // Words are in text order: skip to the first one ending after start.
    const auto first = std::lower_bound(page.words.cbegin(), page.words.cend(), start,
                                        [](const WordBox &w, int value) { return w.start + w.length <= value; });
    for (auto it = first; it != page.words.cend() && it->start < end; ++it)
        out.append(it->rect);
    return out;
}

QList<QRectF> wordRectsForRange(const PageContent &page, int first, int count)
{
    QList<QRectF> out;
    for (int i = std::max(0, first); i < std::min<int>(first + count, static_cast<int>(page.words.size())); ++i)
        out.append(page.words.at(i).rect);
    return out;
}

} // namespace docsight
