#pragma once

#include <optional>
#include <utility>

#include <QList>
#include <QString>
#include <QStringView>

namespace docsight {

// A table row read against its column headers: "Net income 96,995 99,803" under "Years ended 2023
// 2022" is the label "Net income" with 2023 → 96,995 and 2022 → 99,803.
struct TableRowReading {
    QString label;
    QList<std::pair<QString, QString>> cells; // (column year, value), left to right
};

// Reads row against the last line of `above` that names two or more years (the text above the row
// in its passage, then the passage's section heading). Nothing when there is no such line or when
// the row's trailing values and the years do not pair up one to one.
std::optional<TableRowReading> readTableRow(QStringView row, QStringView above);

} // namespace docsight
