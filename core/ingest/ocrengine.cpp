#include "ingest/ocrengine.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>
#include <vector>

#include <dlfcn.h>

#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>
#include <tesseract/resultiterator.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QPainter>
#include <QTransform>

namespace docsight {

Q_LOGGING_CATEGORY(lcOcr, "docsight.ingest.ocr")

LoadError OcrResult::loadError(const CancelToken &cancel) const
{
    if (cancel.isCancelled())
        return LoadError::make(LoadError::Kind::Cancelled, QStringLiteral("cancelled"));
    if (!ok())
        return LoadError::make(LoadError::Kind::OcrFailed, error);
    return {};
}

namespace {

// A 100-megapixel page is an A4 sheet at ~1200 dpi; beyond that an image is far more likely hostile
// or broken than a document, and Tesseract would need several GB for it.
constexpr qint64 kMaxPixels = 100'000'000;
// Tesseract stores coordinates in 16-bit integers (TBOX/ICOORD); a longer side would wrap around.
constexpr int kMaxSide = 32767;
// Smaller than the smallest legible character; Tesseract fails to scale such an image instead of
// reporting that there is no text on it.
constexpr int kMinSide = 8;

// Resolutions outside this range are placeholders rather than measurements (72 "screen" dpi, and
// the 96 dpi Qt reports for files without a resolution tag); Tesseract's noise and size heuristics
// need the real scanning resolution, and 300 dpi is the usual one.
constexpr int kMinPlausibleDpi = 100;
constexpr int kMaxPlausibleDpi = 2400;
constexpr int kDefaultDpi = 300;

// Tesseract's own threshold for acting on OSD in PSM_AUTO_OSD (min_orientation_margin): below it,
// the orientation classifier has not clearly preferred one direction over the others.
constexpr float kMinOsdConfidence = 7.0F;
// Upright printed text reads at 80..97 mean word confidence with the LSTM model; upside-down or
// sideways text reads as garbage at 35..45 (measured on the corpus scans turned every way). A
// reading below this may come from a turned page.
constexpr float kPoorConfidence = 60.0F;

QString tessdataDir()
{
    // Tesseract itself reads TESSDATA_PREFIX the same way; resolving it here means that
    // availableLanguages() and recognize() always agree on which folder they look in.
    const QString fromEnv = qEnvironmentVariable("TESSDATA_PREFIX");
    if (!fromEnv.isEmpty())
        return QDir::cleanPath(fromEnv);
    static const QStringList candidates{
        QStringLiteral("/usr/share/tesseract-ocr/5/tessdata"),
        QStringLiteral("/usr/share/tesseract-ocr/4.00/tessdata"),
        QStringLiteral("/usr/share/tessdata"),
        QStringLiteral("/usr/local/share/tessdata"),
    };
    for (const QString &dir : candidates) {
        if (QFileInfo::exists(dir + QStringLiteral("/eng.traineddata")))
            return dir;
    }
    for (const QString &dir : candidates) {
        if (QFileInfo(dir).isDir())
            return dir;
    }
    return candidates.constFirst();
}

bool isValidLanguageCode(const QString &code)
{
    // Codes become file names inside tessdata: no separators, no "..".
    return !code.isEmpty() && std::all_of(code.cbegin(), code.cend(), [](QChar c) {
        return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'_'
               || c == u'-';
    });
}

struct TessDeleter {
    void operator()(tesseract::TessBaseAPI *api) const
    {
        api->End();
        delete api;
    }
};
using TessPtr = std::unique_ptr<tesseract::TessBaseAPI, TessDeleter>;

// Tesseract instances are expensive to create (the model is loaded and unpacked) and not
// thread-safe, so each worker thread keeps its own for as long as it lives.
struct ThreadEngines {
    bool openMpDisabled = false;
    TessPtr text;
    QString textLanguages; // the '+'-joined set `text` was initialised with
    TessPtr osd;
    bool osdUnavailable = false; // osd.traineddata missing or unusable: don't retry on every page
};

thread_local ThreadEngines t_engines;

void quietTesseract(tesseract::TessBaseAPI &api)
{
    // Tesseract chats on stderr ("Detected N diacritics", resolution warnings); our own errors and
    // log lines say what matters, and a GUI app's stderr is nobody's console.
    api.SetVariable("debug_file", "/dev/null");
}

// Tesseract spreads the work on one page over OpenMP threads. Docsight already runs one Tesseract
// per core, so those threads only compete with the other workers and spin while they wait:
// measured 4-5 times slower per page on a busy two-core machine. libgomp reads OMP_THREAD_LIMIT
// once, when it is loaded before main(), and Tesseract asks for a fixed team size (which overrides
// omp_set_num_threads), so OpenMP parallelism is switched off for each worker thread by allowing
// zero active parallel levels. The call is looked up at run time because libtesseract, not
// Docsight, links the OpenMP runtime, and a Tesseract built without OpenMP has none.
void disableOpenMpOnThisThread()
{
    using SetMaxActiveLevels = void (*)(int);
    static const auto setMaxActiveLevels =
        reinterpret_cast<SetMaxActiveLevels>(dlsym(RTLD_DEFAULT, "omp_set_max_active_levels"));
    if (setMaxActiveLevels)
        setMaxActiveLevels(0);
}

tesseract::TessBaseAPI *textEngine(const QString &languages, QString *error)
{
    ThreadEngines &e = t_engines;
    if (!e.openMpDisabled) {
        disableOpenMpOnThisThread();
        e.openMpDisabled = true;
    }
    if (e.text && e.textLanguages == languages)
        return e.text.get();

    e.text.reset();
    e.textLanguages.clear();
    const QByteArray dataPath = QFile::encodeName(tessdataDir());
    const QByteArray lang = languages.toUtf8();
    TessPtr api(new tesseract::TessBaseAPI);
    // The LSTM recogniser is the accurate one; models that only carry the legacy engine still load
    // with the default mode.
    if (api->Init(dataPath.constData(), lang.constData(), tesseract::OEM_LSTM_ONLY) != 0
        && api->Init(dataPath.constData(), lang.constData(), tesseract::OEM_DEFAULT) != 0) {
        *error = QStringLiteral("Tesseract could not load the language data \"%1\" from %2")
                     .arg(languages, QString::fromLocal8Bit(dataPath));
        return nullptr;
    }
    quietTesseract(*api);
    // The API's default is a single uniform block; real pages have columns, headings and captions.
    api->SetPageSegMode(tesseract::PSM_AUTO);
    e.text = std::move(api);
    e.textLanguages = languages;
    return e.text.get();
}

tesseract::TessBaseAPI *osdEngine()
{
    ThreadEngines &e = t_engines;
    if (e.osd || e.osdUnavailable)
        return e.osd.get();
    const QString dir = tessdataDir();
    if (!QFileInfo::exists(dir + QStringLiteral("/osd.traineddata"))) {
        e.osdUnavailable = true;
        qCInfo(lcOcr) << "osd.traineddata not found in" << dir << "- orientation from recognition confidence only";
        return nullptr;
    }
    const QByteArray dataPath = QFile::encodeName(dir);
    TessPtr api(new tesseract::TessBaseAPI);
    // osd.traineddata holds only a legacy-engine classifier.
    if (api->Init(dataPath.constData(), "osd", tesseract::OEM_TESSERACT_ONLY) != 0) {
        e.osdUnavailable = true;
        qCWarning(lcOcr) << "Tesseract could not load osd.traineddata - orientation from recognition confidence only";
        return nullptr;
    }
    quietTesseract(*api);
    api->SetPageSegMode(tesseract::PSM_OSD_ONLY);
    e.osd = std::move(api);
    return e.osd.get();
}

int sourceDpi(const QImage &image)
{
    const double dpi = image.dotsPerMeterX() * 0.0254;
    if (dpi >= kMinPlausibleDpi && dpi <= kMaxPlausibleDpi)
        return static_cast<int>(std::lround(dpi));
    return kDefaultDpi;
}

QImage toGrayscale(const QImage &image)
{
    // A transparent background would turn black under a plain grey conversion, hiding dark text:
    // flatten onto white paper first.
    if (image.hasAlphaChannel()) {
        QImage flat(image.size(), QImage::Format_RGB32);
        flat.fill(Qt::white);
        QPainter painter(&flat);
        painter.drawImage(0, 0, image);
        painter.end();
        return flat.convertToFormat(QImage::Format_Grayscale8);
    }
    return image.convertToFormat(QImage::Format_Grayscale8);
}

void setImage(tesseract::TessBaseAPI &api, const QImage &gray, int dpi)
{
    api.SetImage(gray.constBits(), gray.width(), gray.height(), 1, static_cast<int>(gray.bytesPerLine()));
    api.SetSourceResolution(dpi);
}

bool cancelRequested(void *token, int /*words*/)
{
    return static_cast<const CancelToken *>(token)->isCancelled();
}

// Clockwise rotation (0/90/180/270) that makes the page upright according to OSD, or -1 when
// OSD is unavailable or not confident.
int detectOrientation(const QImage &gray, int dpi)
{
    tesseract::TessBaseAPI *api = osdEngine();
    if (!api)
        return -1;
    setImage(*api, gray, dpi);
    int orientDeg = 0;
    float orientConf = 0;
    const char *script = nullptr;
    float scriptConf = 0;
    const bool ok = api->DetectOrientationScript(&orientDeg, &orientConf, &script, &scriptConf);
    api->Clear();
    if (!ok) {
        qCDebug(lcOcr) << "OSD found too little text to decide the orientation";
        return -1;
    }
    // OSD reports how far the page is turned clockwise; turning it clockwise by the rest of the
    // full circle makes it upright.
    const int rotation = (360 - orientDeg % 360) % 360;
    qCDebug(lcOcr) << "OSD: page turned" << orientDeg << "degrees clockwise, confidence" << orientConf;
    if (orientConf < kMinOsdConfidence)
        return -1;
    return rotation;
}

struct Attempt {
    OcrResult result;
    int wordCount = 0;
    // Most words sat in lines running top to bottom. Tesseract reads a page turned a quarter
    // clockwise that way, often well, but its layout analysis (paragraphs, columns) is made for
    // horizontal lines; for vertical scripts it is simply how the page is written.
    bool mostlyVertical = false;
};

// One recognition pass over the image turned clockwise by `rotation`; word rects are mapped back
// to the unrotated input.
Attempt recognizeRotated(tesseract::TessBaseAPI &api, const QImage &gray, int rotation, int dpi,
                         const CancelToken &cancel)
{
    Attempt attempt;
    OcrResult &out = attempt.result;
    out.rotationDegrees = rotation;

    QTransform toUpright;
    toUpright.rotate(rotation);
    // trueMatrix() is the exact transform transformed() applies, including the shift that keeps
    // the rotated image at the origin, so its inverse maps rotated pixels back to input pixels.
    const QTransform applied = QImage::trueMatrix(toUpright, gray.width(), gray.height());
    const QTransform back = applied.inverted();
    const QImage upright = rotation == 0 ? gray : gray.transformed(toUpright);

    setImage(api, upright, dpi);
    tesseract::ETEXT_DESC monitor;
    monitor.cancel = &cancelRequested;
    monitor.cancel_this = const_cast<CancelToken *>(&cancel);
    const int rc = api.Recognize(&monitor);
    if (cancel.isCancelled()) {
        api.Clear();
        out.error = QStringLiteral("cancelled");
        return attempt;
    }
    if (rc != 0) {
        api.Clear();
        out.error = QStringLiteral("Tesseract failed to recognise the image");
        return attempt;
    }

    const double width = gray.width();
    const double height = gray.height();
    std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
    double confidenceSum = 0;
    enum Break { None, Space, Line, Paragraph };
    Break pending = None;
    int verticalWords = 0;
    bool verticalBlock = false;
    if (it) {
        do {
            if (it->IsAtBeginningOf(tesseract::RIL_BLOCK)) {
                tesseract::Orientation orientation = tesseract::ORIENTATION_PAGE_UP;
                tesseract::WritingDirection direction = tesseract::WRITING_DIRECTION_LEFT_TO_RIGHT;
                tesseract::TextlineOrder order = tesseract::TEXTLINE_ORDER_TOP_TO_BOTTOM;
                float deskew = 0;
                it->Orientation(&orientation, &direction, &order, &deskew);
                verticalBlock = direction == tesseract::WRITING_DIRECTION_TOP_TO_BOTTOM;
            }
            // A skipped (empty) word must not swallow the break that came before it.
            if (it->IsAtBeginningOf(tesseract::RIL_BLOCK) || it->IsAtBeginningOf(tesseract::RIL_PARA))
                pending = Paragraph;
            else if (it->IsAtBeginningOf(tesseract::RIL_TEXTLINE))
                pending = std::max(pending, Line);
            else
                pending = std::max(pending, Space);

            const std::unique_ptr<char[]> utf8(it->GetUTF8Text(tesseract::RIL_WORD));
            if (!utf8)
                continue;
            const QString word = QString::fromUtf8(utf8.get()).trimmed();
            if (word.isEmpty())
                continue;
            int left = 0, top = 0, right = 0, bottom = 0;
            if (!it->BoundingBox(tesseract::RIL_WORD, &left, &top, &right, &bottom))
                continue;

            if (!out.text.isEmpty()) {
                switch (pending) {
                case Paragraph: out.text += QStringLiteral("\n\n"); break;
                case Line: out.text += QLatin1Char('\n'); break;
                case Space:
                case None: out.text += QLatin1Char(' '); break;
                }
            }
            pending = None;

            WordBox box;
            box.start = static_cast<qint32>(out.text.size());
            box.length = static_cast<qint32>(word.size());
            box.confidence = std::clamp(it->Confidence(tesseract::RIL_WORD), 0.0F, 100.0F);
            const QRectF r = back.mapRect(QRectF(QPointF(left, top), QPointF(right, bottom)));
            box.rect = QRectF(QPointF(std::clamp(r.left() / width, 0.0, 1.0), std::clamp(r.top() / height, 0.0, 1.0)),
                              QPointF(std::clamp(r.right() / width, 0.0, 1.0),
                                      std::clamp(r.bottom() / height, 0.0, 1.0)));
            out.text += word;
            out.words.append(box);
            confidenceSum += box.confidence;
            if (verticalBlock)
                ++verticalWords;
        } while (it->Next(tesseract::RIL_WORD));
    }
    it.reset();
    api.Clear();

    attempt.wordCount = static_cast<int>(out.words.size());
    attempt.mostlyVertical = verticalWords * 2 > attempt.wordCount;
    out.meanConfidence = out.words.isEmpty() ? 0.0F : static_cast<float>(confidenceSum / out.words.size());
    return attempt;
}

} // namespace

OcrResult ocr::recognize(const QImage &image, const QStringList &languages, const CancelToken &cancel)
{
    OcrResult failed;
    if (image.isNull() || image.width() <= 0 || image.height() <= 0) {
        failed.error = QStringLiteral("the image is empty");
        return failed;
    }
    if (static_cast<qint64>(image.width()) * image.height() > kMaxPixels || image.width() > kMaxSide
        || image.height() > kMaxSide) {
        failed.error = QStringLiteral("the image is too large to OCR (%1 × %2 pixels; the limit is %3 megapixels "
                                      "and %4 pixels a side)")
                           .arg(image.width())
                           .arg(image.height())
                           .arg(kMaxPixels / 1'000'000)
                           .arg(kMaxSide);
        return failed;
    }

    QStringList langs;
    for (const QString &l : languages) {
        const QString code = l.trimmed();
        if (code.isEmpty() || langs.contains(code))
            continue;
        if (!isValidLanguageCode(code)) {
            failed.error = QStringLiteral("\"%1\" is not a Tesseract language code").arg(code);
            return failed;
        }
        langs.append(code);
    }
    if (langs.isEmpty())
        langs.append(QStringLiteral("eng"));
    const QStringList installed = availableLanguages();
    for (const QString &code : std::as_const(langs)) {
        if (!installed.contains(code)) {
            failed.error = QStringLiteral("no OCR language data for \"%1\" in %2 (installed: %3)")
                               .arg(code, tessdataDir(), installed.join(QStringLiteral(", ")));
            return failed;
        }
    }

    if (cancel.isCancelled()) {
        failed.error = QStringLiteral("cancelled");
        return failed;
    }
    if (image.width() < kMinSide || image.height() < kMinSide) {
        OcrResult empty;
        empty.meanConfidence = 0;
        return empty;
    }

    QElapsedTimer timer;
    timer.start();
    tesseract::TessBaseAPI *api = textEngine(langs.join(QLatin1Char('+')), &failed.error);
    if (!api)
        return failed;

    const QImage gray = toGrayscale(image);
    const int dpi = sourceDpi(image);

    // Most pages are upright, so they are read as they are first: orientation detection costs as
    // much as recognising a small page, and an upright page that reads well needs none.
    Attempt best = recognizeRotated(*api, gray, 0, dpi, cancel);
    int passes = 1;
    QString orientationNote;
    if (best.result.ok() && best.wordCount > 0
        && (best.result.meanConfidence < kPoorConfidence || best.mostlyVertical)) {
        // A poor reading is either a poor scan or a turned page, and vertical lines either a
        // vertical script or a page turned sideways; OSD tells them apart, and only a turned page
        // is worth recognising again.
        const int osdRotation = detectOrientation(gray, dpi);
        if (cancel.isCancelled()) {
            failed.error = QStringLiteral("cancelled");
            return failed;
        }
        QList<int> candidates;
        if (osdRotation > 0)
            candidates = {osdRotation};
        else if (osdRotation < 0 && best.result.meanConfidence < kPoorConfidence)
            candidates = {180, 90, 270}; // upside down is the commonest scanning mistake
        orientationNote = osdRotation < 0 ? QStringLiteral("OSD unsure") : QStringLiteral("OSD %1").arg(osdRotation);
        for (const int rotation : std::as_const(candidates)) {
            Attempt other = recognizeRotated(*api, gray, rotation, dpi, cancel);
            ++passes;
            if (!other.result.ok())
                return std::move(other.result);
            // OSD confirmed that a vertical reading came from a turned page: if the straightened
            // page reads well, it is the better reading, since Tesseract finds paragraphs and
            // columns in horizontal lines.
            const bool straightened = best.mostlyVertical && !other.mostlyVertical
                                      && other.result.meanConfidence >= kPoorConfidence;
            if (other.wordCount > 0 && (straightened || other.result.meanConfidence > best.result.meanConfidence))
                best = std::move(other);
            if (best.result.meanConfidence >= kPoorConfidence)
                break;
        }
    }

    qCDebug(lcOcr) << "OCR" << image.width() << "x" << image.height() << "at" << dpi << "dpi:" << best.wordCount
                   << "words, confidence" << best.result.meanConfidence << "rotation" << best.result.rotationDegrees
                   << "passes" << passes << orientationNote << "in" << timer.elapsed() << "ms";
    return std::move(best.result);
}

QStringList ocr::availableLanguages()
{
    const QDir dir(tessdataDir());
    QStringList langs;
    const QStringList files = dir.entryList({QStringLiteral("*.traineddata")}, QDir::Files | QDir::Readable, QDir::Name);
    for (const QString &file : files)
        langs.append(file.chopped(static_cast<qsizetype>(sizeof(".traineddata") - 1)));
    return langs;
}

QString ocr::version()
{
    return QString::fromLatin1(tesseract::TessBaseAPI::Version());
}

} // namespace docsight
