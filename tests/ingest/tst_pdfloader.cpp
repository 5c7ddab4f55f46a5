#include "ingest/pdfloader.h"
#include "testsupport.h"
#include "util/textnormalize.h"

#include <algorithm>

#include <QElapsedTimer>
#include <QFileInfo>
#include <QFuture>
#include <QHash>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>
#include <QtConcurrent>

using namespace docsight;
using docsight::test::corpusFiles;
using docsight::test::corpusPath;

namespace {

constexpr int kMalformedTimeoutMs = 60000;

struct LoadedDocument {
    LoadError openError;
    int pageCount = 0;
    QList<PageResult> pages;
    qint64 elapsedMs = 0;

    QString allText() const
    {
        QStringList texts;
        for (const PageResult &p : pages)
            texts << p.page.text;
        return texts.join(QLatin1String("\n\n"));
    }
    QString firstPageError() const
    {
        for (const PageResult &p : pages) {
            if (p.error.isError())
                return p.error.message;
        }
        return {};
    }
};

LoadedDocument loadAll(const QString &path, const LoadOptions &options = {})
{
    LoadedDocument out;
    QElapsedTimer timer;
    timer.start();
    PdfLoader loader;
    out.openError = loader.open(path, options);
    if (!out.openError.isError()) {
        out.pageCount = loader.pageCount();
        const CancelToken cancel;
        for (int i = 0; i < out.pageCount; ++i)
            out.pages << loader.loadPage(i, cancel);
    }
    out.elapsedMs = timer.elapsed();
    return out;
}

QStringList words(const QString &text)
{
    return text.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
}

// Output of a poppler-utils tool; empty when the tool is missing.
QByteArray runTool(const QString &tool, const QStringList &arguments, qint64 *elapsedMs = nullptr)
{
    const QString exe = QStandardPaths::findExecutable(tool);
    if (exe.isEmpty())
        return {};
    QProcess p;
    QElapsedTimer timer;
    timer.start();
    p.start(exe, arguments);
    if (!p.waitForFinished(120000))
        return {};
    if (elapsedMs)
        *elapsedMs = timer.elapsed();
    return p.readAllStandardOutput();
}

// Every word box lies on the page and names a whitespace-free run of the text, in text order.
void verifyWordBoxes(const PageContent &page)
{
    qint32 previousEnd = 0;
    for (const WordBox &w : page.words) {
        const QRectF &r = w.rect;
        QVERIFY2(r.left() >= 0 && r.top() >= 0 && r.right() <= 1 && r.bottom() <= 1 && r.width() >= 0 && r.height() >= 0,
                 qPrintable(QStringLiteral("page %1: box out of [0,1]: %2,%3 %4x%5")
                                .arg(page.number)
                                .arg(r.left())
                                .arg(r.top())
                                .arg(r.width())
                                .arg(r.height())));
        QVERIFY2(w.length > 0 && w.start >= previousEnd && w.start + w.length <= page.text.size(),
                 qPrintable(QStringLiteral("page %1: word span %2+%3 outside text of %4 (previous end %5)")
                                .arg(page.number)
                                .arg(w.start)
                                .arg(w.length)
                                .arg(page.text.size())
                                .arg(previousEnd)));
        const QString word = page.text.mid(w.start, w.length);
        QVERIFY2(std::none_of(word.begin(), word.end(), [](QChar c) { return c.isSpace(); }),
                 qPrintable(QStringLiteral("page %1: word span covers whitespace: '%2'").arg(page.number).arg(word)));
        if (page.source == PageSource::TextLayer)
            QCOMPARE(w.confidence, -1.0f);
        previousEnd = w.start + w.length;
    }
}

// A one-page PDF with one line of Helvetica text near the top-left corner of the unrotated page,
// shown with the given /Rotate. With garbleUnicode, a ToUnicode map sends every printable character
// to the private-use area, as broken subset fonts do: the page shows text whose layer is garbage.
// Offsets are computed so Poppler need not repair the xref.
QByteArray syntheticPdf(int rotate, const QByteArray &text, bool garbleUnicode = false, const QByteArray &graphics = {},
                        const QByteArray &mediaBox = "0 0 420 200")
{
    const QByteArray content = "BT /F1 20 Tf 30 150 Td (" + text + ") Tj ET\n" + graphics;
    const QByteArray cmap = "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
                            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                            "/CMapName /Garbled-UCS def /CMapType 2 def\n"
                            "1 begincodespacerange <00> <FF> endcodespacerange\n"
                            "1 beginbfrange <21> <7E> <E021> endbfrange\n"
                            "endcmap CMapName currentdict /CMap defineresource pop end end\n";
    QList<QByteArray> objects{
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [" + mediaBox + "] /Rotate " + QByteArray::number(rotate)
            + " /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        "<< /Length " + QByteArray::number(content.size()) + " >>\nstream\n" + content + "endstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica" + QByteArray(garbleUnicode ? " /ToUnicode 6 0 R" : "")
            + " >>",
        "<< /Length " + QByteArray::number(cmap.size()) + " >>\nstream\n" + cmap + "endstream",
    };
    QByteArray pdf = "%PDF-1.4\n";
    QList<qsizetype> offsets;
    for (int i = 0; i < objects.size(); ++i) {
        offsets << pdf.size();
        pdf += QByteArray::number(i + 1) + " 0 obj\n" + objects.at(i) + "\nendobj\n";
    }
    const qsizetype xref = pdf.size();
    pdf += "xref\n0 " + QByteArray::number(objects.size() + 1) + "\n0000000000 65535 f \n";
    for (const qsizetype off : offsets)
        pdf += QByteArray::number(off).rightJustified(10, '0') + " 00000 n \n";
    pdf += "trailer\n<< /Size " + QByteArray::number(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n"
           + QByteArray::number(xref) + "\n%%EOF\n";
    return pdf;
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &data)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size())
        return {};
    return path;
}

} // namespace

class TestPdfLoader final : public QObject
{
    Q_OBJECT

private:
    QList<PageContent> m_scannedSequential; // OCR is slow: the concurrency test reuses these

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFileInfo::exists(corpusPath(QStringLiteral("pdf/R-intro.pdf"))), "shared corpus not found");
    }

    void readsEveryBornDigitalPdf_data()
    {
        QTest::addColumn<QString>("path");
        const QStringList files = corpusFiles(QStringLiteral("pdf"));
        QVERIFY(!files.isEmpty());
        for (const QString &f : files)
            QTest::newRow(qPrintable(QFileInfo(f).fileName())) << f;
    }

    void readsEveryBornDigitalPdf()
    {
        QFETCH(QString, path);
        const LoadedDocument doc = loadAll(path);
        QVERIFY2(!doc.openError.isError(), qPrintable(doc.openError.message));
        QVERIFY(doc.pageCount > 0);
        QCOMPARE(doc.pages.size(), doc.pageCount);
        QVERIFY2(doc.firstPageError().isEmpty(), qPrintable(doc.firstPageError()));
        QVERIFY(!collapseWhitespace(doc.allText()).isEmpty());
        int textLayerPages = 0;
        for (int i = 0; i < doc.pages.size(); ++i) {
            const PageResult &p = doc.pages.at(i);
            QCOMPARE(p.page.number, i + 1);
            QVERIFY(p.page.sizePoints.width() > 0 && p.page.sizePoints.height() > 0);
            verifyWordBoxes(p.page);
            if (QTest::currentTestFailed())
                return;
            if (p.page.source == PageSource::TextLayer)
                ++textLayerPages;
        }
        qInfo("%s: %d pages (%d text layer), %lld characters in %lld ms", qPrintable(QFileInfo(path).fileName()),
              doc.pageCount, textLayerPages, static_cast<long long>(doc.allText().size()),
              static_cast<long long>(doc.elapsedMs));
    }

    void textLayerMatchesPdftotext()
    {
        const QString path = corpusPath(QStringLiteral("pdf/R-intro.pdf"));
        PdfLoader loader;
        QVERIFY(!loader.open(path, {}).isError());
        QCOMPARE(loader.pageCount(), 113);
        const PageResult page = loader.loadPage(11, CancelToken());
        QVERIFY2(!page.error.isError(), qPrintable(page.error.message));
        QCOMPARE(page.page.source, PageSource::TextLayer);
        QCOMPARE(page.page.number, 12);
        QCOMPARE(page.page.sizePoints, QSizeF(612, 792));
        verifyWordBoxes(page.page);
        QVERIFY(page.page.text.contains(QLatin1String("\n\n"))); // paragraphs survive
        QVERIFY(page.page.words.size() > 300);

        const QByteArray reference = runTool(QStringLiteral("pdftotext"),
                                             {QStringLiteral("-f"), QStringLiteral("12"), QStringLiteral("-l"),
                                              QStringLiteral("12"), path, QStringLiteral("-")});
        if (reference.isEmpty())
            QSKIP("pdftotext not available");
        QHash<QString, int> ours;
        const QStringList ourWords = words(page.page.text);
        for (const QString &w : ourWords)
            ++ours[w];
        const QStringList theirWords = words(QString::fromUtf8(reference));
        int found = 0;
        for (const QString &w : theirWords) {
            auto it = ours.find(w);
            if (it != ours.end() && it.value() > 0) {
                --it.value();
                ++found;
            }
        }
        const double overlap = static_cast<double>(found) / static_cast<double>(theirWords.size());
        qInfo("R-intro page 12: %d of %d pdftotext words present (%.1f%%), %d words ours", found,
              static_cast<int>(theirWords.size()), overlap * 100, static_cast<int>(ourWords.size()));
        QVERIFY(overlap >= 0.95);
    }

    void loadsRIntroAsFastAsPdftotextRoughly()
    {
        const QString path = corpusPath(QStringLiteral("pdf/R-intro.pdf"));
        const LoadedDocument doc = loadAll(path);
        QVERIFY(!doc.openError.isError());
        QCOMPARE(doc.pageCount, 113);
        for (const PageResult &p : doc.pages)
            QCOMPARE(p.page.source, PageSource::TextLayer);
        qint64 pdftotextMs = -1;
        runTool(QStringLiteral("pdftotext"), {path, QStringLiteral("-")}, &pdftotextMs);
        qInfo("R-intro.pdf, 113 pages: PdfLoader %lld ms, pdftotext %lld ms", static_cast<long long>(doc.elapsedMs),
              static_cast<long long>(pdftotextMs));
        // Generous: this guards against accidental OCR or quadratic text building, not against noise.
        QVERIFY(doc.elapsedMs < 30000);
    }

    void wordBoxesFollowPageRotation_data()
    {
        QTest::addColumn<int>("rotate");
        for (int r : {0, 90, 180, 270})
            QTest::newRow(qPrintable(QString::number(r))) << r;
    }

    // The word boxes must land where the renderer draws the words, whatever /Rotate says.
    void wordBoxesFollowPageRotation()
    {
        QFETCH(int, rotate);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path =
            writeFile(dir, QStringLiteral("rotated.pdf"), syntheticPdf(rotate, "HELLO rotated pages keep words"));
        QVERIFY(!path.isEmpty());

        PdfLoader loader;
        QVERIFY(!loader.open(path, {}).isError());
        const PageResult page = loader.loadPage(0, CancelToken());
        QVERIFY2(!page.error.isError(), qPrintable(page.error.message));
        QCOMPARE(page.page.source, PageSource::TextLayer);
        QCOMPARE(page.page.text, QStringLiteral("HELLO rotated pages keep words"));
        QCOMPARE(page.page.words.size(), 5);
        verifyWordBoxes(page.page);
        const bool sideways = rotate == 90 || rotate == 270;
        QCOMPARE(page.page.sizePoints, sideways ? QSizeF(200, 420) : QSizeF(420, 200));
        QRectF wordsBox;
        for (const WordBox &w : page.page.words)
            wordsBox |= w.rect;

        if (QStandardPaths::findExecutable(QStringLiteral("pdftoppm")).isEmpty())
            QSKIP("pdftoppm not available");
        const QString png = dir.filePath(QStringLiteral("page"));
        runTool(QStringLiteral("pdftoppm"), {QStringLiteral("-r"), QStringLiteral("72"), QStringLiteral("-gray"),
                                             QStringLiteral("-png"), QStringLiteral("-singlefile"), path, png});
        const QImage image = QImage(png + QStringLiteral(".png")).convertToFormat(QImage::Format_Grayscale8);
        QVERIFY(!image.isNull());
        QRect ink;
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x) {
                if (image.constScanLine(y)[x] < 128)
                    ink |= QRect(x, y, 1, 1);
            }
        }
        QVERIFY(!ink.isEmpty());
        const QRectF inkBox(static_cast<double>(ink.left()) / image.width(), static_cast<double>(ink.top()) / image.height(),
                            static_cast<double>(ink.width()) / image.width(),
                            static_cast<double>(ink.height()) / image.height());
        // Word boxes span the font's ascent and descent, so they enclose the ink with a little room.
        const QRectF slack = wordsBox.adjusted(-0.02, -0.02, 0.02, 0.02);
        QVERIFY2(slack.contains(inkBox), qPrintable(QStringLiteral("ink %1,%2 %3x%4 outside words %5,%6 %7x%8")
                                                        .arg(inkBox.left())
                                                        .arg(inkBox.top())
                                                        .arg(inkBox.width())
                                                        .arg(inkBox.height())
                                                        .arg(wordsBox.left())
                                                        .arg(wordsBox.top())
                                                        .arg(wordsBox.width())
                                                        .arg(wordsBox.height())));
        const QRectF common = inkBox.intersected(wordsBox);
        QVERIFY(common.width() * common.height() > 0.6 * wordsBox.width() * wordsBox.height());
    }

    // A text layer of private-use code points is no text: the page is read by OCR instead.
    void garbageTextLayerIsReadByOcr()
    {
        QTemporaryDir dir;
        const QString path =
            writeFile(dir, QStringLiteral("garbled.pdf"), syntheticPdf(0, "Garbled fonts hide this sentence", true));
        QVERIFY(!path.isEmpty());
        PdfLoader loader;
        QVERIFY(!loader.open(path, {}).isError());
        const PageResult page = loader.loadPage(0, CancelToken());
        QVERIFY2(!page.error.isError(), qPrintable(page.error.message));
        QCOMPARE(page.page.source, PageSource::Ocr);
        verifyWordBoxes(page.page);
        QVERIFY2(page.page.text.contains(QLatin1String("sentence")), qPrintable(page.page.text));
        QVERIFY(std::none_of(page.page.text.begin(), page.page.text.end(),
                             [](QChar c) { return c.category() == QChar::Other_PrivateUse; }));
    }

    // A page that shows nothing but its page number keeps its text layer; one whose only text is a
    // page number but which shows more (a scan, here a dark block) is OCR'd.
    void thinTextLayerIsKeptOnlyWhenItExplainsThePage()
    {
        QTemporaryDir dir;
        const QString blank = writeFile(dir, QStringLiteral("blank.pdf"), syntheticPdf(0, "12"));
        const QString figure =
            writeFile(dir, QStringLiteral("figure.pdf"), syntheticPdf(0, "12", false, "0 0 0 rg 200 20 150 60 re f\n"));
        QVERIFY(!blank.isEmpty() && !figure.isEmpty());

        PdfLoader loader;
        QVERIFY(!loader.open(blank, {}).isError());
        const PageResult page = loader.loadPage(0, CancelToken());
        QVERIFY2(!page.error.isError(), qPrintable(page.error.message));
        QCOMPARE(page.page.source, PageSource::TextLayer);
        QCOMPARE(page.page.text, QStringLiteral("12"));
        QCOMPARE(page.page.words.size(), 1);

        QVERIFY(!loader.open(figure, {}).isError());
        const PageResult shown = loader.loadPage(0, CancelToken());
        QVERIFY(shown.error.kind != LoadError::Kind::OcrFailed);
        QCOMPARE(shown.page.source, PageSource::Ocr);
    }

    void survivesAbsurdPageGeometry_data()
    {
        QTest::addColumn<QByteArray>("mediaBox");
        QTest::newRow("200 x 0.04 inch") << QByteArray("0 0 14400 3");
        QTest::newRow("200 x 200 inch") << QByteArray("0 0 14400 14400");
        QTest::newRow("zero") << QByteArray("0 0 0 0");
        QTest::newRow("inverted") << QByteArray("420 200 0 0");
    }

    // Render sizes stay bounded (pixels and side length) whatever the MediaBox claims.
    void survivesAbsurdPageGeometry()
    {
        QFETCH(QByteArray, mediaBox);
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("odd.pdf"),
                                       syntheticPdf(0, "", false, "0 0 0 rg 0 0 5000 5000 re f\n", mediaBox));
        QVERIFY(!path.isEmpty());
        QFuture<LoadedDocument> future = QtConcurrent::run([path] { return loadAll(path); });
        QTRY_VERIFY2_WITH_TIMEOUT(future.isFinished(), "loading took longer than 60 s", kMalformedTimeoutMs);
        const LoadedDocument doc = future.result();
        QVERIFY(!doc.openError.isError() || !doc.openError.message.isEmpty());
        for (const PageResult &p : doc.pages) {
            QVERIFY(!p.error.isError() || !p.error.message.isEmpty());
            verifyWordBoxes(p.page);
        }
    }

    void encryptedPdfs_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("password"); // empty: must open without one; "?": unknown
        QTest::addColumn<bool>("hasText");
        QTest::newRow("peanuts") << QStringLiteral("a-text-pass-peanuts.pdf") << QStringLiteral("peanuts") << true;
        QTest::newRow("test") << QStringLiteral("pdf-example-password.pdf") << QStringLiteral("test") << true;
        // Poppler's test file is one blank TextEdit page: no text layer and no ink (pdftotext with
        // the password prints nothing), so the right outcome is "opened, nothing to read".
        QTest::newRow("password") << QStringLiteral("PasswordEncrypted.pdf") << QStringLiteral("password") << false;
        QTest::newRow("aes-256 unknown") << QStringLiteral("encrypted-256.pdf") << QStringLiteral("?") << false;
        QTest::newRow("empty user password") << QStringLiteral("pdf-example-encryption.pdf") << QString() << true;
    }

    void encryptedPdfs()
    {
        QFETCH(QString, file);
        QFETCH(QString, password);
        QFETCH(bool, hasText);
        const QString path = corpusPath(QStringLiteral("encrypted/") + file);

        if (password.isEmpty()) {
            const LoadedDocument doc = loadAll(path);
            QVERIFY2(!doc.openError.isError(), qPrintable(doc.openError.message));
            QVERIFY2(doc.firstPageError().isEmpty(), qPrintable(doc.firstPageError()));
            QVERIFY(!collapseWhitespace(doc.allText()).isEmpty());
            return;
        }

        PdfLoader loader;
        const LoadError none = loader.open(path, {});
        QCOMPARE(none.kind, LoadError::Kind::PasswordRequired);
        QVERIFY2(none.message.contains(QLatin1String("password required")), qPrintable(none.message));
        QCOMPARE(loader.pageCount(), 0);

        LoadOptions wrong;
        wrong.password = QStringLiteral("not-the-password-é");
        const LoadError bad = loader.open(path, wrong);
        QCOMPARE(bad.kind, LoadError::Kind::PasswordRequired);
        QVERIFY2(bad.message.contains(QLatin1String("password required")), qPrintable(bad.message));
        QVERIFY2(bad.message.contains(QLatin1String("wrong password")), qPrintable(bad.message));

        if (password == QLatin1String("?"))
            return;
        LoadOptions right;
        right.password = password;
        const LoadedDocument doc = loadAll(path, right);
        QVERIFY2(!doc.openError.isError(), qPrintable(doc.openError.message));
        QVERIFY(doc.pageCount > 0);
        for (const PageResult &p : doc.pages)
            verifyWordBoxes(p.page);
        if (hasText) {
            QVERIFY2(doc.firstPageError().isEmpty(), qPrintable(doc.firstPageError()));
            QVERIFY(!collapseWhitespace(doc.allText()).isEmpty());
        } else {
            // Opened and read, nothing on it: the import queue keeps it as a document without passages.
            QVERIFY(collapseWhitespace(doc.allText()).isEmpty());
            QVERIFY2(doc.firstPageError().isEmpty(), qPrintable(doc.firstPageError()));
        }
    }

    void survivesMalformedPdf_data()
    {
        QTest::addColumn<QString>("path");
        const QStringList files = corpusFiles(QStringLiteral("malformed"));
        QVERIFY(!files.isEmpty());
        for (const QString &f : files)
            QTest::newRow(qPrintable(QFileInfo(f).fileName())) << f;
    }

    // Recovered text, or a clear reason; never a crash or a hang.
    void survivesMalformedPdf()
    {
        QFETCH(QString, path);
        QFuture<LoadedDocument> future = QtConcurrent::run([path] { return loadAll(path); });
        QTRY_VERIFY2_WITH_TIMEOUT(future.isFinished(), "loading took longer than 60 s", kMalformedTimeoutMs);
        const LoadedDocument doc = future.result();
        const QString name = QFileInfo(path).fileName();
        if (doc.openError.isError()) {
            qInfo("%s: %s: %s", qPrintable(name), qPrintable(loadErrorKindName(doc.openError.kind)),
                  qPrintable(doc.openError.message));
            QVERIFY(!doc.openError.message.isEmpty());
            return;
        }
        QVERIFY(doc.pageCount > 0);
        const QString text = collapseWhitespace(doc.allText());
        qInfo("%s: %d pages, %d characters, page error '%s'", qPrintable(name), doc.pageCount,
              static_cast<int>(text.size()), qPrintable(doc.firstPageError()));
        // Pages with no recoverable text are fine here: the import keeps the document and says so.
        for (const PageResult &p : doc.pages) {
            QVERIFY(!p.error.isError() || !p.error.message.isEmpty());
            verifyWordBoxes(p.page);
        }
    }

    void reportsUnreadableFiles()
    {
        QTemporaryDir dir;
        PdfLoader loader;
        const LoadError missing = loader.open(dir.filePath(QStringLiteral("absent.pdf")), {});
        QCOMPARE(missing.kind, LoadError::Kind::Io);
        QVERIFY(!missing.message.isEmpty());

        const QString junk = dir.filePath(QStringLiteral("junk.pdf"));
        QFile f(junk);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("%PDF-1.4\nthis is not really a PDF\n");
        f.close();
        const LoadError corrupt = loader.open(junk, {});
        QVERIFY(corrupt.isError());
        QVERIFY(!corrupt.message.isEmpty());
        QCOMPARE(loader.pageCount(), 0);
    }

    void honoursCancelToken()
    {
        PdfLoader loader;
        QVERIFY(!loader.open(corpusPath(QStringLiteral("scans/shared-mime-info-spec-p5-8-scanned.pdf")), {}).isError());
        CancelToken cancel;
        cancel.cancel();
        QElapsedTimer timer;
        timer.start();
        const PageResult page = loader.loadPage(0, cancel);
        QCOMPARE(page.error.kind, LoadError::Kind::Cancelled);
        QVERIFY(timer.elapsed() < 5000);
    }

    void ocrsOnlyTheScannedPagesOfAMixedPdf()
    {
        const LoadedDocument doc = loadAll(corpusPath(QStringLiteral("scans/mixed-text-and-scanned.pdf")));
        QVERIFY2(!doc.openError.isError(), qPrintable(doc.openError.message));
        QCOMPARE(doc.pageCount, 6);
        QVERIFY2(doc.firstPageError().isEmpty(), qPrintable(doc.firstPageError()));
        int ocr = 0;
        int textLayer = 0;
        for (const PageResult &p : doc.pages) {
            verifyWordBoxes(p.page);
            if (p.page.source == PageSource::Ocr) {
                ++ocr;
                QVERIFY(p.page.ocrConfidence > 0);
                QVERIFY(!p.page.words.isEmpty());
            } else if (p.page.source == PageSource::TextLayer) {
                ++textLayer;
            }
        }
        QCOMPARE(doc.pages.at(0).page.source, PageSource::TextLayer);
        QCOMPARE(doc.pages.at(1).page.source, PageSource::TextLayer);
        QCOMPARE(ocr, 4);
        QCOMPARE(textLayer, 2);
        qInfo("mixed-text-and-scanned.pdf: 6 pages in %lld ms", static_cast<long long>(doc.elapsedMs));
    }

    void ocrOfScannedPdfMatchesGroundTruth()
    {
        const QString path = corpusPath(QStringLiteral("scans/shared-mime-info-spec-p5-8-scanned.pdf"));
        const LoadedDocument doc = loadAll(path);
        QVERIFY2(!doc.openError.isError(), qPrintable(doc.openError.message));
        QCOMPARE(doc.pageCount, 4);
        QVERIFY2(doc.firstPageError().isEmpty(), qPrintable(doc.firstPageError()));
        for (const PageResult &p : doc.pages) {
            QCOMPARE(p.page.source, PageSource::Ocr);
            verifyWordBoxes(p.page);
            m_scannedSequential << p.page;
        }
        const QString truth = test::readTextFile(corpusPath(QStringLiteral("scans/shared-mime-info-spec-p5-8-scanned.groundtruth.txt")));
        QVERIFY(!truth.isEmpty());
        const double cer = characterErrorRate(doc.allText(), truth);
        QStringList confidences;
        for (const PageResult &p : doc.pages)
            confidences << QString::number(p.page.ocrConfidence, 'f', 1);
        qInfo("scanned spec p5-8: CER %.4f over %d reference characters; confidence %s; %lld ms", cer,
              static_cast<int>(collapseWhitespace(truth).size()), qPrintable(confidences.join(QLatin1String(", "))),
              static_cast<long long>(doc.elapsedMs));
        QVERIFY(cer <= 0.03);
    }

    // Two threads OCR two pages of one document at once and read exactly what one thread reads.
    void concurrentPagesMatchSequential()
    {
        const QString path = corpusPath(QStringLiteral("scans/shared-mime-info-spec-p5-8-scanned.pdf"));
        if (m_scannedSequential.isEmpty()) {
            const LoadedDocument doc = loadAll(path);
            QVERIFY(!doc.openError.isError());
            for (const PageResult &p : doc.pages)
                m_scannedSequential << p.page;
        }
        QCOMPARE(m_scannedSequential.size(), 4);

        PdfLoader loader;
        QVERIFY(!loader.open(path, {}).isError());
        QThreadPool pool;
        pool.setMaxThreadCount(2);
        const CancelToken cancel;
        QElapsedTimer timer;
        timer.start();
        QList<QFuture<PageResult>> futures;
        for (int i = 0; i < loader.pageCount(); ++i)
            futures << QtConcurrent::run(&pool, [&loader, i, cancel] { return loader.loadPage(i, cancel); });
        // Every page finishes before any check can return early and take the loader with it.
        for (QFuture<PageResult> &f : futures)
            f.waitForFinished();
        for (int i = 0; i < futures.size(); ++i) {
            const PageResult r = futures[i].result();
            QVERIFY2(!r.error.isError(), qPrintable(r.error.message));
            QCOMPARE(r.page.number, i + 1);
            QCOMPARE(r.page.source, m_scannedSequential.at(i).source);
            QCOMPARE(r.page.text, m_scannedSequential.at(i).text);
            QCOMPARE(r.page.words.size(), m_scannedSequential.at(i).words.size());
        }
        qInfo("scanned spec p5-8 on 2 threads: %lld ms", static_cast<long long>(timer.elapsed()));
    }
};

QTEST_GUILESS_MAIN(TestPdfLoader)
#include "tst_pdfloader.moc"
