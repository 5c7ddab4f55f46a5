#pragma once

// Cuts the text of formats that have no pages of their own (DOCX, plain text) into pieces short
// enough that a citation points to a passage an analyst can find at a glance.

#include <QString>
#include <QStringList>
#include <QStringView>

namespace docsight {

// What a cut does to the whitespace around it. The two loaders differ on purpose, and changing
// either mode moves page boundaries, and so the citations, of documents already imported.
enum class PageEdges {
    // Every piece trimmed; whitespace between pieces dropped before the next window starts (DOCX,
    // whose blocks are trimmed paragraphs joined by blank lines).
    Trimmed,
    // Blank lines at either end dropped but the first line's indentation kept (plain text and
    // Markdown, where indentation is meaning: code, nested lists); after a cut between words the
    // spaces at the cut are dropped, after a cut at a line end nothing is.
    KeepIndentation,
};

// Cuts text into pieces of at most maxChars: at a blank line if one falls in the last two thirds
// of the window, else at a line end, else between words, else anywhere but inside a surrogate
// pair. Pieces left empty are dropped.
QStringList cutIntoPages(const QString &text, qsizetype maxChars, PageEdges edges);

// Removes blank lines at both ends but keeps the indentation of the first line.
QString trimBlankLines(QStringView text);

} // namespace docsight
