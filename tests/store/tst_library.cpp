#include "audit/auditlog.h"
#include "store/documentstore.h"
#include "store/library.h"
#include "store/schema.h"
#include "store/wordboxcodec.h"

#include <QCryptographicHash>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace docsight;

class TestLibrary final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createsFolderLayoutAndCurrentSchema()
    {
        QTemporaryDir dir;
        QString error;
        auto lib = Library::open(dir.filePath(QStringLiteral("lib")), &error);
        QVERIFY2(lib, qPrintable(error));
        QVERIFY(QFile::exists(lib->databasePath()));
        QVERIFY(QFileInfo(lib->filesPath()).isDir());
        QVERIFY(QFileInfo(lib->vectorsPath()).isDir());
        QCOMPARE(lib->schemaVersion(), schema::currentVersion());
        QSqlQuery q(lib->connection());
        QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
    }

    void refusesNewerSchemaWithoutTouchingIt()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("lib"));
        {
            QString error;
            auto lib = Library::open(folder, &error);
            QVERIFY(lib);
            QSqlDatabase db = lib->connection();
            QVERIFY(execSql(db, QStringLiteral("PRAGMA user_version = 999"), nullptr));
        }
        QFile file(folder + QStringLiteral("/library.sqlite3"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray before = QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256);
        file.close();

        QString error;
        QVERIFY(!Library::open(folder, &error));
        QVERIFY2(error.contains(QLatin1String("newer Docsight")), qPrintable(error));

        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256), before);
    }

    void reopeningKeepsDocumentsAndPages()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("lib"));
        qint64 id = 0;
        {
            auto lib = Library::open(folder, nullptr);
            DocumentStore store(lib);
            DocumentRecord r;
            r.name = QStringLiteral("a.pdf");
            r.originalPath = QStringLiteral("/tmp/a.pdf");
            r.sha256 = QString(64, QLatin1Char('a'));
            r.type = QStringLiteral("pdf");
            r.storedFile = QStringLiteral("files/a.pdf");
            r.classification = Classification::Confidential;
            id = store.add(r);
            QVERIFY(id > 0);
            PageContent page;
            page.number = 1;
            page.text = QStringLiteral("Hello world");
            page.source = PageSource::Ocr;
            page.ocrConfidence = 91.5f;
            page.sizePoints = QSizeF(612, 792);
            page.words = {WordBox{QRectF(0.1, 0.1, 0.2, 0.05), 0, 5, 90}, WordBox{QRectF(0.35, 0.1, 0.2, 0.05), 6, 5, 93}};
            QVERIFY(store.markImporting(id, 1));
            QVERIFY(store.putPage(id, page));
        }
        auto lib = Library::open(folder, nullptr);
        DocumentStore store(lib);
        const auto doc = store.byId(id);
        QVERIFY(doc);
        QCOMPARE(doc->classification, Classification::Confidential);
        QCOMPARE(doc->status, DocumentStatus::Importing);
        QCOMPARE(store.unfinished().size(), 1);
        const auto page = store.page(id, 1);
        QVERIFY(page);
        QCOMPARE(page->source, PageSource::Ocr);
        QCOMPARE(page->words.size(), 2);
        QCOMPARE(page->words.at(1).start, 6);
        QVERIFY(qAbs(page->words.at(1).rect.x() - 0.35) < 1e-6);
        QCOMPARE(page->sizePoints, QSizeF(612, 792));
    }

    void wordBoxBlobRejectsGarbage()
    {
        QVERIFY(decodeWordBoxes(QByteArray("\x01garbage")).isEmpty());
        QVERIFY(decodeWordBoxes({}).isEmpty());
        const QList<WordBox> words{WordBox{QRectF(0, 0, 1, 1), 3, 4, -1}};
        QCOMPARE(decodeWordBoxes(encodeWordBoxes(words)).first().length, 4);
    }

    void removingDocumentDeletesRowsAndStoredCopyAndIsAudited()
    {
        QTemporaryDir dir;
        auto lib = Library::open(dir.filePath(QStringLiteral("lib")), nullptr);
        DocumentStore store(lib);
        DocumentRecord r;
        r.name = QStringLiteral("b.txt");
        r.sha256 = QString(64, QLatin1Char('b'));
        r.type = QStringLiteral("text");
        r.storedFile = QStringLiteral("files/b.txt");
        QFile copy(lib->rootPath() + QStringLiteral("/files/b.txt"));
        QVERIFY(copy.open(QIODevice::WriteOnly));
        copy.write("hello");
        copy.close();
        const qint64 id = store.add(r);
        PageContent page;
        page.number = 1;
        page.text = QStringLiteral("hello");
        QVERIFY(store.putPage(id, page));
        Chunk c;
        c.page = 1;
        c.charEnd = 5;
        c.text = QStringLiteral("hello");
        QVERIFY(store.complete(id, {c}));
        QCOMPARE(store.byId(id)->chunkCount, 1);
        QVERIFY(store.remove(id));
        QVERIFY(!store.byId(id));
        QVERIFY(!QFile::exists(copy.fileName()));
        QSqlDatabase db = lib->connection();
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM pages")) && q.next());
        QCOMPARE(q.value(0).toInt(), 0);
        const QList<AuditEvent> events = auditlog::events(db);
        QCOMPARE(events.last().kind, QStringLiteral("document.removed"));
        QVERIFY(auditlog::verify(db).intact);
    }
};

QTEST_GUILESS_MAIN(TestLibrary)
#include "tst_library.moc"
