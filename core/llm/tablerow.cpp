#include "llm/tablerow.h"

#include <QRegularExpression>
#include <QStringList>

namespace docsight {
namespace {

// A value cell: a number with its currency, sign, percent and bracket decoration, or a dash for nil.
bool isValue(QStringView token)
{
    static const QRegularExpression value(
        QStringLiteral("^(?:[$\\x{20ac}\\x{a3}(-]*\\d[\\d,.]*\\)?%?|[\\x{2014}\\x{2013}-])$"));
    return value.match(token.toString()).hasMatch();
}

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
    QStringList tokens = row.toString().simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    // Trailing values; a currency sign set apart from its number ("$ 394,328") is not a cell.
    static const QRegularExpression currency(QStringLiteral("^[$\\x{20ac}\\x{a3}]$"));
    QStringList values;
    while (!tokens.isEmpty()) {
        if (isValue(tokens.constLast()))
            values.prepend(tokens.takeLast());
        else if (currency.match(tokens.constLast()).hasMatch())
            tokens.removeLast();
        else
            break;
    }
    if (values.size() != years.size() || tokens.isEmpty())
        return std::nullopt;
    TableRowReading reading;
    reading.label = tokens.join(QLatin1Char(' '));
    for (qsizetype i = 0; i < years.size(); ++i)
        reading.cells.append({years.at(i), values.at(i)});
    return reading;
}

} // namespace docsight
