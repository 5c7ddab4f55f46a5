// One page cutter for the DOCX and text loaders, which differ only in how they treat the
// whitespace at a cut (PageEdges).

#include "ingest/pagecutter.h"

namespace docsight {

namespace {

// Where to end the piece that starts window: the window's own length if it is the rest of the
// text. midLine says the cut falls neither at a blank line nor at a line end.
qsizetype findCut(QStringView window, qsizetype rest, qsizetype maxChars, bool *midLine)
{
    *midLine = false;
    if (rest <= maxChars)
        return rest;
    const qsizetype minCut = maxChars / 3;
    qsizetype cut = window.lastIndexOf(u"\n\n");
    if (cut < minCut)
        cut = window.lastIndexOf(u'\n');
    *midLine = cut < minCut;
    for (qsizetype i = maxChars - 1; cut < minCut && i >= minCut; --i) {
        if (window.at(i).isSpace())
            cut = i;
    }
    if (cut < minCut)
        cut = window.at(maxChars - 1).isHighSurrogate() ? maxChars - 1 : maxChars;
    return cut;
}

} // namespace

QStringList cutIntoPages(const QString &text, qsizetype maxChars, PageEdges edges)
{
    const bool trimmed = edges == PageEdges::Trimmed;
    QStringList pages;
    const qsizetype size = text.size();
    auto skipSpace = [&](qsizetype i) {
        while (i < size && text.at(i).isSpace())
            ++i;
        return i;
    };
    for (qsizetype start = trimmed ? skipSpace(0) : 0; start < size;) {
        bool midLine = false;
        const qsizetype cut = findCut(QStringView(text).mid(start, maxChars), size - start, maxChars, &midLine);
        const QString page =
            trimmed ? text.mid(start, cut).trimmed() : trimBlankLines(QStringView(text).mid(start, cut));
        if (!page.isEmpty())
            pages.append(page);
        if (trimmed) {
            start = skipSpace(start + cut);
            continue;
        }
        start += cut;
        // The rest of a line cut between words is not indented: drop the space at the cut.
        while (midLine && start < size && text.at(start).isSpace() && text.at(start) != u'\n')
            ++start;
    }
    return pages;
}

QString trimBlankLines(QStringView text)
{
    qsizetype begin = 0;
    qsizetype i = 0;
    for (; i < text.size() && text.at(i).isSpace(); ++i) {
        if (text.at(i) == u'\n')
            begin = i + 1;
    }
    if (i == text.size())
        return {};
    qsizetype end = text.size();
    while (end > begin && text.at(end - 1).isSpace())
        --end;
    return text.mid(begin, end - begin).toString();
}

} // namespace docsight
