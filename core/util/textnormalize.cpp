#include "util/textnormalize.h"

#include <algorithm>
#include <vector>

namespace docsight {

QString collapseWhitespace(const QString &text)
{
    QString out;
    out.reserve(text.size());
    bool pendingSpace = false;
    for (const QChar c : text) {
        if (c.isSpace()) {
            pendingSpace = !out.isEmpty();
            continue;
        }
        if (pendingSpace)
            out.append(QLatin1Char(' '));
        pendingSpace = false;
        out.append(c);
    }
    return out;
}

qsizetype editDistance(const QString &a, const QString &b)
{
    const QString &shorter = a.size() < b.size() ? a : b;
    const QString &longer = a.size() < b.size() ? b : a;
    std::vector<qsizetype> row(static_cast<size_t>(shorter.size()) + 1);
    for (size_t i = 0; i < row.size(); ++i)
        row[i] = static_cast<qsizetype>(i);
    for (qsizetype i = 1; i <= longer.size(); ++i) {
        qsizetype diagonal = row[0];
        row[0] = i;
        for (qsizetype j = 1; j <= shorter.size(); ++j) {
            const qsizetype above = row[static_cast<size_t>(j)];
            const qsizetype cost = longer.at(i - 1) == shorter.at(j - 1) ? 0 : 1;
            row[static_cast<size_t>(j)] = std::min({above + 1, row[static_cast<size_t>(j - 1)] + 1, diagonal + cost});
            diagonal = above;
        }
    }
    return row.back();
}

double characterErrorRate(const QString &recognised, const QString &reference)
{
    const QString ref = collapseWhitespace(reference);
    if (ref.isEmpty())
        return recognised.trimmed().isEmpty() ? 0.0 : 1.0;
    return static_cast<double>(editDistance(collapseWhitespace(recognised), ref)) / static_cast<double>(ref.size());
}

} // namespace docsight
