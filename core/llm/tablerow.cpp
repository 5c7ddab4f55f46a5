#include "llm/tablerow.h"

#include "util/tablevalue.h"

#include <QRegularExpression>
#include <QStringList>

namespace docsight {
namespace {

QStringList yearsIn(QStringView line)
{
    static const QRegularExpression year(QStringLiteral("\\b(?:19|20)\\d\\d\\b"));
    QStringList out;
    for (auto it = year.globalMatch(line.toString()); it.hasNext();)
        out << it.next().captured();
    return out;
}

} // namespace

std::optional<TableRowReading> readTableRow(QStringView row, QStringView above)
{
    QStringList years;
    const QList<QStringView> lines = above.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (auto it = lines.crbegin(); it != lines.crend() && years.isEmpty(); ++it) {
        const QStringList found = yearsIn(*it);
        if (found.size() >= 2)
            years = found;
    }
    if (years.isEmpty())
        return std::nullopt;
    QString label;
    const QStringList values = trailingTableValues(row, &label);
    if (values.size() != years.size() || label.isEmpty())
        return std::nullopt;
    TableRowReading reading;
    reading.label = label;
    for (qsizetype i = 0; i < years.size(); ++i)
        reading.cells.append({years.at(i), values.at(i)});
    return reading;
}

} // namespace docsight
