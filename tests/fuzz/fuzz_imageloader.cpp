// ImageLoader on arbitrary bytes: format detection from content, the page count and size checks
// that reject decompression bombs before decoding, and (for small images only) decoding and OCR.
// Tesseract takes about a second per real page, which would leave the fuzzer a few runs a minute,
// and its recognition is not our code; our code is the validation around it.

#include "fuzzsupport.h"

#include "ingest/imageloader.h"
#include "ingest/loader.h"

#include <QImageReader>

using namespace docsight;

namespace {
constexpr qint64 kMaxOcrPixels = 160 * 160;
constexpr qint64 kLoaderPixelLimit = 100'000'000; // ImageLoader refuses larger pages before decoding
constexpr int kMaxPages = 2;

// The size the file declares for a page, as the loader will see it.
QSize declaredSize(const QString &path, int index)
{
    QImageReader reader(path);
    reader.setDecideFormatFromContent(true);
    reader.setAutoTransform(true);
    if (index > 0 && !reader.jumpToImage(index))
        return {};
    return reader.size();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz::ensureApplication();
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const QString path = fuzz::writeScratchFile(bytes, QStringLiteral("input-image"));
    (void)detectDocumentType(path);

    ImageLoader loader;
    const LoadError error = loader.open(path, {});
    DOCSIGHT_FUZZ_CHECK(!error.isError() || loader.pageCount() == 0, error.message);
    QList<PageContent> pages;
    const CancelToken cancel;
    for (int i = 0; i < std::min(loader.pageCount(), kMaxPages); ++i) {
        const QSize declared = declaredSize(path, i);
        const qint64 pixels = declared.isValid() ? qint64(declared.width()) * declared.height() : -1;
        if (pixels < 0 || (pixels > kMaxOcrPixels && pixels <= kLoaderPixelLimit))
            continue;
        PageResult r = loader.loadPage(i, cancel);
        if (pixels > kLoaderPixelLimit)
            DOCSIGHT_FUZZ_CHECK(r.error.kind == LoadError::Kind::TooLarge, r.error.message);
        if (r.error.isError())
            continue;
        DOCSIGHT_FUZZ_CHECK(r.page.number == i + 1, QString::number(r.page.number));
        pages.append(std::move(r.page));
    }
    fuzz::checkPages(pages);
    return 0;
}
