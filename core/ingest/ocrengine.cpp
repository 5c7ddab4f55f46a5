#include "ingest/ocrengine.h"

namespace docsight {

// Placeholder until the Tesseract adapter lands.
OcrResult OcrEngine::recognize(const QImage &, const QStringList &, const CancelToken &)
{
    OcrResult r;
    r.error = QStringLiteral("OCR engine not built yet");
    return r;
}

QStringList OcrEngine::availableLanguages() { return {}; }
QString OcrEngine::version() { return {}; }

} // namespace docsight
