// PageRenderer (core/ingest): what the viewer draws pages with. PDF pages through Poppler at the width
// asked, image pages decoded and scaled, encrypted PDFs only with their password, cancellation.
#include "ingest/pagerenderer.h"

#include "ingest/ingestqueue.h"
#include "store/documentstore.h"
#include "store/library.h"

#include "testsupport.h"

#include <QSignalSpy>
#include <QTest>

using namespace docsight;

class TestPageRenderer final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rendersAPdfPageAtTheWidthAsked()
    {
        const PageRenderer renderer(test::corpusPath(QStringLiteral("pdf/shared-mime-info-spec.pdf")), DocumentType::Pdf);
        const RenderedPage page = renderer.render(3, 600);
        QVERIFY2(!page.error.isError(), qPrintable(page.error.message));
        QCOMPARE(page.image.width(), 600);
        QVERIFY(page.sizePoints.width() > 0);
        const double aspect = page.sizePoints.height() / page.sizePoints.width();
        QVERIFY(qAbs(page.image.height() - 600 * aspect) <= 2);
        // Text on white: dark and light pixels both.
        const QImage grey = page.image.convertToFormat(QImage::Format_Grayscale8);
        int dark = 0, light = 0;
        for (int y = 0; y < grey.height(); y += 3) {
            for (int x = 0; x < grey.width(); x += 3) {
                const int v = grey.constScanLine(y)[x];
                dark += v < 100 ? 1 : 0;
                light += v > 230 ? 1 : 0;
            }
        }
        QVERIFY(dark > 100);
        QVERIFY(light > dark);
    }

    void refusesPagesThatDoNotExist()
    {
        const PageRenderer renderer(test::corpusPath(QStringLiteral("pdf/shared-mime-info-spec.pdf")), DocumentType::Pdf);
        QVERIFY(renderer.render(0, 300).error.isError());
        QVERIFY(renderer.render(999, 300).error.isError());
    }

    void needsThePasswordOfAnEncryptedPdf()
    {
        const QString path = test::corpusPath(QStringLiteral("encrypted/a-text-pass-peanuts.pdf"));
        QCOMPARE(PageRenderer(path, DocumentType::Pdf).render(1, 300).error.kind, LoadError::Kind::PasswordRequired);
        QCOMPARE(PageRenderer(path, DocumentType::Pdf, QStringLiteral("wrong")).render(1, 300).error.kind,
                 LoadError::Kind::PasswordRequired);
        const RenderedPage page = PageRenderer(path, DocumentType::Pdf, QStringLiteral("peanuts")).render(1, 300);
        QVERIFY2(!page.error.isError(), qPrintable(page.error.message));
        QCOMPARE(page.image.width(), 300);
    }

    void rendersImagePagesScaledDown()
    {
        const PageRenderer renderer(test::corpusPath(QStringLiteral("scans/phototest.tif")), DocumentType::Image);
        const RenderedPage page = renderer.render(1, 320);
        QVERIFY2(!page.error.isError(), qPrintable(page.error.message));
        QCOMPARE(page.image.width(), 320);
        QVERIFY(page.sizePoints.width() > 0);
    }

    void textDocumentsHaveNoPageImages()
    {
        QVERIFY(!PageRenderer::hasPageImages(DocumentType::Docx));
        QVERIFY(!PageRenderer::hasPageImages(DocumentType::Text));
        QVERIFY(PageRenderer(QStringLiteral("/nonexistent.txt"), DocumentType::Text).render(1, 300).error.isError());
    }

    void aCancelledRenderReturnsAtOnce()
    {
        const PageRenderer renderer(test::corpusPath(QStringLiteral("pdf/R-intro.pdf")), DocumentType::Pdf);
        CancelToken cancel;
        cancel.cancel();
        const RenderedPage page = renderer.render(5, 2000, cancel);
        QCOMPARE(page.error.kind, LoadError::Kind::Cancelled);
        QVERIFY(page.image.isNull());
    }

    // The viewer draws word boxes over the rendered page: they must land on the words, also for OCR'd
    // scans (slightly rotated, JPEG) and an image that was upside down.
    void wordBoxesLandOnInkOfTheRenderedPage_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("scanned pdf") << QStringLiteral("scans/shared-mime-info-spec-p5-8-scanned.pdf");
        QTest::newRow("upside-down image") << QStringLiteral("scans/phototest-rotated-180.png");
        QTest::newRow("text pdf") << QStringLiteral("pdf/shared-mime-info-spec.pdf");
    }

    void wordBoxesLandOnInkOfTheRenderedPage()
    {
        QFETCH(QString, file);
        QTemporaryDir dir;
        auto library = Library::open(dir.filePath(QStringLiteral("lib")), nullptr);
        QVERIFY(library);
        IngestQueue queue(library);
        QSignalSpy finished(&queue, &IngestQueue::finished);
        queue.enqueue({test::corpusPath(file)}, {});
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 240000);
        const auto outcome = finished.first().first().value<ImportOutcome>();
        QCOMPARE(outcome.result, ImportOutcome::Result::Imported);
        DocumentStore store(library);
        const auto doc = store.byId(outcome.documentId);
        const std::optional<PageContent> content = store.page(outcome.documentId, 1);
        QVERIFY(content && content->words.size() > 10);
        const PageRenderer renderer(store.absoluteStoredPath(*doc), file.endsWith(QLatin1String(".pdf")) ? DocumentType::Pdf
                                                                                                    : DocumentType::Image);
        const RenderedPage page = renderer.render(1, 1000);
        QVERIFY2(!page.error.isError(), qPrintable(page.error.message));
        const QImage grey = page.image.convertToFormat(QImage::Format_Grayscale8);
        int inked = 0;
        for (const WordBox &w : content->words) {
            const QRect r = QRectF(w.rect.x() * grey.width(), w.rect.y() * grey.height(), w.rect.width() * grey.width(),
                                   w.rect.height() * grey.height())
                                .toAlignedRect()
                                .intersected(grey.rect());
            int darkest = 255;
            for (int y = r.top(); y <= r.bottom(); ++y) {
                for (int x = r.left(); x <= r.right(); ++x)
                    darkest = std::min<int>(darkest, grey.constScanLine(y)[x]);
            }
            inked += darkest < 128 ? 1 : 0;
        }
        QVERIFY2(inked >= content->words.size() * 9 / 10,
                 qPrintable(QStringLiteral("%1 of %2 word boxes on ink").arg(inked).arg(content->words.size())));
    }

    void reportsThePopplerVersion()
    {
        QVERIFY(PageRenderer::popplerVersion().contains(QLatin1Char('.')));
    }
};

QTEST_GUILESS_MAIN(TestPageRenderer)
#include "tst_pagerenderer.moc"
