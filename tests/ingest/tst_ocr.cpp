#include "ingest/imageloader.h"
#include "ingest/ocrengine.h"
#include "util/textnormalize.h"

#include "testsupport.h"

#include <algorithm>
#include <ctime>
#include <latch>
#include <utility>
#include <vector>

#include <QElapsedTimer>
#include <QFile>
#include <QFuture>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>
#include <QTransform>
#include <QtConcurrent>

using namespace docsight;
using docsight::test::corpusPath;

namespace {

// Accuracy bar for clean printed scans: at most 3 wrong characters in 100.
constexpr double kMaxCer = 0.03;

// Ground truth and OCR differ in conventions that say nothing about recognition quality, so both
// sides are normalised the same way before comparing:
//  - whitespace: characterErrorRate() collapses every run (line breaks, indentation, the blank lines
//    between columns) to one space, so layout is not counted, only the words and their order;
//  - typography: the UNLV ground truth is plain ASCII, while Tesseract prints the curly quotes and
//    dashes that are on the paper. Folding them to ASCII (and ligatures to their letters) compares
//    what was read, not which code point a typesetter chose.
QString foldTypography(QString text)
{
    static const QList<std::pair<QString, QString>> folds{
        {QStringLiteral("\u2018"), QStringLiteral("'")},  {QStringLiteral("\u2019"), QStringLiteral("'")},
        {QStringLiteral("\u201A"), QStringLiteral("'")},  {QStringLiteral("\u201C"), QStringLiteral("\"")},
        {QStringLiteral("\u201D"), QStringLiteral("\"")}, {QStringLiteral("\u201E"), QStringLiteral("\"")},
        {QStringLiteral("\u2013"), QStringLiteral("-")},  {QStringLiteral("\u2014"), QStringLiteral("-")},
        {QStringLiteral("\uFB01"), QStringLiteral("fi")}, {QStringLiteral("\uFB02"), QStringLiteral("fl")},
        {QStringLiteral("\uFB00"), QStringLiteral("ff")},
    };
    for (const auto &[from, to] : folds)
        text.replace(from, to);
    return text;
}

double cer(const QString &recognised, const QString &reference)
{
    return characterErrorRate(foldTypography(recognised), foldTypography(reference));
}

// Offset in `reference` where `block` aligns best: edit distance in which skipping reference text
// before and after the block is free (semi-global alignment).
qsizetype bestStartIn(const QString &reference, const QString &block)
{
    const auto n = static_cast<size_t>(reference.size());
    std::vector<qsizetype> cost(n + 1, 0);
    std::vector<qsizetype> start(n + 1);
    for (size_t j = 0; j <= n; ++j)
        start[j] = static_cast<qsizetype>(j);
    std::vector<qsizetype> nextCost(n + 1);
    std::vector<qsizetype> nextStart(n + 1);
    for (qsizetype i = 1; i <= block.size(); ++i) {
        nextCost[0] = i;
        nextStart[0] = 0;
        for (size_t j = 1; j <= n; ++j) {
            qsizetype best = cost[j - 1] + (block.at(i - 1) == reference.at(static_cast<qsizetype>(j - 1)) ? 0 : 1);
            qsizetype from = start[j - 1];
            if (cost[j] + 1 < best) {
                best = cost[j] + 1;
                from = start[j];
            }
            if (nextCost[j - 1] + 1 < best) {
                best = nextCost[j - 1] + 1;
                from = nextStart[j - 1];
            }
            nextCost[j] = best;
            nextStart[j] = from;
        }
        std::swap(cost, nextCost);
        std::swap(start, nextStart);
    }
    const auto end = std::min_element(cost.begin(), cost.end()) - cost.begin();
    return start[static_cast<size_t>(end)];
}

// CER after putting the recognised paragraphs in the order their text has in the reference.
// The UNLV ground truth lists a page's zones body first and headlines, captions and running
// footers last, while Tesseract reads them where they sit on the page; neither order is wrong, and
// a moved 80-character caption would otherwise count as 160 errors. Every character still has to
// be read right: only the order of whole paragraphs is forgiven.
double orderTolerantCer(const QString &recognised, const QString &reference)
{
    const QString ref = collapseWhitespace(foldTypography(reference));
    QList<std::pair<qsizetype, QString>> placed;
    const QStringList paragraphs = foldTypography(recognised).split(QStringLiteral("\n\n"), Qt::SkipEmptyParts);
    for (const QString &paragraph : paragraphs) {
        const QString p = collapseWhitespace(paragraph);
        if (!p.isEmpty())
            placed.append({bestStartIn(ref, p), p});
    }
    std::stable_sort(placed.begin(), placed.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    QStringList ordered;
    for (const auto &entry : std::as_const(placed))
        ordered.append(entry.second);
    return characterErrorRate(ordered.join(QLatin1Char(' ')), ref);
}

QString groundTruthFor(const QString &scan)
{
    const QString base = scan.left(scan.lastIndexOf(QLatin1Char('.')));
    return test::readTextFile(corpusPath(QStringLiteral("scans/") + base + QStringLiteral(".txt")));
}

PageResult loadOnlyPage(const QString &path, const CancelToken &cancel = {})
{
    ImageLoader loader;
    const LoadError opened = loader.open(path, LoadOptions{});
    if (opened.isError())
        return {{}, opened};
    if (loader.pageCount() != 1)
        return {{}, LoadError::make(LoadError::Kind::Corrupt, QStringLiteral("expected one page"))};
    return loader.loadPage(0, cancel);
}

QImage phototest()
{
    QImage image(corpusPath(QStringLiteral("scans/phototest.tif")));
    Q_ASSERT(!image.isNull());
    return image;
}

// A baseline little-endian TIFF with one uncompressed 8-bit grey strip per page: Qt can read
// multi-page TIFFs but not write them, and the corpus has none.
QByteArray multiPageTiff(const QList<QImage> &pages)
{
    QByteArray out("II*\0", 4);
    const auto u16 = [&out](quint16 v) {
        out.append(char(v & 0xFF));
        out.append(char(v >> 8));
    };
    const auto u32 = [&out](quint32 v) {
        for (int shift = 0; shift < 32; shift += 8)
            out.append(char((v >> shift) & 0xFF));
    };
    const auto patch32 = [&out](qsizetype at, quint32 v) {
        for (int k = 0; k < 4; ++k)
            out[at + k] = char((v >> (8 * k)) & 0xFF);
    };
    qsizetype nextIfdPointer = out.size();
    u32(0);
    for (const QImage &page : pages) {
        const QImage gray = page.convertToFormat(QImage::Format_Grayscale8);
        const auto width = static_cast<quint32>(gray.width());
        const auto height = static_cast<quint32>(gray.height());
        const auto stripOffset = static_cast<quint32>(out.size());
        for (int y = 0; y < gray.height(); ++y)
            out.append(reinterpret_cast<const char *>(gray.constScanLine(y)), gray.width());
        if (out.size() % 2)
            out.append('\0'); // IFDs start on a word boundary
        patch32(nextIfdPointer, static_cast<quint32>(out.size()));
        enum : quint16 { Short = 3, Long = 4 };
        const struct {
            quint16 tag, type;
            quint32 value;
        } entries[] = {
            {256, Long, width},           // ImageWidth
            {257, Long, height},          // ImageLength
            {258, Short, 8},              // BitsPerSample
            {259, Short, 1},              // Compression: none
            {262, Short, 1},              // PhotometricInterpretation: black is zero
            {273, Long, stripOffset},     // StripOffsets
            {277, Short, 1},              // SamplesPerPixel
            {278, Long, height},          // RowsPerStrip
            {279, Long, width * height},  // StripByteCounts
        };
        u16(static_cast<quint16>(std::size(entries)));
        for (const auto &e : entries) {
            u16(e.tag);
            u16(e.type);
            u32(1);
            if (e.type == Short) {
                u16(static_cast<quint16>(e.value));
                u16(0);
            } else {
                u32(e.value);
            }
        }
        nextIfdPointer = out.size();
        u32(0);
    }
    return out;
}

// Sets an environment variable for one scope.
class ScopedEnv final
{
public:
    ScopedEnv(const char *name, const QByteArray &value)
        : m_name(name), m_had(qEnvironmentVariableIsSet(name)), m_old(qgetenv(name))
    {
        qputenv(m_name, value);
    }
    ~ScopedEnv()
    {
        if (m_had)
            qputenv(m_name, m_old);
        else
            qunsetenv(m_name);
    }
    Q_DISABLE_COPY_MOVE(ScopedEnv)

private:
    const char *m_name;
    bool m_had;
    QByteArray m_old;
};

} // namespace

class TestOcr final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(ocr::availableLanguages().contains(QStringLiteral("eng")),
                 "eng.traineddata is not installed (package tesseract-ocr-eng)");
        qInfo("Tesseract %s", qPrintable(ocr::version()));
        // Load this thread's models now, so the per-page timings below measure recognition only.
        QVERIFY(ocr::recognize(phototest(), {QStringLiteral("eng")}, {}).ok());
    }

    void reportsVersionAndInstalledLanguages()
    {
        QVERIFY(ocr::version().startsWith(QLatin1Char('5')));
        const QStringList langs = ocr::availableLanguages();
        QVERIFY(langs.contains(QStringLiteral("osd")));
        for (const QString &l : langs)
            QVERIFY2(!l.contains(QLatin1Char('.')), qPrintable(l));
    }

    void readsScansAccurately_data()
    {
        QTest::addColumn<QString>("file");
        for (const char *name : {"phototest.tif", "eurotext.tif", "8087_054.3B.tif", "8071_093.3B.tif"})
            QTest::newRow(name) << QString::fromLatin1(name);
    }

    void readsScansAccurately()
    {
        QFETCH(QString, file);
        const QString reference = groundTruthFor(file);
        QVERIFY(!reference.isEmpty());

        // CPU time beside wall time: on a busy build machine the wall clock says little.
        const std::clock_t cpuStart = std::clock();
        QElapsedTimer timer;
        timer.start();
        const PageResult r = loadOnlyPage(corpusPath(QStringLiteral("scans/") + file));
        const qint64 ms = timer.elapsed();
        const auto cpuMs = static_cast<long long>(1000.0 * double(std::clock() - cpuStart) / CLOCKS_PER_SEC);
        QVERIFY2(!r.error.isError(), qPrintable(r.error.message));

        const PageContent &page = r.page;
        QCOMPARE(page.number, 1);
        QCOMPARE(page.source, PageSource::Ocr);
        QVERIFY(!page.words.isEmpty());
        QVERIFY(page.ocrConfidence > 0 && page.ocrConfidence <= 100);
        QVERIFY(page.sizePoints.width() > 0 && page.sizePoints.height() > 0);

        const double strict = cer(page.text, reference);
        const double rate = orderTolerantCer(page.text, reference);
        qInfo("%s: CER %.4f with paragraphs in reference order, %.4f in Tesseract's order "
              "(%.4f without typography folding); %lld words, confidence %.1f, %lld ms (%lld ms CPU)",
              qPrintable(file), rate, strict, characterErrorRate(page.text, reference),
              static_cast<long long>(page.words.size()), static_cast<double>(page.ocrConfidence),
              static_cast<long long>(ms), cpuMs);
        QVERIFY2(rate <= kMaxCer, qPrintable(QStringLiteral("CER %1 > %2").arg(rate).arg(kMaxCer)));
    }

    void readsUpsideDownScan()
    {
        ImageLoader loader;
        QVERIFY(!loader.open(corpusPath(QStringLiteral("scans/phototest-rotated-180.png")), {}).isError());
        const PageResult r = loader.loadPage(0, {});
        QVERIFY2(!r.error.isError(), qPrintable(r.error.message));
        const double rate = cer(r.page.text, groundTruthFor(QStringLiteral("phototest.txt")));
        qInfo("phototest-rotated-180.png: CER %.4f", rate);
        QVERIFY(rate <= kMaxCer);

        const OcrResult direct = ocr::recognize(QImage(corpusPath(QStringLiteral("scans/phototest-rotated-180.png"))),
                                                      {QStringLiteral("eng")}, {});
        QVERIFY(direct.ok());
        QCOMPARE(direct.rotationDegrees, 180);
        QCOMPARE(direct.text, r.page.text);
    }

    // Turning a page by a known angle must be undone, and the word boxes must land where the words
    // are on the turned image, not on the straightened one.
    void correctsOrientation_data()
    {
        QTest::addColumn<int>("turnedCounterClockwise");
        QTest::newRow("upright") << 0;
        QTest::newRow("90") << 90;
        QTest::newRow("180") << 180;
        QTest::newRow("270") << 270;
    }

    void correctsOrientation()
    {
        QFETCH(int, turnedCounterClockwise);
        const QImage upright = phototest();
        QTransform turn;
        turn.rotate(-turnedCounterClockwise);
        const QImage turned = upright.transformed(turn);

        const OcrResult reference = ocr::recognize(upright, {QStringLiteral("eng")}, {});
        const OcrResult r = ocr::recognize(turned, {QStringLiteral("eng")}, {});
        QVERIFY2(r.ok(), qPrintable(r.error));
        const double rate = cer(r.text, groundTruthFor(QStringLiteral("phototest.txt")));
        qInfo("turned %d: CER %.4f, confidence %.1f, rotation applied %d", turnedCounterClockwise, rate,
              static_cast<double>(r.meanConfidence), r.rotationDegrees);
        QVERIFY(rate <= kMaxCer);
        QCOMPARE(r.rotationDegrees, turnedCounterClockwise);
        QCOMPARE(r.text, reference.text); // same layout analysis as the upright page

        // Where each upright word should appear on the turned image, in normalised coordinates.
        const QTransform px = QImage::trueMatrix(turn, upright.width(), upright.height());
        QCOMPARE(r.words.size(), reference.words.size());
        for (qsizetype i = 0; i < r.words.size(); ++i) {
            const QRectF pixels(reference.words[i].rect.left() * upright.width(),
                                reference.words[i].rect.top() * upright.height(),
                                reference.words[i].rect.width() * upright.width(),
                                reference.words[i].rect.height() * upright.height());
            const QRectF onTurned = px.mapRect(pixels);
            const QRectF expected(onTurned.left() / turned.width(), onTurned.top() / turned.height(),
                                  onTurned.width() / turned.width(), onTurned.height() / turned.height());
            const QRectF got = r.words[i].rect;
            const double tolerance = 0.01;
            QVERIFY2(std::abs(got.left() - expected.left()) < tolerance && std::abs(got.top() - expected.top()) < tolerance
                         && std::abs(got.right() - expected.right()) < tolerance
                         && std::abs(got.bottom() - expected.bottom()) < tolerance,
                     qPrintable(QStringLiteral("word %1: got (%2,%3 %4x%5), expected (%6,%7 %8x%9)")
                                    .arg(i)
                                    .arg(got.x())
                                    .arg(got.y())
                                    .arg(got.width())
                                    .arg(got.height())
                                    .arg(expected.x())
                                    .arg(expected.y())
                                    .arg(expected.width())
                                    .arg(expected.height())));
        }
    }

    // Without osd.traineddata the orientation is found by recognising the page in other
    // orientations when the first reading is poor.
    void findsOrientationWithoutOsdModel()
    {
        QString tessdata = qEnvironmentVariable("TESSDATA_PREFIX");
        if (tessdata.isEmpty())
            tessdata = QStringLiteral("/usr/share/tesseract-ocr/5/tessdata");
        if (!QFile::exists(tessdata + QStringLiteral("/eng.traineddata")))
            QSKIP("cannot find the installed eng.traineddata to copy");
        QTemporaryDir dir;
        QVERIFY(QFile::link(tessdata + QStringLiteral("/eng.traineddata"), dir.filePath(QStringLiteral("eng.traineddata"))));

        QTransform turn;
        turn.rotate(180);
        const QImage turned = phototest().transformed(turn);
        OcrResult r;
        {
            const ScopedEnv env("TESSDATA_PREFIX", QFile::encodeName(dir.path()));
            QCOMPARE(ocr::availableLanguages(), QStringList{QStringLiteral("eng")});
            // A fresh thread, so its engines are created with the stripped-down tessdata folder.
            QThreadPool pool;
            r = QtConcurrent::run(&pool, [&turned] { return ocr::recognize(turned, {QStringLiteral("eng")}, {}); })
                    .result();
        }
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.rotationDegrees, 180);
        QVERIFY(cer(r.text, groundTruthFor(QStringLiteral("phototest.txt"))) <= kMaxCer);
    }

    void readsEveryPageOfMultiPageTiff()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("two-pages.tif"));
        const QImage first = phototest();
        const QImage second(corpusPath(QStringLiteral("scans/eurotext.tif")));
        QVERIFY(!second.isNull());
        QVERIFY(test::writeFile(path, multiPageTiff({first, second})));

        ImageLoader loader;
        const LoadError opened = loader.open(path, {});
        QVERIFY2(!opened.isError(), qPrintable(opened.message));
        QCOMPARE(loader.pageCount(), 2);

        // Both pages at once, from one loader.
        QThreadPool pool;
        pool.setMaxThreadCount(2);
        QFuture<PageResult> p1 = QtConcurrent::run(&pool, [&loader] { return loader.loadPage(0, {}); });
        QFuture<PageResult> p2 = QtConcurrent::run(&pool, [&loader] { return loader.loadPage(1, {}); });
        const PageResult r1 = p1.result();
        const PageResult r2 = p2.result();
        QVERIFY2(!r1.error.isError(), qPrintable(r1.error.message));
        QVERIFY2(!r2.error.isError(), qPrintable(r2.error.message));
        QCOMPARE(r1.page.number, 1);
        QCOMPARE(r2.page.number, 2);
        QVERIFY(cer(r1.page.text, groundTruthFor(QStringLiteral("phototest.txt"))) <= kMaxCer);
        QVERIFY(cer(r2.page.text, groundTruthFor(QStringLiteral("eurotext.txt"))) <= kMaxCer);
        // No resolution tag: pages are taken to be 300 dpi.
        QVERIFY(qAbs(r2.page.sizePoints.width() - 72.0 * second.width() / 300) < 0.5);
    }

    void wordBoxesPointAtTheirWords()
    {
        const PageResult r = loadOnlyPage(corpusPath(QStringLiteral("scans/eurotext.tif")));
        QVERIFY2(!r.error.isError(), qPrintable(r.error.message));
        const PageContent &page = r.page;
        QVERIFY(!page.words.isEmpty());

        qint32 previousEnd = 0;
        double confidenceSum = 0;
        for (const WordBox &w : page.words) {
            QVERIFY(w.rect.isValid());
            QVERIFY(w.rect.width() > 0 && w.rect.height() > 0);
            QVERIFY(w.rect.left() >= 0 && w.rect.top() >= 0 && w.rect.right() <= 1 && w.rect.bottom() <= 1);
            QVERIFY(w.confidence >= 0 && w.confidence <= 100);
            QVERIFY(w.length > 0);
            QVERIFY(w.start >= previousEnd); // in text order, never overlapping
            QVERIFY(w.start + w.length <= page.text.size());
            const QString word = page.text.mid(w.start, w.length);
            QCOMPARE(word.trimmed(), word);
            QVERIFY(!word.contains(QLatin1Char(' ')));
            // Each word is cut out of the text at whitespace boundaries.
            QVERIFY(w.start == 0 || page.text.at(w.start - 1).isSpace());
            QVERIFY(w.start + w.length == page.text.size() || page.text.at(w.start + w.length).isSpace());
            previousEnd = w.start + w.length;
            confidenceSum += w.confidence;
        }
        QVERIFY(qAbs(confidenceSum / page.words.size() - page.ocrConfidence) < 0.01);
        // The words together are the whole text: only separators lie between them.
        QString rebuilt;
        for (const WordBox &w : page.words)
            rebuilt += page.text.mid(w.start, w.length) + QLatin1Char(' ');
        QCOMPARE(collapseWhitespace(rebuilt), collapseWhitespace(page.text));

        // The first line of eurotext starts near the top left.
        const QString first = page.text.mid(page.words.first().start, page.words.first().length);
        QCOMPARE(first, QStringLiteral("The"));
        QVERIFY(page.words.first().rect.left() < 0.3 && page.words.first().rect.top() < 0.3);
    }

    void textHasParagraphsAndLines()
    {
        const OcrResult r = ocr::recognize(phototest(), {QStringLiteral("eng")}, {});
        QVERIFY(r.ok());
        // phototest has a three-line paragraph, a blank line, and a six-line paragraph.
        const QStringList paragraphs = r.text.split(QStringLiteral("\n\n"));
        QCOMPARE(paragraphs.size(), 2);
        QCOMPARE(paragraphs.at(0).count(QLatin1Char('\n')), 2);
        QVERIFY(paragraphs.at(0).startsWith(QStringLiteral("This is a lot of 12 point text")));
        QVERIFY(!r.text.contains(QStringLiteral("  ")));
        QVERIFY(!r.text.contains(QStringLiteral("\n\n\n")));
    }

    void blankPageIsReadWithoutText()
    {
        QTemporaryDir dir;
        QImage blank(1000, 1400, QImage::Format_Grayscale8);
        blank.fill(255);
        const QString path = dir.filePath(QStringLiteral("blank.png"));
        QVERIFY(blank.save(path));
        const PageResult r = loadOnlyPage(path);
        QVERIFY2(!r.error.isError(), qPrintable(r.error.message));
        QCOMPARE(r.page.source, PageSource::Ocr);
        QVERIFY(r.page.text.isEmpty());
        QVERIFY(r.page.words.isEmpty());
    }

    void tinyImageIsReadWithoutText()
    {
        QTemporaryDir dir;
        for (const QSize size : {QSize(1, 1), QSize(3, 40), QSize(12, 9)}) {
            QImage tiny(size, QImage::Format_RGB32);
            tiny.fill(Qt::black);
            const QString path = dir.filePath(QStringLiteral("tiny.png"));
            QVERIFY(tiny.save(path));
            const PageResult r = loadOnlyPage(path);
            QVERIFY2(!r.error.isError(), qPrintable(r.error.message));
            QCOMPARE(r.page.source, PageSource::Ocr);
            QVERIFY(r.page.text.isEmpty());
            QVERIFY(r.page.words.isEmpty());
        }
    }

    void transparentBackgroundReadsAsPaper()
    {
        // Black text on a transparent background: without flattening, the background turns black too.
        QImage upright = phototest().convertToFormat(QImage::Format_ARGB32);
        for (int y = 0; y < upright.height(); ++y) {
            auto *line = reinterpret_cast<QRgb *>(upright.scanLine(y));
            for (int x = 0; x < upright.width(); ++x)
                line[x] = qGray(line[x]) > 128 ? qRgba(0, 0, 0, 0) : qRgba(0, 0, 0, 255);
        }
        const OcrResult r = ocr::recognize(upright, {QStringLiteral("eng")}, {});
        QVERIFY(r.ok());
        QVERIFY(cer(r.text, groundTruthFor(QStringLiteral("phototest.txt"))) <= kMaxCer);
    }

    void pageSizeFollowsResolution()
    {
        QTemporaryDir dir;
        QImage page(1275, 1650, QImage::Format_Grayscale8); // US Letter at 150 dpi
        page.fill(255);
        page.setDotsPerMeterX(qRound(150 / 0.0254));
        page.setDotsPerMeterY(qRound(150 / 0.0254));
        const QString path = dir.filePath(QStringLiteral("letter.png"));
        QVERIFY(page.save(path));
        const PageResult r = loadOnlyPage(path);
        QVERIFY(!r.error.isError());
        QVERIFY(qAbs(r.page.sizePoints.width() - 612) < 1);
        QVERIFY(qAbs(r.page.sizePoints.height() - 792) < 1);
    }

    void rejectsBrokenFilesWithLoadError_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("suffix");
        QTest::addColumn<int>("kind"); // LoadError::Kind from open(), or None when loadPage must fail

        QFile png(corpusPath(QStringLiteral("scans/phototest-rotated-180.png")));
        QVERIFY(png.open(QIODevice::ReadOnly));
        const QByteArray pngBytes = png.readAll();
        QFile tif(corpusPath(QStringLiteral("scans/8087_054.3B.tif")));
        QVERIFY(tif.open(QIODevice::ReadOnly));
        const QByteArray tifBytes = tif.readAll();

        QTest::newRow("empty file") << QByteArray() << QStringLiteral("png") << int(LoadError::Kind::Empty);
        QTest::newRow("random bytes") << QByteArray(4096, 'x') << QStringLiteral("png") << int(LoadError::Kind::Corrupt);
        QTest::newRow("png header only") << pngBytes.left(40) << QStringLiteral("png") << -1;
        QTest::newRow("truncated png") << pngBytes.left(pngBytes.size() / 2) << QStringLiteral("png") << -1;
        QTest::newRow("tiff header only") << tifBytes.left(8) << QStringLiteral("tif") << -1;
        QTest::newRow("truncated tiff") << tifBytes.left(tifBytes.size() / 3) << QStringLiteral("tif") << -1;
        QByteArray jpeg("\xFF\xD8\xFF\xE0", 4);
        jpeg += QByteArray(2000, '\0');
        QTest::newRow("jpeg garbage") << jpeg << QStringLiteral("jpg") << -1;
    }

    void rejectsBrokenFilesWithLoadError()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, suffix);
        QFETCH(int, kind);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("broken.") + suffix);
        QVERIFY(test::writeFile(path, bytes));

        ImageLoader loader;
        const LoadError opened = loader.open(path, {});
        if (kind >= 0) {
            QCOMPARE(int(opened.kind), kind);
            QVERIFY(!opened.message.isEmpty());
            return;
        }
        // Damage deeper in the file may only show when the page is decoded; either way it is a
        // LoadError with a reason, never a crash or an empty "success".
        if (opened.isError()) {
            QVERIFY(!opened.message.isEmpty());
            return;
        }
        QVERIFY(loader.pageCount() >= 1);
        for (int i = 0; i < loader.pageCount(); ++i) {
            const PageResult r = loader.loadPage(i, {});
            if (r.error.isError()) {
                QVERIFY(!r.error.message.isEmpty());
                return;
            }
            // A truncated image that still decodes to something is read like any other page.
            QCOMPARE(r.page.source, PageSource::Ocr);
        }
    }

    void rejectsMissingFile()
    {
        ImageLoader loader;
        const LoadError e = loader.open(QStringLiteral("/nonexistent/docsight/scan.png"), {});
        QCOMPARE(e.kind, LoadError::Kind::Io);
        QCOMPARE(loader.pageCount(), 0);
    }

    void rejectsPageOutOfRange()
    {
        ImageLoader loader;
        QVERIFY(!loader.open(corpusPath(QStringLiteral("scans/phototest.tif")), {}).isError());
        QCOMPARE(loader.pageCount(), 1);
        QVERIFY(loader.loadPage(1, {}).error.isError());
        QVERIFY(loader.loadPage(-1, {}).error.isError());
    }

    void rejectsAbsurdImageWithoutRunning()
    {
        // 1-bit so the test itself stays small: 12000 x 9000 = 108 megapixels in 13.5 MB.
        QImage huge(12000, 9000, QImage::Format_Mono);
        QVERIFY(!huge.isNull());
        huge.fill(0);
        QElapsedTimer timer;
        timer.start();
        const OcrResult r = ocr::recognize(huge, {QStringLiteral("eng")}, {});
        QVERIFY(!r.ok());
        QVERIFY(r.error.contains(QStringLiteral("too large")));
        QVERIFY(timer.elapsed() < 1000);
    }

    void rejectsUnknownLanguageWithClearError()
    {
        const OcrResult missing = ocr::recognize(phototest(), {QStringLiteral("xyz")}, {});
        QVERIFY(!missing.ok());
        QVERIFY(missing.error.contains(QStringLiteral("xyz")));
        const OcrResult hostile = ocr::recognize(phototest(), {QStringLiteral("../eng")}, {});
        QVERIFY(!hostile.ok());

        LoadOptions options;
        options.ocrLanguages = {QStringLiteral("xyz")};
        ImageLoader loader;
        QVERIFY(!loader.open(corpusPath(QStringLiteral("scans/phototest.tif")), options).isError());
        const PageResult r = loader.loadPage(0, {});
        QCOMPARE(r.error.kind, LoadError::Kind::OcrFailed);
        QVERIFY(r.error.message.contains(QStringLiteral("xyz")));
    }

    void switchesLanguagesOnOneThread()
    {
        // The thread's engine is re-initialised when the language set changes, and back again.
        const OcrResult a = ocr::recognize(phototest(), {QStringLiteral("eng")}, {});
        const OcrResult b = ocr::recognize(phototest(), {QStringLiteral("eng"), QStringLiteral("osd")}, {});
        const OcrResult c = ocr::recognize(phototest(), {QStringLiteral("eng")}, {});
        QVERIFY(a.ok());
        QVERIFY2(b.ok(), qPrintable(b.error));
        QVERIFY(c.ok());
        QCOMPARE(c.text, a.text);
    }

    void honoursCancelToken()
    {
        const QString path = corpusPath(QStringLiteral("scans/8087_054.3B.tif"));
        ImageLoader loader;
        QVERIFY(!loader.open(path, {}).isError());

        CancelToken before;
        before.cancel();
        QCOMPARE(loader.loadPage(0, before).error.kind, LoadError::Kind::Cancelled);

        // Cancelled mid-recognition: Tesseract's cancel callback stops it well before a full read.
        CancelToken during;
        QElapsedTimer timer;
        timer.start();
        QFuture<PageResult> future = QtConcurrent::run([&loader, during] { return loader.loadPage(0, during); });
        QTest::qWait(300);
        during.cancel();
        const PageResult r = future.result();
        const qint64 ms = timer.elapsed();
        QCOMPARE(r.error.kind, LoadError::Kind::Cancelled);
        QVERIFY(r.page.text.isEmpty());
        qInfo("cancelled after %lld ms", static_cast<long long>(ms));

        const OcrResult direct = ocr::recognize(phototest(), {QStringLiteral("eng")}, before);
        QVERIFY(!direct.ok());
    }

    void recognisesConcurrentlyLikeSequentially()
    {
        const QStringList files{corpusPath(QStringLiteral("scans/eurotext.tif")),
                                corpusPath(QStringLiteral("scans/phototest-rotated-180.png")),
                                corpusPath(QStringLiteral("scans/phototest.tif"))};
        QList<PageResult> sequential;
        for (const QString &f : files)
            sequential.append(loadOnlyPage(f));

        // Two pages of one document, and pages of different documents, at the same moment on
        // fresh threads (each creates its own Tesseract).
        QThreadPool pool;
        pool.setMaxThreadCount(int(files.size()));
        std::latch start(files.size());
        QList<QFuture<PageResult>> futures;
        for (const QString &f : files) {
            futures.append(QtConcurrent::run(&pool, [&start, f] {
                start.arrive_and_wait();
                return loadOnlyPage(f);
            }));
        }
        for (qsizetype i = 0; i < files.size(); ++i) {
            const PageResult concurrent = futures[i].result();
            QVERIFY2(!concurrent.error.isError(), qPrintable(concurrent.error.message));
            QCOMPARE(concurrent.page.text, sequential[i].page.text);
            QCOMPARE(concurrent.page.words.size(), sequential[i].page.words.size());
            for (qsizetype w = 0; w < concurrent.page.words.size(); ++w) {
                QCOMPARE(concurrent.page.words[w].rect, sequential[i].page.words[w].rect);
                QCOMPARE(concurrent.page.words[w].start, sequential[i].page.words[w].start);
                QCOMPARE(concurrent.page.words[w].confidence, sequential[i].page.words[w].confidence);
            }
            QCOMPARE(concurrent.page.ocrConfidence, sequential[i].page.ocrConfidence);
        }

        // One loader shared by threads loading its pages at once, as the ingest queue does.
        ImageLoader shared;
        QVERIFY(!shared.open(files.first(), {}).isError());
        QFuture<PageResult> a = QtConcurrent::run(&pool, [&shared] { return shared.loadPage(0, {}); });
        QFuture<PageResult> b = QtConcurrent::run(&pool, [&shared] { return shared.loadPage(0, {}); });
        QCOMPARE(a.result().page.text, sequential.first().page.text);
        QCOMPARE(b.result().page.text, sequential.first().page.text);
    }
};

// Guiless: the CLI and the ingest workers read images without a QGuiApplication, and so must this.
QTEST_GUILESS_MAIN(TestOcr)
#include "tst_ocr.moc"
