#include "viewer/documentfind.h"

#include <algorithm>
#include <cstdlib>

#include <QStringList>

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

namespace {

// The occurrence nearest the recorded place: same page first, then the closest page.
std::optional<FindMatch> nearest(const QList<FindMatch> &matches, const FindMatch &recorded)
{
    if (matches.isEmpty())
        return std::nullopt;
    const auto distance = [&](const FindMatch &m) {
        return std::pair{std::abs(m.page - recorded.page), std::abs(m.start - recorded.start)};
    };
    return *std::min_element(matches.cbegin(), matches.cend(),
                             [&](const FindMatch &a, const FindMatch &b) { return distance(a) < distance(b); });
}

// The first or last `count` words of text, as written.
QString edgeWords(const QString &text, int count, bool last)
{
    QStringList words = text.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (words.size() > count)
        words = last ? words.mid(words.size() - count) : words.mid(0, count);
    return words.join(QLatin1Char(' '));
}

} // namespace

std::optional<FindMatch> locateQuote(const QList<PageContent> &pages, const FindMatch &recorded, const QString &quote)
{
    const QString wanted = fold(quote, nullptr).trimmed();
    if (wanted.isEmpty())
        return std::nullopt;
    for (const PageContent &page : pages) {
        if (page.number != recorded.page)
            continue;
        if (recorded.start >= 0 && recorded.length > 0 && recorded.start + recorded.length <= page.text.size()
            && fold(page.text.mid(recorded.start, recorded.length), nullptr).trimmed() == wanted)
            return recorded;
    }
    if (auto whole = nearest(findInPages(pages, quote, 1000), recorded))
        return whole;
    // A long quote (a whole passage) may have changed in its middle only: take its first words and
    // the nearest of its last words after them on the same page, within twice the quote's length.
    constexpr int kEdgeWords = 6;
    if (wanted.count(QLatin1Char(' ')) < 3 * kEdgeWords)
        return std::nullopt;
    const auto head = nearest(findInPages(pages, edgeWords(quote, kEdgeWords, false), 1000), recorded);
    if (!head)
        return std::nullopt;
    std::optional<FindMatch> tail;
    for (const FindMatch &m : findInPages(pages, edgeWords(quote, kEdgeWords, true), 1000)) {
        if (m.page == head->page && m.start >= head->start + head->length
            && m.start + m.length - head->start <= 2 * quote.size() && (!tail || m.start < tail->start))
            tail = m;
    }
    if (!tail)
        return std::nullopt;
    return FindMatch{head->page, head->start, tail->start + tail->length - head->start};
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
