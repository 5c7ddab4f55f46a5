#include "ingest/pdfloader.h"

#include "ingest/ocrengine.h"
#include "ingest/textlayout.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <vector>

#include <poppler-qt6.h>

#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QLoggingCategory>
#include <QThread>
#include <QVariant>

namespace docsight {

Q_LOGGING_CATEGORY(lcPdf, "docsight.ingest.pdf")

namespace {

// Real documents stay far below this; beyond it a file is more likely hostile or broken, and one
// import would tie up the queue for hours.
constexpr int kMaxPages = 10000;

// Pages larger than A3 get the pixel count of an A3 page at the requested dpi, not more. Such pages
// are mostly scans placed at 72 or 96 ppi by converters that ignore the scan's resolution (an A4
// scan becomes a 35 x 48 inch page); rendering them at full dpi only upsamples the scan. On the
// corpus's 18 x 23 inch scans, 300 dpi made OCR about 5x slower (80 s against 17 s for four pages)
// for no gain (CER 0.0120 against 0.0115 at the capped 205 dpi). Genuine large-format drawings
// lose some resolution.
constexpr double kFullDpiAreaSquareInches = 11.69 * 16.54;
// An RGB32 render of this size is 240 MB; with one page in flight per core that bounds memory
// whatever dpi is asked for.
constexpr double kMaxOcrPixels = 60e6;
// QImage (and Tesseract) refuse very long sides; a 1e6-point-wide junk MediaBox must not reach them.
constexpr double kMaxRenderSide = 30000;
constexpr int kMinOcrDpi = 72;
constexpr int kMaxOcrDpi = 600;

// A text layer with at least this many letters/digits is trusted without looking at the page:
// enough for a two-line page. Thinner layers (a page number, a short stamp over a scan) are
// checked against a small render first.
constexpr int kMinUsableLetters = 16;

// Pages whose text layer is too thin are rendered small first: if the text layer explains every
// dark pixel (a blank page, or one with just a page number), OCR has nothing to add.
constexpr double kProbeDpi = 72;
constexpr double kMaxProbePixels = 4e6;
constexpr int kInkThreshold = 160;           // 0..255 grey; darker counts as ink
constexpr double kMaxUnexplainedInk = 0.002; // fraction of the page

struct TextStats {
    int letters = 0; // letters and digits
    int garbage = 0; // replacement, private-use, unassigned and control characters
    int other = 0;   // punctuation, symbols
};

bool isGarbage(char32_t c)
{
    if (c == 0xFFFD)
        return true;
    switch (QChar::category(c)) {
    case QChar::Other_PrivateUse:
    case QChar::Other_NotAssigned:
    case QChar::Other_Surrogate:
    case QChar::Other_Control: return true;
    default: return false;
    }
}

TextStats measureText(const QString &text)
{
    TextStats s;
    const QList<uint> ucs4 = text.toUcs4();
    for (const uint c : ucs4) {
        if (QChar::isSpace(c))
            continue;
        if (isGarbage(c))
            ++s.garbage;
        else if (QChar::isLetterOrNumber(c))
            ++s.letters;
        else
            ++s.other;
    }
    return s;
}

enum class LayerQuality {
    Usable,
    Thin,    // clean but too little to trust: maybe a page number or a stamp over a scan
    Garbage, // fonts without a usable Unicode mapping: U+FFFD, private-use code points, or
             // nearly nothing but symbols; worse than OCR even though it is "text"
};

LayerQuality judgeTextLayer(const TextStats &s)
{
    const int nonSpace = s.letters + s.garbage + s.other;
    // A handful of characters is too few to call garbage; a lone "*" on a blank page is not. The
    // letter share stays low on purpose: tables of contents are two-thirds dot leaders.
    if (nonSpace >= kMinUsableLetters / 2 && (s.garbage * 10 > nonSpace || s.letters * 10 < nonSpace))
        return LayerQuality::Garbage;
    return s.letters >= kMinUsableLetters ? LayerQuality::Usable : LayerQuality::Thin;
}

// Control characters would corrupt the text downstream (FTS, prompts, reports) and carry nothing.
QString cleanWord(const QString &word)
{
    QString out;
    out.reserve(word.size());
    for (const QChar c : word) {
        if (c.category() != QChar::Other_Control && !c.isSpace())
            out.append(c);
    }
    return out;
}

using TextLayer = LaidOutText;

// Poppler's word list is in reading order (flows, blocks, lines); nextWord() links the words of one
// line and is null at a line's end. Line and paragraph breaks, and table rows, are rebuilt from
// geometry (layOutText), because the block structure itself is not exposed.
TextLayer buildTextLayer(const std::vector<std::unique_ptr<Poppler::TextBox>> &boxes, const QSizeF &pageSize)
{
    QList<PositionedWord> words;
    const QRectF pageRect(QPointF(0, 0), pageSize);
    WordBreak pending = WordBreak::None;
    for (const std::unique_ptr<Poppler::TextBox> &box : boxes) {
        if (!box)
            continue;
        const WordBreak after = box->nextWord() == nullptr ? WordBreak::Line
                                : box->hasSpaceAfter()     ? WordBreak::Space
                                                           : WordBreak::None;
        QString word = cleanWord(box->text());
        const QRectF r = box->boundingBox();
        // Text outside the crop box is not visible to the reader, so it must not be cited.
        if (word.isEmpty() || !r.isValid() || !r.intersects(pageRect)) {
            pending = std::max(pending, after);
            continue;
        }
        words.append(PositionedWord{std::move(word), r, pending});
        pending = after;
    }
    return layOutText(words, pageSize);
}

// A Poppler abort callback reads the caller's cancel token through the closure.
bool shouldAbort(const QVariant &closure)
{
    const auto *cancel = static_cast<const CancelToken *>(closure.value<void *>());
    return cancel && cancel->isCancelled();
}

QVariant cancelClosure(const CancelToken &cancel)
{
    return QVariant::fromValue(const_cast<void *>(static_cast<const void *>(&cancel)));
}

// Poppler reports every repaired syntax error on stderr; fuzzed files print hundreds. Keep them for
// whoever enables debug logging, out of everybody else's terminal.
void popplerDebug(const QString &message, const QVariant &)
{
    qCDebug(lcPdf) << "poppler:" << message;
}

// Resolution for OCR: the requested dpi, lowered for pages so large that the render would not fit
// the pixel budget.
double ocrDpiFor(const QSizeF &pagePoints, int requestedDpi)
{
    double dpi = std::clamp(requestedDpi, kMinOcrDpi, kMaxOcrDpi);
    const double maxPixels = std::min(kMaxOcrPixels, kFullDpiAreaSquareInches * dpi * dpi);
    const double w = pagePoints.width() / 72.0 * dpi;
    const double h = pagePoints.height() / 72.0 * dpi;
    if (w * h > maxPixels)
        dpi *= std::sqrt(maxPixels / (w * h));
    const double longSide = std::max(pagePoints.width(), pagePoints.height()) / 72.0 * dpi;
    if (longSide > kMaxRenderSide)
        dpi *= kMaxRenderSide / longSide;
    return dpi;
}

// Fraction of the page that is dark but not covered by any text-layer word.
double unexplainedInk(const QImage &grey, const QList<QRectF> &wordsPoints, double dpi)
{
    if (grey.isNull() || grey.format() != QImage::Format_Grayscale8)
        return 0;
    const int width = grey.width();
    const int height = grey.height();
    const QRect bounds(0, 0, width, height);
    const double scale = dpi / 72.0;
    std::vector<bool> explained(static_cast<size_t>(width) * static_cast<size_t>(height), false);
    for (const QRectF &r : wordsPoints) {
        // Antialiasing bleeds a pixel or two beyond the glyph boxes.
        const QRect px = QRectF(r.left() * scale, r.top() * scale, r.width() * scale, r.height() * scale)
                             .toAlignedRect()
                             .adjusted(-2, -2, 2, 2)
                             .intersected(bounds);
        for (int y = px.top(); y <= px.bottom(); ++y) {
            for (int x = px.left(); x <= px.right(); ++x)
                explained[static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)] = true;
        }
    }
    qint64 ink = 0;
    for (int y = 0; y < height; ++y) {
        const uchar *row = grey.constScanLine(y);
        for (int x = 0; x < width; ++x) {
            if (row[x] < kInkThreshold && !explained[static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)])
                ++ink;
        }
    }
    return static_cast<double>(ink) / (static_cast<double>(width) * height);
}

// The page's text layer when it can stand for the page: enough real text, and (for a thin layer)
// nothing else inked on the page that OCR could read. nullopt means the page goes to OCR.
std::optional<TextLayer> usableTextLayer(Poppler::Page &page, const QSizeF &size, int index, const CancelToken &cancel)
{
    const std::vector<std::unique_ptr<Poppler::TextBox>> boxes =
        page.textList(Poppler::Page::Rotate0, shouldAbort, cancelClosure(cancel));
    if (cancel.isCancelled())
        return std::nullopt;
    TextLayer layer = buildTextLayer(boxes, size);
    const TextStats stats = measureText(layer.text);
    const LayerQuality quality = judgeTextLayer(stats);
    if (quality == LayerQuality::Usable)
        return layer;
    // Poppler's plain-text path is independent of the word list; if it finds a usable layer where
    // the word list did not, something is off in our reconstruction.
    const TextStats plain = measureText(page.text(QRectF()));
    if (judgeTextLayer(plain) == LayerQuality::Usable)
        qCWarning(lcPdf) << "page" << index + 1 << "word list has" << stats.letters << "letters, plain text" << plain.letters;
    qCDebug(lcPdf) << "page" << index + 1 << "text layer not usable:" << stats.letters << "letters," << stats.garbage
                   << "garbage," << stats.other << "other";
    if (quality != LayerQuality::Thin)
        return std::nullopt; // a garbage layer's boxes would "explain" its own glyphs, so only thin layers are probed
    const double probeDpi = std::min(kProbeDpi, 72.0 * std::sqrt(kMaxProbePixels / (size.width() * size.height())));
    const QImage probe = page.renderToImage(probeDpi, probeDpi, -1, -1, -1, -1, Poppler::Page::Rotate0, nullptr, nullptr,
                                            shouldAbort, cancelClosure(cancel))
                             .convertToFormat(QImage::Format_Grayscale8);
    const double ink = unexplainedInk(probe, layer.boxesPoints, probeDpi);
    qCDebug(lcPdf) << "page" << index + 1 << "unexplained ink" << ink;
    // Nothing on the page beyond what the text layer already says: OCR would only re-read it.
    if (!probe.isNull() && ink <= kMaxUnexplainedInk)
        return layer;
    return std::nullopt;
}

} // namespace

struct PdfLoader::Private {
    // A Poppler::Document is not thread-safe, but separate Document objects are independent. So
    // each page borrows a whole Document for its Poppler calls — one per core at most, opened on
    // demand — and text pages extract in parallel; OCR runs after the Document is handed back.
    std::mutex m_mutex;
    std::condition_variable m_returned;
    std::vector<std::unique_ptr<Poppler::Document>> m_idle;
    int m_instances = 0;
    QString m_path;
    QByteArray m_password; // the encoding of the password that unlocked the file
    LoadOptions m_options;
    std::atomic_int m_pageCount{0};

    struct Lease {
        Private *owner = nullptr;
        std::unique_ptr<Poppler::Document> doc;
        Lease(Private *o, std::unique_ptr<Poppler::Document> d) : owner(o), doc(std::move(d)) {}
        Lease(Lease &&) = default;
        ~Lease()
        {
            if (owner && doc) {
                const std::lock_guard lock(owner->m_mutex);
                owner->m_idle.push_back(std::move(doc));
                owner->m_returned.notify_one();
            }
        }
    };
    Lease acquire();

    PageResult loadPageImpl(int index, const CancelToken &cancel);
};

PdfLoader::Private::Lease PdfLoader::Private::acquire()
{
    std::unique_lock lock(m_mutex);
    const int maxInstances = std::max(1, QThread::idealThreadCount());
    m_returned.wait(lock, [&] { return !m_idle.empty() || m_instances < maxInstances; });
    if (m_instances == 0)
        return Lease(nullptr, nullptr); // not open
    if (!m_idle.empty()) {
        std::unique_ptr<Poppler::Document> doc = std::move(m_idle.back());
        m_idle.pop_back();
        return Lease(this, std::move(doc));
    }
    ++m_instances;
    const QString path = m_path;
    const QByteArray password = m_password;
    lock.unlock();
    std::unique_ptr<Poppler::Document> doc = Poppler::Document::load(path, password, password);
    if (doc && !doc->isLocked()) {
        doc->setRenderHint(Poppler::Document::Antialiasing);
        doc->setRenderHint(Poppler::Document::TextAntialiasing);
        return Lease(this, std::move(doc));
    }
    // Could not open a second copy (the file changed?): share the existing ones instead.
    lock.lock();
    --m_instances;
    m_returned.wait(lock, [&] { return !m_idle.empty(); });
    std::unique_ptr<Poppler::Document> shared = std::move(m_idle.back());
    m_idle.pop_back();
    return Lease(this, std::move(shared));
}

PdfLoader::PdfLoader() : d(std::make_unique<Private>())
{
    static std::once_flag once;
    std::call_once(once, [] { Poppler::setDebugErrorFunction(popplerDebug, QVariant()); });
}

PdfLoader::~PdfLoader() = default;

LoadError PdfLoader::open(const QString &path, const LoadOptions &options)
{
    const std::lock_guard lock(d->m_mutex);
    d->m_idle.clear();
    d->m_instances = 0;
    d->m_pageCount = 0;
    d->m_options = options;

    {
        // Poppler only says "null" for a missing file; tell the analyst the real reason.
        QFile probe(path);
        if (!probe.open(QIODevice::ReadOnly))
            return LoadError::make(LoadError::Kind::Io, QStringLiteral("cannot read the file: ") + probe.errorString());
    }

    QElapsedTimer timer;
    timer.start();
    // Passwords are UTF-8 for AES-256 (revision 6) and PDFDocEncoding (~Latin-1) for older
    // handlers; try both so a non-ASCII password works with either.
    const QByteArray utf8 = options.password.toUtf8();
    std::unique_ptr<Poppler::Document> doc = Poppler::Document::load(path, utf8, utf8);
    if (!doc)
        return LoadError::make(LoadError::Kind::Corrupt, QStringLiteral("not a readable PDF"));
    QByteArray working = utf8;
    if (doc->isLocked() && !options.password.isEmpty()) {
        const QByteArray latin1 = options.password.toLatin1();
        if (latin1 != utf8 && !doc->unlock(latin1, latin1))
            working = latin1;
    }
    if (doc->isLocked()) {
        return LoadError::make(LoadError::Kind::PasswordRequired, options.password.isEmpty()
                                                                       ? QStringLiteral("password required")
                                                                       : QStringLiteral("wrong password — password required"));
    }

    const int pages = doc->numPages();
    if (pages <= 0)
        return LoadError::make(LoadError::Kind::Empty, QStringLiteral("the PDF has no pages"));
    if (pages > kMaxPages) {
        return LoadError::make(LoadError::Kind::TooLarge, QStringLiteral("the PDF has %1 pages; the limit is %2")
                                                              .arg(pages)
                                                              .arg(kMaxPages));
    }

    doc->setRenderHint(Poppler::Document::Antialiasing);
    doc->setRenderHint(Poppler::Document::TextAntialiasing);
    d->m_idle.push_back(std::move(doc));
    d->m_instances = 1;
    d->m_path = path;
    d->m_password = working;
    d->m_pageCount = pages;
    qCDebug(lcPdf) << "opened" << pages << "pages in" << timer.elapsed() << "ms";
    return {};
}

int PdfLoader::pageCount() const
{
    return d->m_pageCount;
}

// Whether the document as a whole yielded text is the import queue's call, not a page's.
PageResult PdfLoader::loadPage(int index, const CancelToken &cancel)
{
    return d->loadPageImpl(index, cancel);
}

PageResult PdfLoader::Private::loadPageImpl(int index, const CancelToken &cancel)
{
    PageResult result;
    result.page.number = index + 1;
    if (index < 0 || index >= m_pageCount) {
        result.error = LoadError::make(LoadError::Kind::Io, QStringLiteral("page %1 does not exist").arg(index + 1));
        return result;
    }
    if (cancel.isCancelled()) {
        result.error = LoadError::make(LoadError::Kind::Cancelled, QStringLiteral("cancelled"));
        return result;
    }

    QElapsedTimer timer;
    timer.start();
    QImage image;
    double ocrDpi = 0;
    QStringList languages;
    {
        const Lease lease = acquire();
        if (!lease.doc) {
            result.error = LoadError::make(LoadError::Kind::Io, QStringLiteral("the PDF is not open"));
            return result;
        }
        const std::unique_ptr<Poppler::Page> page = lease.doc->page(index);
        if (!page) {
            qCWarning(lcPdf) << "page" << index + 1 << "could not be read; keeping it empty";
            result.page.source = PageSource::TextLayer;
            return result;
        }
        // Crop-box size as displayed (width and height swapped for /Rotate 90 and 270). Poppler
        // applies /Rotate to both the word boxes and the renders, so all three agree.
        const QSizeF size = page->pageSizeF();
        result.page.sizePoints = size;
        if (!(size.width() > 0 && size.height() > 0 && std::isfinite(size.width()) && std::isfinite(size.height()))) {
            qCWarning(lcPdf) << "page" << index + 1 << "has a degenerate size" << size << "; keeping it empty";
            result.page.source = PageSource::TextLayer;
            return result;
        }

        // Forced OCR skips the text layer: the analyst has seen that it is garbage in a way the
        // checks cannot tell (e.g. a wrong but plausible font mapping).
        if (!m_options.forceOcr) {
            std::optional<TextLayer> layer = usableTextLayer(*page, size, index, cancel);
            if (cancel.isCancelled()) {
                result.error = LoadError::make(LoadError::Kind::Cancelled, QStringLiteral("cancelled"));
                return result;
            }
            if (layer) {
                result.page.source = PageSource::TextLayer;
                result.page.text = std::move(layer->text);
                result.page.words = std::move(layer->words);
                qCDebug(lcPdf) << "page" << index + 1 << "text layer:" << result.page.words.size() << "words in"
                               << timer.elapsed() << "ms";
                return result;
            }
        }

        if (cancel.isCancelled()) {
            result.error = LoadError::make(LoadError::Kind::Cancelled, QStringLiteral("cancelled"));
            return result;
        }
        ocrDpi = ocrDpiFor(size, m_options.ocrDpi);
        languages = m_options.ocrLanguages;
        image = page->renderToImage(ocrDpi, ocrDpi, -1, -1, -1, -1, Poppler::Page::Rotate0, nullptr, nullptr,
                                    shouldAbort, cancelClosure(cancel));
    }

    // Everything below runs with the Document handed back, so another page can use it meanwhile.
    if (cancel.isCancelled()) {
        result.error = LoadError::make(LoadError::Kind::Cancelled, QStringLiteral("cancelled"));
        return result;
    }
    result.page.source = PageSource::Ocr;
    if (image.isNull()) {
        qCWarning(lcPdf) << "page" << index + 1 << "could not be rendered at" << ocrDpi << "dpi; keeping it empty";
        return result;
    }
    // Tesseract reads grey anyway; a grey copy is a quarter of the memory while it waits and works.
    image = image.convertToFormat(QImage::Format_Grayscale8);
    // The OCR engine takes the resolution from the image; without it, it would assume 300 dpi.
    image.setDotsPerMeterX(qRound(ocrDpi / 0.0254));
    image.setDotsPerMeterY(qRound(ocrDpi / 0.0254));
    qCDebug(lcPdf) << "page" << index + 1 << "rendered for OCR at" << qRound(ocrDpi) << "dpi:" << image.size() << "in"
                   << timer.restart() << "ms";

    const OcrResult recognized = ocr::recognize(image, languages, cancel);
    result.error = recognized.loadError(cancel);
    if (result.error.isError())
        return result;
    // The render is the whole page, so rects normalised to the image are normalised to the page.
    result.page.text = recognized.text;
    result.page.words = recognized.words;
    result.page.ocrConfidence = recognized.meanConfidence;
    qCDebug(lcPdf) << "page" << index + 1 << "OCR:" << recognized.words.size() << "words, confidence"
                   << recognized.meanConfidence << "in" << timer.elapsed() << "ms";
    return result;
}

} // namespace docsight
