#include "ingest/ingestqueue.h"
#include "store/documentstore.h"
#include "store/library.h"

#include "testsupport.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace docsight;

namespace {

// Runs one queue over the paths and returns every outcome; fails the test on a hang.
QList<ImportOutcome> importAll(const std::shared_ptr<Library> &lib, const QStringList &paths,
                               const ImportOptions &options = {}, int timeoutMs = 600000)
{
    IngestQueue queue(lib);
    QList<ImportOutcome> outcomes;
    QObject::connect(&queue, &IngestQueue::finished, &queue, [&](const ImportOutcome &o) { outcomes.append(o); });
    const qsizetype jobs = queue.enqueue(paths, options).size();
    // Outcomes arrive as queued signals: wait for one per job, not for the idle signal, which a
    // direct observer can see before the last outcome is delivered here.
    QElapsedTimer timer;
    timer.start();
    while (outcomes.size() < jobs && timer.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    return outcomes;
}

} // namespace

class TestIngestQueue final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::shared_ptr<Library> m_lib;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_lib = Library::open(m_dir.filePath(QStringLiteral("lib")), nullptr);
        QVERIFY(m_lib);
    }

    void importsEveryCorpusDocumentWithPagesAndChunks()
    {
        QStringList paths;
        for (const QString &folder : {QStringLiteral("pdf"), QStringLiteral("scans"), QStringLiteral("docx")}) {
            for (const QString &file : test::corpusFiles(folder)) {
                if (!file.endsWith(QLatin1String(".txt")))
                    paths << file;
            }
        }
        const auto outcomes = importAll(m_lib, paths);
        QCOMPARE(outcomes.size(), paths.size());
        DocumentStore store(m_lib);
        for (const ImportOutcome &o : outcomes) {
            QVERIFY2(o.result == ImportOutcome::Result::Imported, qPrintable(o.name + QStringLiteral(": ") + o.error));
            const auto doc = store.byId(o.documentId);
            QVERIFY(doc);
            QCOMPARE(doc->status, DocumentStatus::Ready);
            QVERIFY2(doc->pageCount > 0 && doc->chunkCount > 0, qPrintable(doc->name));
            QCOMPARE(doc->storedPages, doc->pageCount);
            QVERIFY(QFile::exists(store.absoluteStoredPath(*doc)));
            QVERIFY(doc->storedFile.contains(doc->sha256));
        }
        const auto mixed = store.resolve(QStringLiteral("mixed-text-and-scanned.pdf"));
        QCOMPARE(mixed.size(), 1);
        QCOMPARE(mixed.first().pageCount, 6);
        QCOMPARE(mixed.first().ocrPages, 4);
    }

    void reportsSameBytesAsDuplicate()
    {
        const QString path = test::corpusPath(QStringLiteral("pdf/a-text.pdf"));
        const auto first = importAll(m_lib, {path});
        QCOMPARE(first.size(), 1);
        const auto again = importAll(m_lib, {path});
        QCOMPARE(again.size(), 1);
        QCOMPARE(again.first().result, ImportOutcome::Result::Duplicate);
        QVERIFY(again.first().documentId != 0);
        QVERIFY(again.first().error.contains(QLatin1String("same content")));
        DocumentStore store(m_lib);
        QCOMPARE(store.resolve(QStringLiteral("a-text.pdf")).size(), 1);
    }

    void failsMalformedFilesOneByOneWithReasons()
    {
        QTemporaryDir dir;
        auto lib = Library::open(dir.filePath(QStringLiteral("lib")), nullptr);
        const QStringList files = test::corpusFiles(QStringLiteral("malformed"));
        const auto outcomes = importAll(lib, files);
        QCOMPARE(outcomes.size(), files.size());
        DocumentStore store(lib);
        for (const ImportOutcome &o : outcomes) {
            qInfo().noquote() << importResultName(o.result) << o.name << o.error;
            if (o.result == ImportOutcome::Result::Imported) {
                QVERIFY(o.pages > 0);
                QVERIFY(o.chunks > 0 || o.error.contains(QLatin1String("no text found")));
            } else {
                QCOMPARE(o.result, ImportOutcome::Result::Failed);
                QVERIFY2(!o.error.trimmed().isEmpty(), qPrintable(o.name));
                if (o.documentId != 0) {
                    const auto doc = store.byId(o.documentId);
                    QCOMPARE(doc->status, DocumentStatus::Failed);
                    QCOMPARE(doc->chunkCount, 0);
                    QCOMPARE(doc->error, o.error);
                }
            }
        }
    }

    void encryptedPdfNeedsItsPasswordAndRetrySucceeds()
    {
        QTemporaryDir dir;
        auto lib = Library::open(dir.filePath(QStringLiteral("lib")), nullptr);
        const QString path = test::corpusPath(QStringLiteral("encrypted/a-text-pass-peanuts.pdf"));
        const auto locked = importAll(lib, {path});
        QCOMPARE(locked.size(), 1);
        QCOMPARE(locked.first().result, ImportOutcome::Result::Failed);
        QVERIFY2(locked.first().error.contains(QLatin1String("password required")), qPrintable(locked.first().error));

        IngestQueue queue(lib);
        QList<ImportOutcome> outcomes;
        connect(&queue, &IngestQueue::finished, this, [&](const ImportOutcome &o) { outcomes.append(o); });
        QSignalSpy idle(&queue, &IngestQueue::idle);
        ImportOptions withPassword;
        withPassword.password = QStringLiteral("peanuts");
        queue.retry(locked.first().documentId, withPassword);
        QVERIFY(idle.wait(60000));
        QTRY_COMPARE(outcomes.size(), 1);
        QCOMPARE(outcomes.first().result, ImportOutcome::Result::Imported);
        QCOMPARE(outcomes.first().documentId, locked.first().documentId);
    }

    void rejectsUnsupportedFileWithoutAddingIt()
    {
        QTemporaryDir dir;
        auto lib = Library::open(dir.filePath(QStringLiteral("lib")), nullptr);
        QFile f(dir.filePath(QStringLiteral("data.bin")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(100, '\x01'));
        f.close();
        const auto outcomes = importAll(lib, {f.fileName(), dir.filePath(QStringLiteral("missing.pdf"))});
        QCOMPARE(outcomes.size(), 2);
        for (const ImportOutcome &o : outcomes) {
            QCOMPARE(o.result, ImportOutcome::Result::Failed);
            QVERIFY(!o.error.isEmpty());
        }
        QVERIFY(DocumentStore(lib).list().isEmpty());
    }

    void cancelsOneDocumentAndLeavesItRetryable()
    {
        QTemporaryDir dir;
        auto lib = Library::open(dir.filePath(QStringLiteral("lib")), nullptr);
        IngestQueue queue(lib);
        QList<ImportOutcome> outcomes;
        connect(&queue, &IngestQueue::finished, this, [&](const ImportOutcome &o) { outcomes.append(o); });
        // Cancel the scan as soon as it starts reading pages; the text PDF beside it is unaffected.
        connect(&queue, &IngestQueue::progress, this, [&queue](const ImportProgress &p) {
            if (p.stage == ImportStage::Reading && p.name.contains(QLatin1String("scanned")))
                queue.cancel(p.jobId);
        });
        QSignalSpy idle(&queue, &IngestQueue::idle);
        queue.enqueue({test::corpusPath(QStringLiteral("scans/shared-mime-info-spec-p5-8-scanned.pdf")),
                       test::corpusPath(QStringLiteral("pdf/a-text.pdf"))},
                      {});
        QVERIFY(idle.wait(120000));
        QTRY_COMPARE(outcomes.size(), 2);
        DocumentStore store(lib);
        for (const ImportOutcome &o : outcomes) {
            if (o.name.contains(QLatin1String("scanned"))) {
                QCOMPARE(o.result, ImportOutcome::Result::Cancelled);
                const auto doc = store.byId(o.documentId);
                QCOMPARE(doc->status, DocumentStatus::Failed);
                QCOMPARE(doc->errorKind, QStringLiteral("cancelled"));
                QCOMPARE(doc->chunkCount, 0);
            } else {
                QCOMPARE(o.result, ImportOutcome::Result::Imported);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestIngestQueue)
#include "tst_ingestqueue.moc"
