#pragma once

// Readers for the supporting parts of a .docx: styles, footnotes and endnotes, headers and footers.
// Each is optional: if one is damaged the body is still worth reading.

#include <QStringList>

class QXmlStreamReader;

namespace docsight::docx {

struct Context;
struct Notes;

// word/styles.xml: paragraph styles, for the list numbering they carry.
void readStyles(QXmlStreamReader &xml, Context &ctx);

// word/footnotes.xml or word/endnotes.xml: the text of each note, by id.
void readNotes(QXmlStreamReader &xml, Context &ctx, Notes &notes);

// Headers and footers, flattened; blocks already seen (the same header in every section) dropped.
void readHeaderOrFooter(QXmlStreamReader &xml, Context &ctx, QStringList &blocks);

} // namespace docsight::docx
