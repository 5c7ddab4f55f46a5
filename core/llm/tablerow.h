#pragma once

#include <optional>
#include <utility>

#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

namespace docsight {

// A table row read against its column headers: "Net income 96,995 99,803" under "Years ended 2023
// 2022" is the label "Net income" with 2023 → 96,995 and 2022 → 99,803.
struct TableRowReading {
    QString label;
    QList<std::pair<QString, QString>> cells; // (column year, value), left to right
    QString unit;                             // "in millions", "in thousands", or empty
};

// Reads row against the last line of `above` that names two or more years (the text above the row
// in its passage, then the passage's section heading). When no line names two years — a PDF text
// layer often scatters a statement's column headers ("November 27,", "2015", ... "2013") over short
// lines above and below the table — the years of the short header lines anywhere in `context` are
// taken, latest first as financial statements print them, if they are as many as the row's values
// and consecutive. Nothing when the row's trailing values and the years do not pair up one to one.
// The unit is the last "(In millions)"-style note above the row, else the first in the context.
std::optional<TableRowReading> readTableRow(QStringView row, QStringView above, QStringView context = {});

// The years (1900-2099) text names, in order.
QStringList yearsIn(QStringView text);

// The amount unit a table note states ("(In thousands)", "Dollars in millions"): "in thousands",
// "in millions" or "in billions"; the last one in text when `last`, else the first; empty if none.
QString tableUnit(QStringView text, bool last);

} // namespace docsight
