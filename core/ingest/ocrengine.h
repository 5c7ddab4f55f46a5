#pragma once

#include "model/loaderror.h"
#include "model/pagecontent.h"
#include "util/canceltoken.h"

#include <QImage>
#include <QString>
#include <QStringList>

namespace docsight {

struct OcrResult {
    QString text;              // reading order; paragraphs separated by "\n\n", lines by "\n"
    QList<WordBox> words;      // rects normalised to the input image (after undoing any rotation)
    float meanConfidence = -1; // 0..100
    int rotationDegrees = 0;   // clockwise rotation that was applied to make the image upright
    QString error;             // non-empty when recognition failed

    bool ok() const noexcept { return error.isEmpty(); }
    // What a loader reports for the run: Cancelled when cancel was set meanwhile, OcrFailed with the
    // engine's reason, else none.
    LoadError loadError(const CancelToken &cancel) const;
};

// Tesseract behind a narrow interface: only ocrengine.cpp includes Tesseract's headers.
// recognize() uses one Tesseract instance per calling thread (created on first use, kept for the
// thread's lifetime), so it may be called from any number of worker threads at once.
namespace ocr {

// Detects page orientation (0/90/180/270) and corrects it before recognising.
OcrResult recognize(const QImage &image, const QStringList &languages, const CancelToken &cancel);

// Languages with a traineddata file in the installed tessdata folder (e.g. "eng", "osd").
QStringList availableLanguages();

// "5.3.0" — for the About box and the audit report.
QString version();

} // namespace ocr

} // namespace docsight
