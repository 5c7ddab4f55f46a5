#pragma once

// Text plumbing for the offline key-fact rules (keyfactrules.cpp): lines and whitespace-collapsed pages that
// remember where each character came from, facts citing the line or sentence they were read from, table
// columns, and the shapes of dates, company names and amounts. Internal to core/llm.
#include "llm/keyfactrules.h"

#include <optional>

#include <QList>
#include <QRegularExpression>
#include <QString>

namespace docsight::facttext {

using RE = QRegularExpression;

RE ci(const QString &pattern); // case-insensitive, Unicode classes
RE cs(const QString &pattern); // case-sensitive, Unicode classes

// Any date shape facts::parseDate understands, as one non-capturing pattern.
extern const QString kDate;
// A capitalised name of up to seven words followed by a company legal form ("Acme Robotics, Inc.").
extern const QString kCompany;

struct Line {
    int page = 0;
    int start = 0;   // span in the page text
    int end = 0;
    QString text;    // as on the page: quotes come from here
    QString match;   // the same with Markdown emphasis ("**From:**") blanked out, offsets unchanged: rules read this
};

QList<Line> linesOf(const QList<FactPage> &pages);
// A fact citing the (trimmed) line.
KeyFact lineFact(const QString &field, const QString &value, const QString &raw, const Line &line);

// A page with whitespace collapsed, remembering where each character came from, so a match in running text
// (a clause broken over lines) cites the exact span of the page.
struct Flat {
    int page = 0;
    QString text;
    QList<int> origin;
};

Flat flatten(const FactPage &p);
// A fact citing the sentence around [start, end) of flat text.
KeyFact flatFact(const QString &field, const QString &value, const QString &raw, const Flat &flat, qsizetype start,
                 qsizetype end);

// Text after a label on the same line, separators (":", "#", "|", dots, spaces) removed.
QString afterLabel(const Line &line, const QRegularExpressionMatch &m);
// Columns of a tabular line: runs of text separated by two or more spaces or a " | ".
QList<std::pair<qsizetype, QString>> columns(const QString &line);
// A header line ("INVOICE NO.   DATE") over a row of values: the value under the label, and its line index.
std::optional<std::pair<QString, int>> valueBelow(const QList<Line> &lines, int index, qsizetype labelStart, qsizetype labelEnd);
// Amounts on a line with their spans, skipping percentages and numbers glued to letters.
QList<std::pair<qsizetype, QString>> amountsIn(const QString &line);
// Amounts that can be money: separators, or a plain number right after a currency; never "14 days".
QList<std::pair<qsizetype, QString>> moneyIn(const QString &line, qsizetype from);

} // namespace docsight::facttext
