#pragma once

#include <QString>
#include <QStringList>
#include <QStringView>

namespace docsight {

// Table cells as documents print them, shared by the PDF page layout (which rows to rejoin), the
// chunker (which lines are column headers) and the extractive answerer (which values a row holds).

// A value cell: digits with their currency, sign, percent, footnote-star and bracket decoration
// ("$1,234", "(6,059)", "12.5%"), or a dash standing for nil.
bool isTableValue(QStringView token);

// A value cell, or a scrap of its decoration printed apart ("$", "(", "%"): what a column of
// numbers is made of.
bool isTableCellToken(QStringView token);

// The values a line ends with, left to right; a currency sign set apart from its number
// ("$ 394,328") is not a cell of its own. `label`, when given, gets the words before them.
QStringList trailingTableValues(QStringView line, QString *label = nullptr);

} // namespace docsight
