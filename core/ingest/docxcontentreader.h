#pragma once

// Reads WordprocessingML content (paragraphs, runs, tables, text boxes, notes references) into
// text blocks; used for the body, the notes and the headers and footers of a .docx.

#include <QtGlobal>
#include <QString>
#include <QStringList>

class QXmlStreamReader;

namespace docsight::docx {

struct Context;
struct Flow;
struct Notes;

// Every read* function is entered on a start element and returns after consuming its end element.
class ContentReader final
{
public:
    ContentReader(QXmlStreamReader &xml, Context &context) : m_xml(xml), m_ctx(context) {}
    Q_DISABLE_COPY_MOVE(ContentReader)

    // Block-level children of the current element: paragraphs, tables, content controls.
    void readBlocks(Flow &flow);

    // Ends the current page of the body: footnotes referenced on it are printed at its foot.
    void breakPage(Flow &flow);

    static void flushNotes(Notes &notes, Flow &flow);

private:
    struct Paragraph;

    template<typename F>
    auto nested(F &&read) -> decltype(read());
    template<typename F>
    void readAlternateContent(F &&readChoice);
    template<typename F>
    void readWrapperOrSkip(F &&readChildren);

    bool isBlockContainer() const;
    bool isAlternateContent() const;
    void readParagraph(Flow &flow);
    void readParagraphProperties(Paragraph &p);
    bool readSectionProperties();
    void applyProperties(Paragraph &p, Flow &flow);
    void flushParagraph(Paragraph &p, Flow &flow);
    void readInline(Paragraph &p, Flow &flow);
    static void referenceNote(Notes &notes, const QString &id, bool footnote, Paragraph &p);
    void readDrawing(Paragraph &p);
    QString readMathText();
    QString readTable();
    void readRows(QStringList &rows);
    void readCells(QStringList &cells);

    QXmlStreamReader &m_xml;
    Context &m_ctx;
    int m_tableRows = 0;    // rows and widest row of the table being read
    int m_tableColumns = 0;
    int m_depth = 0;
    bool m_warnedDepth = false;
};

} // namespace docsight::docx
