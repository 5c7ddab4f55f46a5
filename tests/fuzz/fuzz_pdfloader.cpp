// PdfLoader through the real Poppler: open (with and without a password), then the first pages'
// text layer, its layout, the ink probe and, for pages without usable text, a small OCR render.

#include "fuzzsupport.h"

#include "ingest/loader.h"
#include "ingest/pdfloader.h"

using namespace docsight;

namespace {
// Enough to reach every path of a page; a 100-page seed must not make each run take seconds.
constexpr int kMaxPages = 3;
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz::ensureApplication();
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const QString path = fuzz::writeScratchFile(bytes, QStringLiteral("input.pdf"));
    (void)detectDocumentType(path);

    LoadOptions options;
    options.ocrDpi = 72; // the loader's minimum: OCR of a render is Tesseract's business, not ours
    PdfLoader loader;
    LoadError error = loader.open(path, options);
    if (error.kind == LoadError::Kind::PasswordRequired) {
        options.password = QStringLiteral("test"); // the corpus's pdf-example-password.pdf
        error = loader.open(path, options);
    }
    if (error.isError()) {
        DOCSIGHT_FUZZ_CHECK(loader.pageCount() == 0, error.message);
        return 0;
    }
    DOCSIGHT_FUZZ_CHECK(loader.pageCount() > 0, QString::number(loader.pageCount()));

    fuzz::loadAndCheckPages(loader, fuzz::PageErrors::Skipped, kMaxPages);
    return 0;
}
