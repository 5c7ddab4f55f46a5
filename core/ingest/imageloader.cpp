#include "ingest/imageloader.h"

#include "ingest/ocrengine.h"

#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QImageReader>
#include <QLoggingCategory>

namespace docsight {

Q_LOGGING_CATEGORY(lcImage, "docsight.ingest.image")

namespace {

// Same bound as the PDF loader: a real scan has far fewer pages; a TIFF claiming more is broken or
// hostile, and importing it would tie up the queue for hours.
constexpr int kMaxPages = 10000;

// ocr::recognize refuses more than this; checking the declared size first means a decompression bomb is
// rejected before a single pixel is decoded.
constexpr qint64 kMaxPixels = 100'000'000;
// Qt's default allocation limit (128 MB) would reject a legitimate 100-megapixel colour page; the
// pixel limit above is the real guard, this only has to let it through.
constexpr int kAllocationLimitMb = 400;

// Resolutions outside this range are placeholders, not measurements: 72 "screen" dpi written by
// many tools, and the 96 dpi Qt reports for files without a resolution tag.
constexpr double kMinPlausibleDpi = 100;
constexpr double kMaxPlausibleDpi = 2400;
constexpr double kDefaultDpi = 300;

// The three raster formats scanners and phones produce; other formats Qt can read (SVG, GIF
// animations, icons) are not documents.
bool isDocumentFormat(const QByteArray &format)
{
    return format == "png" || format == "jpeg" || format == "jpg" || format == "tiff" || format == "tif";
}

bool isMultiPageFormat(const QByteArray &format)
{
    return format == "tiff" || format == "tif";
}

double plausibleDpi(const QImage &image)
{
    const double dpi = image.dotsPerMeterX() * 0.0254;
    return dpi >= kMinPlausibleDpi && dpi <= kMaxPlausibleDpi ? dpi : kDefaultDpi;
}

void configure(QImageReader &reader, const QByteArray &format)
{
    // A renamed file must still open with the right decoder, and never with a guess from its suffix.
    reader.setDecideFormatFromContent(true);
    if (!format.isEmpty())
        reader.setFormat(format);
    // Phone photos store their orientation in EXIF; the page is what the photographer saw.
    reader.setAutoTransform(true);
    reader.setAllocationLimit(kAllocationLimitMb);
}

} // namespace

struct ImageLoader::Private {
    QString path;
    LoadOptions options;
    QByteArray format; // decided once in open(), so every page uses the same decoder
    int pageCount = 0;
};

ImageLoader::ImageLoader() : d(std::make_unique<Private>()) {}
ImageLoader::~ImageLoader() = default;

LoadError ImageLoader::open(const QString &path, const LoadOptions &options)
{
    d->pageCount = 0;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return LoadError::make(LoadError::Kind::Io, QStringLiteral("cannot read the file: ") + file.errorString());
    if (file.size() == 0)
        return LoadError::make(LoadError::Kind::Empty, QStringLiteral("the image file is empty"));
    const QByteArray head = file.read(4);
    file.close();

    QImageReader reader(path);
    configure(reader, {});
    const QByteArray format = reader.format().toLower();
    if (format.isEmpty() || !reader.canRead()) {
        // TIFF support is a separate Qt plugin; without it every TIFF would look corrupt.
        const bool tiff = head == QByteArrayLiteral("II*\0") || head == QByteArrayLiteral("MM\0*");
        if (tiff && !QImageReader::supportedImageFormats().contains("tiff"))
            return LoadError::make(LoadError::Kind::Unsupported,
                                   QStringLiteral("TIFF images cannot be read: the Qt TIFF image plugin is not "
                                                  "installed (Debian package qt6-image-formats-plugins)"));
        return LoadError::make(LoadError::Kind::Corrupt, QStringLiteral("not a readable image: ") + reader.errorString());
    }
    if (!isDocumentFormat(format))
        return LoadError::make(LoadError::Kind::Unsupported,
                               QStringLiteral("%1 images are not supported (PNG, JPEG and TIFF are)")
                                   .arg(QString::fromLatin1(format.toUpper())));

    int count = 1;
    if (isMultiPageFormat(format)) {
        count = reader.imageCount();
        if (count > kMaxPages)
            return LoadError::make(LoadError::Kind::TooLarge,
                                   QStringLiteral("the image has %1 pages; the limit is %2").arg(count).arg(kMaxPages));
    }
    if (count <= 0)
        return LoadError::make(LoadError::Kind::Empty, QStringLiteral("the image holds no pages"));
    const QSize size = reader.size();
    if (!size.isValid() || size.isEmpty())
        return LoadError::make(LoadError::Kind::Corrupt, QStringLiteral("the image has no valid size"));

    d->path = path;
    d->options = options;
    d->format = format;
    d->pageCount = count;
    qCDebug(lcImage) << "opened" << format << "image," << count << "page(s)";
    return {};
}

int ImageLoader::pageCount() const
{
    return d->pageCount;
}

PageResult ImageLoader::loadPage(int index, const CancelToken &cancel)
{
    PageResult result;
    if (index < 0 || index >= d->pageCount) {
        result.error = LoadError::make(LoadError::Kind::Io, QStringLiteral("page %1 does not exist").arg(index + 1));
        return result;
    }
    if (cancel.isCancelled()) {
        result.error = LoadError::make(LoadError::Kind::Cancelled, QStringLiteral("cancelled"));
        return result;
    }

    // A reader of its own per call: QImageReader keeps decoding state, so sharing one would
    // serialise (or corrupt) concurrent page loads.
    QImageReader reader(d->path);
    configure(reader, d->format);
    if (index > 0 && !reader.jumpToImage(index)) {
        result.error = LoadError::make(LoadError::Kind::Corrupt,
                                       QStringLiteral("page %1 cannot be found in the image: %2")
                                           .arg(index + 1)
                                           .arg(reader.errorString()));
        return result;
    }
    const QSize declared = reader.size();
    if (declared.isValid() && static_cast<qint64>(declared.width()) * declared.height() > kMaxPixels) {
        result.error = LoadError::make(LoadError::Kind::TooLarge,
                                       QStringLiteral("page %1 is %2 × %3 pixels; the limit is %4 megapixels")
                                           .arg(index + 1)
                                           .arg(declared.width())
                                           .arg(declared.height())
                                           .arg(kMaxPixels / 1'000'000));
        return result;
    }

    QElapsedTimer timer;
    timer.start();
    const QImage image = reader.read();
    if (image.isNull()) {
        result.error = LoadError::make(LoadError::Kind::Corrupt, QStringLiteral("page %1 cannot be decoded: %2")
                                                                     .arg(index + 1)
                                                                     .arg(reader.errorString()));
        return result;
    }
    const qint64 decodeMs = timer.restart();

    if (cancel.isCancelled()) {
        result.error = LoadError::make(LoadError::Kind::Cancelled, QStringLiteral("cancelled"));
        return result;
    }
    const OcrResult recognized = ocr::recognize(image, d->options.ocrLanguages, cancel);
    result.error = recognized.loadError(cancel);
    if (result.error.isError())
        return result;

    const double dpi = plausibleDpi(image);
    PageContent &page = result.page;
    page.number = index + 1;
    page.text = recognized.text;
    page.source = PageSource::Ocr;
    page.ocrConfidence = recognized.meanConfidence;
    page.words = recognized.words;
    page.sizePoints = QSizeF(72.0 * image.width() / dpi, 72.0 * image.height() / dpi);
    qCDebug(lcImage) << "page" << page.number << image.width() << "x" << image.height() << "decoded in" << decodeMs
                     << "ms, OCR in" << timer.elapsed() << "ms," << recognized.words.size() << "words, confidence"
                     << recognized.meanConfidence << "rotation" << recognized.rotationDegrees;
    return result;
}

} // namespace docsight
