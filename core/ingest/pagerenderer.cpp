#include "ingest/pagerenderer.h"

#include <algorithm>
#include <cmath>
#include <mutex>

#include <poppler-qt6.h>
#include <poppler-version.h>

#include <QImageReader>
#include <QLoggingCategory>
#include <QVariant>

namespace docsight {

Q_LOGGING_CATEGORY(lcRender, "docsight.ingest.render")

namespace {

// A screen never needs more; it also bounds memory whatever zoom the viewer asks for.
constexpr int kMaxWidth = 8000;
constexpr qint64 kMaxPixels = 64'000'000;
// Same fallback as the image loader when a file carries no plausible resolution.
constexpr double kDefaultImageDpi = 300;

bool shouldAbort(const QVariant &closure)
{
    const auto *cancel = static_cast<const CancelToken *>(closure.value<void *>());
    return cancel && cancel->isCancelled();
}

LoadError cancelled()
{
    return LoadError::make(LoadError::Kind::Cancelled, QStringLiteral("cancelled"));
}

double plausibleDpi(const QImage &image)
{
    const double dpi = image.dotsPerMeterX() * 0.0254;
    return dpi >= 100 && dpi <= 2400 ? dpi : kDefaultImageDpi;
}

} // namespace

struct PageRenderer::Private {
    QString path;
    DocumentType type = DocumentType::Unknown;
    QString password;
    // Poppler::Document is not thread-safe: every call into it happens under this lock.
    mutable std::mutex mutex;
    mutable std::unique_ptr<Poppler::Document> doc;
    mutable LoadError openError;
    mutable bool opened = false;

    LoadError openPdf() const;
    RenderedPage renderPdf(int number, int targetWidth, const CancelToken &cancel) const;
    RenderedPage renderImage(int number, int targetWidth, const CancelToken &cancel) const;
};

PageRenderer::PageRenderer(QString path, DocumentType type, QString password)
    : d(std::make_unique<Private>())
{
    d->path = std::move(path);
    d->type = type;
    d->password = std::move(password);
}

PageRenderer::~PageRenderer() = default;

QString PageRenderer::popplerVersion()
{
    return Poppler::Version::string();
}

RenderedPage PageRenderer::render(int number, int targetWidth, const CancelToken &cancel) const
{
    if (cancel.isCancelled())
        return {QImage(), QSizeF(), cancelled()};
    targetWidth = std::clamp(targetWidth, 16, kMaxWidth);
    switch (d->type) {
    case DocumentType::Pdf: return d->renderPdf(number, targetWidth, cancel);
    case DocumentType::Image: return d->renderImage(number, targetWidth, cancel);
    default: break;
    }
    return {QImage(), QSizeF(), LoadError::make(LoadError::Kind::Unsupported, QStringLiteral("this document has no page images"))};
}

LoadError PageRenderer::Private::openPdf() const
{
    if (opened)
        return openError;
    opened = true;
    const QByteArray utf8 = password.toUtf8();
    doc = Poppler::Document::load(path, utf8, utf8);
    if (!doc) {
        openError = LoadError::make(LoadError::Kind::Corrupt, QStringLiteral("the stored copy is not a readable PDF"));
        return openError;
    }
    if (doc->isLocked() && !password.isEmpty() && password.toLatin1() != utf8)
        doc->unlock(password.toLatin1(), password.toLatin1());
    if (doc->isLocked()) {
        doc.reset();
        openError = LoadError::make(LoadError::Kind::PasswordRequired, QStringLiteral("password required"));
        return openError;
    }
    doc->setRenderHint(Poppler::Document::Antialiasing);
    doc->setRenderHint(Poppler::Document::TextAntialiasing);
    doc->setRenderHint(Poppler::Document::TextHinting);
    return openError;
}

RenderedPage PageRenderer::Private::renderPdf(int number, int targetWidth, const CancelToken &cancel) const
{
    RenderedPage out;
    const std::lock_guard lock(mutex);
    if (const LoadError e = openPdf(); e.isError()) {
        out.error = e;
        return out;
    }
    if (number < 1 || number > doc->numPages()) {
        out.error = LoadError::make(LoadError::Kind::Io, QStringLiteral("page %1 does not exist").arg(number));
        return out;
    }
    const std::unique_ptr<Poppler::Page> page = doc->page(number - 1);
    if (!page) {
        out.error = LoadError::make(LoadError::Kind::Corrupt, QStringLiteral("page %1 cannot be read").arg(number));
        return out;
    }
    // Crop-box size as displayed, /Rotate applied: the same frame the loader's word boxes use.
    out.sizePoints = page->pageSizeF();
    if (!(out.sizePoints.width() > 0 && out.sizePoints.height() > 0)) {
        out.error = LoadError::make(LoadError::Kind::Corrupt, QStringLiteral("page %1 has no size").arg(number));
        return out;
    }
    double dpi = 72.0 * targetWidth / out.sizePoints.width();
    const double pixels = out.sizePoints.width() * out.sizePoints.height() * (dpi / 72.0) * (dpi / 72.0);
    if (pixels > kMaxPixels)
        dpi *= std::sqrt(kMaxPixels / pixels);
    const QVariant closure = QVariant::fromValue(const_cast<void *>(static_cast<const void *>(&cancel)));
    out.image = page->renderToImage(dpi, dpi, -1, -1, -1, -1, Poppler::Page::Rotate0, nullptr, nullptr, shouldAbort,
                                    closure);
    if (cancel.isCancelled()) {
        out.image = QImage();
        out.error = cancelled();
    } else if (out.image.isNull()) {
        out.error = LoadError::make(LoadError::Kind::Corrupt, QStringLiteral("page %1 could not be drawn").arg(number));
    }
    return out;
}

RenderedPage PageRenderer::Private::renderImage(int number, int targetWidth, const CancelToken &cancel) const
{
    RenderedPage out;
    // A reader per call: QImageReader keeps decoding state, so sharing one would serialise renders.
    QImageReader reader(path);
    reader.setDecideFormatFromContent(true);
    reader.setAutoTransform(true);
    reader.setAllocationLimit(400);
    if (number > 1 && !reader.jumpToImage(number - 1)) {
        out.error = LoadError::make(LoadError::Kind::Io, QStringLiteral("page %1 does not exist").arg(number));
        return out;
    }
    // Scaling while decoding is cheap for JPEG; for the rest Qt decodes then scales.
    QImage image = reader.read();
    if (cancel.isCancelled())
        return {QImage(), QSizeF(), cancelled()};
    if (image.isNull()) {
        out.error = LoadError::make(LoadError::Kind::Corrupt, reader.errorString());
        return out;
    }
    const double dpi = plausibleDpi(image);
    out.sizePoints = QSizeF(72.0 * image.width() / dpi, 72.0 * image.height() / dpi);
    if (image.width() > targetWidth)
        image = image.scaledToWidth(targetWidth, Qt::SmoothTransformation);
    if (image.format() != QImage::Format_RGB32 && image.format() != QImage::Format_ARGB32_Premultiplied)
        image = image.convertToFormat(image.hasAlphaChannel() ? QImage::Format_ARGB32_Premultiplied : QImage::Format_RGB32);
    out.image = std::move(image);
    qCDebug(lcRender) << "image page" << number << "drawn at" << out.image.size();
    return out;
}

} // namespace docsight
