#pragma once

#include "ingest/loader.h"
#include "util/canceltoken.h"

#include <memory>

#include <QImage>
#include <QSizeF>
#include <QString>

namespace docsight {

// One page drawn for the screen.
struct RenderedPage {
    QImage image;          // null when the page has no image (DOCX, text) or on error
    QSizeF sizePoints;     // the page as the loader measured it (PDF points; images at their dpi)
    LoadError error;       // PasswordRequired when the PDF is locked and no (or a wrong) password was given
};

// Draws pages of a stored document for the viewer: PDF pages through Poppler (only this file and the
// PDF loader include Poppler), image pages by decoding the frame (honouring EXIF orientation, like the
// image loader, so OCR word boxes line up). DOCX and text documents have no page images: the viewer
// shows their text. The document is opened on first use and kept open; render() is thread-safe (calls
// into Poppler are serialised) and blocking — call it from a worker thread. A cancelled render returns
// quickly with error kind Cancelled.
class PageRenderer final
{
public:
    PageRenderer(QString path, DocumentType type, QString password = {});
    ~PageRenderer();
    Q_DISABLE_COPY_MOVE(PageRenderer)

    static bool hasPageImages(DocumentType type) { return type == DocumentType::Pdf || type == DocumentType::Image; }

    // Renders 1-based page `number` so that the image is targetWidth pixels wide (height keeps the
    // page's aspect ratio); the width is clamped to a sane maximum.
    RenderedPage render(int number, int targetWidth, const CancelToken &cancel = {}) const;

    // "22.12.0" — for the About box.
    static QString popplerVersion();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace docsight
