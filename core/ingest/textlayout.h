#pragma once

#include "model/pagecontent.h"

#include <QList>
#include <QRectF>
#include <QSizeF>
#include <QString>

namespace docsight {

// What separates a word from the one before it in the source's reading order.
enum class WordBreak { None, Space, Line };

// A word of a PDF text layer, in the order the PDF library reads the page.
struct PositionedWord {
    QString text;
    QRectF rect; // in page points
    WordBreak before = WordBreak::None;
};

struct LaidOutText {
    QString text;              // lines joined by "\n", paragraphs and blocks by "\n\n"
    QList<WordBox> words;      // one per input word, in text order
    QList<QRectF> boxesPoints; // the same words in page points
};

// Builds a page's text from its words. Line and paragraph breaks come from geometry (a large
// vertical gap or a jump back up the page starts a paragraph; a block that continues the same
// visual line joins it with a space).
//
// Tables are put back together row by row. A PDF library's reading order finds blocks and often
// reads a table's value columns as blocks of their own, after the label column, which detaches
// every number from its row ("Net income" ... pages later "99,803"). A block of numeric cells whose
// lines sit on the same baselines as lines to their left is moved onto those lines. Blocks of
// prose, and columns of a multi-column page, keep the reading order.
LaidOutText layOutText(const QList<PositionedWord> &words, const QSizeF &pageSize);

} // namespace docsight
