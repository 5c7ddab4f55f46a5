#pragma once

#include <QList>
#include <QRectF>
#include <QSizeF>
#include <QString>

namespace docsight {

// Where a page's text came from.
enum class PageSource {
    TextLayer, // the PDF's own text layer (Poppler)
    Ocr,       // Tesseract on a rendered or scanned image
    Plain,     // a reflowable format with no page geometry (TXT, Markdown, DOCX)
};

QString pageSourceName(PageSource source);
PageSource pageSourceFromName(const QString &name);

// One recognised word: where it is on the page and which characters of the page text it is.
struct WordBox {
    QRectF rect;            // normalised to the page: (0,0) top-left, (1,1) bottom-right
    qint32 start = 0;       // offset of the word in PageContent::text (UTF-16 code units)
    qint32 length = 0;      // length of the word in PageContent::text
    float confidence = -1;  // OCR confidence 0..100, or -1 for text-layer words
};

// Everything a loader read from one physical page.
struct PageContent {
    int number = 0;                 // 1-based physical page number
    QString text;                   // reading order; paragraphs separated by "\n\n", lines by "\n"
    PageSource source = PageSource::Plain;
    float ocrConfidence = -1;       // mean word confidence 0..100 when source == Ocr, else -1
    QList<WordBox> words;           // empty for Plain pages
    QSizeF sizePoints;              // page size in PDF points (1/72 in); empty for Plain pages
};

} // namespace docsight
