#include "llm/tablerow.h"

#include "util/tablevalue.h"

#include <algorithm>

#include <QRegularExpression>
#include <QStringList>

namespace docsight {
namespace {

// A column header line of a scattered statement header: a year, perhaps with its month and day or
// "Years Ended", and little else ("November 27,", "2015", "Fiscal 2014").
bool isHeaderLine(QStringView line)
{
    return !yearsIn(line).isEmpty() && line.split(QLatin1Char(' '), Qt::SkipEmptyParts).size() <= 4;
}

// Distinct years of the header lines of context, latest first, when they are `count` consecutive years.
QStringList scatteredHeaderYears(QStringView context, qsizetype count)
{
    QList<int> years;
    for (const QStringView line : context.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        if (!isHeaderLine(line.trimmed()))
            continue;
        for (const QString &y : yearsIn(line)) {
            if (!years.contains(y.toInt()))
                years.append(y.toInt());
        }
    }
    if (years.size() != count || count < 2)
        return {};
    std::sort(years.begin(), years.end(), std::greater<>());
    if (years.constFirst() - years.constLast() != count - 1)
        return {};
    QStringList out;
    for (const int y : std::as_const(years))
        out << QString::number(y);
    return out;
}

} // namespace

QStringList yearsIn(QStringView text)
{
    static const QRegularExpression year(QStringLiteral("\\b(?:19|20)\\d\\d\\b"));
    QStringList out;
    for (auto it = year.globalMatch(text.toString()); it.hasNext();)
        out << it.next().captured();
    return out;
}

QString tableUnit(QStringView text, bool last)
{
    static const QRegularExpression unit(QStringLiteral("\\b(?:in|dollars in|amounts in|\\$ in)\\s+(thousands|millions|billions)\\b"),
                                         QRegularExpression::CaseInsensitiveOption);
    QString found;
    for (auto it = unit.globalMatch(text.toString()); it.hasNext();) {
        found = QStringLiteral("in ") + it.next().captured(1).toLower();
        if (!last)
            break;
    }
    return found;
}

std::optional<TableRowReading> readTableRow(QStringView row, QStringView above, QStringView context)
{
    QString label;
    const QStringList values = trailingTableValues(row, &label);
    // Dot leaders ("Net income ......... $ 629,551") belong to neither the label nor the values.
    static const QRegularExpression leader(QStringLiteral("\\s*(?:\\.\\s*){2,}$"));
    label.remove(leader);
    label = label.simplified();
    if (values.isEmpty() || label.isEmpty())
        return std::nullopt;
    QStringList years;
    const QList<QStringView> lines = above.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (auto it = lines.crbegin(); it != lines.crend() && years.isEmpty(); ++it) {
        const QStringList found = yearsIn(*it);
        if (found.size() >= 2)
            years = found;
    }
    if (years.isEmpty())
        years = scatteredHeaderYears(context, values.size());
    if (years.isEmpty() || values.size() != years.size())
        return std::nullopt;
    TableRowReading reading;
    reading.label = label;
    for (qsizetype i = 0; i < years.size(); ++i)
        reading.cells.append({years.at(i), values.at(i)});
    reading.unit = tableUnit(above, true);
    if (reading.unit.isEmpty())
        reading.unit = tableUnit(context, false);
    return reading;
}

} // namespace docsight
