#pragma once

#include <QString>

namespace docsight {

// Collapses every run of Unicode whitespace to one space and trims the ends.
// Used wherever text from different engines is compared (OCR accuracy, tests, de-duplication).
QString collapseWhitespace(const QString &text);

// Levenshtein distance between two strings, in UTF-16 code units; O(n*m) time, O(min) memory.
qsizetype editDistance(const QString &a, const QString &b);

// Character error rate: edit distance of the whitespace-collapsed texts over the reference length.
double characterErrorRate(const QString &recognised, const QString &reference);

} // namespace docsight
