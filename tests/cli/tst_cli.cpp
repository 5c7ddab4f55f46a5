// The CLI contract that scripts and acceptance checks rely on, exercised through the real binary.
#include "testsupport.h"

#include <csignal>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace docsight;
using test::runCli;
using test::listJson;

namespace {

int countRows(const QString &dbPath, const QString &sql)
{
    const QString name = QStringLiteral("probe");
    int n = -1;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(dbPath);
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(sql) && q.next())
                n = q.value(0).toInt();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return n;
}

} // namespace

class TestCli final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void importListTextRemoveFollowTheContract()
    {
        QTemporaryDir dir;
        const QString lib = dir.filePath(QStringLiteral("lib"));
        const auto imported = runCli({QStringLiteral("--library"), lib, QStringLiteral("import"),
                                      QStringLiteral("--classification"), QStringLiteral("Confidential"),
                                      test::corpusPath(QStringLiteral("pdf/a-text.pdf")),
                                      test::corpusPath(QStringLiteral("pdf/debian-refcard-en-a4.pdf"))});
        QCOMPARE(imported.exitCode, 0);
        QCOMPARE(imported.out.count('\n'), 2);
        QVERIFY(imported.out.contains("imported"));

        const QJsonArray docs = listJson(lib);
        QCOMPARE(docs.size(), 2);
        for (const QJsonValue &v : docs) {
            const QJsonObject d = v.toObject();
            for (const char *key : {"id", "name", "sha256", "pages", "ocr_pages", "chunks", "status", "error", "classification"})
                QVERIFY2(d.contains(QLatin1String(key)), key);
            QCOMPARE(d.value(QStringLiteral("status")).toString(), QStringLiteral("ready"));
            QCOMPARE(d.value(QStringLiteral("classification")).toString(), QStringLiteral("Confidential"));
            QCOMPARE(d.value(QStringLiteral("sha256")).toString().size(), 64);
        }

        const auto text = runCli({QStringLiteral("--library"), lib, QStringLiteral("text"), QStringLiteral("a-text.pdf"),
                                  QStringLiteral("--page"), QStringLiteral("2"), QStringLiteral("--json")});
        QCOMPARE(text.exitCode, 0);
        const QJsonObject page = QJsonDocument::fromJson(text.out).object().value(QStringLiteral("pages")).toArray().first().toObject();
        QCOMPARE(page.value(QStringLiteral("page")).toInt(), 2);
        QCOMPARE(page.value(QStringLiteral("source")).toString(), QStringLiteral("text-layer"));
        QVERIFY(!page.value(QStringLiteral("text")).toString().isEmpty());

        const auto badPage = runCli({QStringLiteral("--library"), lib, QStringLiteral("text"), QStringLiteral("a-text.pdf"),
                                     QStringLiteral("--page"), QStringLiteral("9")});
        QVERIFY(badPage.exitCode != 0);
        QVERIFY(badPage.err.contains("no page 9"));

        const auto removed = runCli({QStringLiteral("--library"), lib, QStringLiteral("remove"), QStringLiteral("a-text.pdf")});
        QCOMPARE(removed.exitCode, 0);
        QCOMPARE(listJson(lib).size(), 1);
        const auto missing = runCli({QStringLiteral("--library"), lib, QStringLiteral("text"), QStringLiteral("a-text.pdf")});
        QVERIFY(missing.exitCode != 0);

        const auto verify = runCli({QStringLiteral("--library"), lib, QStringLiteral("audit"), QStringLiteral("verify")});
        QCOMPARE(verify.exitCode, 0);
        QCOMPARE(verify.out.trimmed().size(), 64);
    }

    void reimportReadsADocumentAgainKeepingItsIdentity()
    {
        QTemporaryDir dir;
        const QString lib = dir.filePath(QStringLiteral("lib"));
        QCOMPARE(runCli({QStringLiteral("--library"), lib, QStringLiteral("import"), QStringLiteral("--classification"),
                         QStringLiteral("Restricted"), test::corpusPath(QStringLiteral("pdf/a-text.pdf"))})
                     .exitCode,
                 0);
        const QJsonObject before = listJson(lib).first().toObject();
        QCOMPARE(before.value(QStringLiteral("ocr_pages")).toInt(), 0);

        const auto forced = runCli({QStringLiteral("--library"), lib, QStringLiteral("reimport"), QStringLiteral("a-text.pdf"),
                                    QStringLiteral("--force-ocr")});
        QCOMPARE(forced.exitCode, 0);
        QVERIFY2(forced.out.startsWith("imported\ta-text.pdf\tid="), forced.out.constData());
        const QJsonObject after = listJson(lib).first().toObject();
        QCOMPARE(after.value(QStringLiteral("id")), before.value(QStringLiteral("id")));
        QCOMPARE(after.value(QStringLiteral("classification")).toString(), QStringLiteral("Restricted"));
        QCOMPARE(after.value(QStringLiteral("pages")).toInt(), 2);
        QCOMPARE(after.value(QStringLiteral("ocr_pages")).toInt(), 2);
        QCOMPARE(countRows(lib + QStringLiteral("/library.sqlite3"),
                           QStringLiteral("SELECT COUNT(*) FROM audit_events WHERE kind = 'document.reimport_requested'")),
                 1);

        // A language that is not installed fails the document, with the reason, and says so.
        const auto bad = runCli({QStringLiteral("--library"), lib, QStringLiteral("reimport"), QStringLiteral("1"),
                                 QStringLiteral("--ocr-languages"), QStringLiteral("xx-none"), QStringLiteral("--force-ocr")});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY(bad.out.startsWith("failed"));
        QCOMPARE(listJson(lib).first().toObject().value(QStringLiteral("status")).toString(), QStringLiteral("failed"));
        QCOMPARE(runCli({QStringLiteral("--library"), lib, QStringLiteral("reimport"), QStringLiteral("nothing-here.pdf")}).exitCode, 1);
        QCOMPARE(runCli({QStringLiteral("--library"), lib, QStringLiteral("reimport")}).exitCode, 2);
        QCOMPARE(runCli({QStringLiteral("--library"), lib, QStringLiteral("audit"), QStringLiteral("verify")}).exitCode, 0);
    }

    void importExitsNonZeroWhenAnyFailsButImportsTheRest()
    {
        QTemporaryDir dir;
        const QString lib = dir.filePath(QStringLiteral("lib"));
        const auto r = runCli({QStringLiteral("--library"), lib, QStringLiteral("import"),
                               test::corpusPath(QStringLiteral("encrypted/encrypted-256.pdf")),
                               test::corpusPath(QStringLiteral("pdf/a-text.pdf"))});
        QVERIFY(!r.crashed && !r.timedOut);
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.out.contains("password required"));
        const QJsonArray docs = listJson(lib);
        int ready = 0;
        for (const QJsonValue &v : docs)
            ready += v.toObject().value(QStringLiteral("status")).toString() == QLatin1String("ready") ? 1 : 0;
        QCOMPARE(ready, 1);
    }

    void importsEncryptedPdfWithPassword()
    {
        QTemporaryDir dir;
        const QString lib = dir.filePath(QStringLiteral("lib"));
        const auto r = runCli({QStringLiteral("--library"), lib, QStringLiteral("import"), QStringLiteral("--password"),
                               QStringLiteral("test"), test::corpusPath(QStringLiteral("encrypted/pdf-example-password.pdf"))});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(listJson(lib).first().toObject().value(QStringLiteral("status")).toString(), QStringLiteral("ready"));
    }

    void auditVerifyNamesTheFirstTamperedEvent()
    {
        QTemporaryDir dir;
        const QString lib = dir.filePath(QStringLiteral("lib"));
        QCOMPARE(runCli({QStringLiteral("--library"), lib, QStringLiteral("import"),
                         test::corpusPath(QStringLiteral("pdf/a-text.pdf"))})
                     .exitCode,
                 0);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tamper"));
            db.setDatabaseName(lib + QStringLiteral("/library.sqlite3"));
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("UPDATE audit_events SET subject = 'document:99' WHERE seq = 1")));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("tamper"));
        const auto verify = runCli({QStringLiteral("--library"), lib, QStringLiteral("audit"), QStringLiteral("verify")});
        QCOMPARE(verify.exitCode, 1);
        QVERIFY2(verify.err.contains("event 1"), verify.err.constData());
    }

    void refusesUnknownCommandsAndOptions()
    {
        QTemporaryDir dir;
        const QString lib = dir.filePath(QStringLiteral("lib"));
        QCOMPARE(runCli({QStringLiteral("--library"), lib, QStringLiteral("frobnicate")}).exitCode, 2);
        QCOMPARE(runCli({QStringLiteral("--library"), lib, QStringLiteral("list"), QStringLiteral("--bogus")}).exitCode, 2);
        QCOMPARE(runCli({QStringLiteral("--library"), lib, QStringLiteral("import"), QStringLiteral("--classification"),
                         QStringLiteral("Secret"), test::corpusPath(QStringLiteral("pdf/a-text.pdf"))})
                     .exitCode,
                 2);
    }

    // SIGKILL in the middle of a multi-document import, then reopen: the library is consistent
    // (nothing half-indexed, audit chain intact) and finishing the import completes every document.
    void survivesKillDuringImport()
    {
        QTemporaryDir dir;
        const QString lib = dir.filePath(QStringLiteral("lib"));
        const QString db = lib + QStringLiteral("/library.sqlite3");
        const QStringList paths{test::corpusPath(QStringLiteral("scans/shared-mime-info-spec-p5-8-scanned.pdf")),
                                test::corpusPath(QStringLiteral("scans/mixed-text-and-scanned.pdf")),
                                test::corpusPath(QStringLiteral("pdf/R-intro.pdf")),
                                test::corpusPath(QStringLiteral("scans/phototest.tif")),
                                test::corpusPath(QStringLiteral("docx/test.docx"))};
        QProcess child;
        child.start(QStringLiteral(DOCSIGHT_CLI_PATH), QStringList{QStringLiteral("--library"), lib, QStringLiteral("import")} + paths);
        QVERIFY(child.waitForStarted());
        // Kill once some OCR pages are committed but before the scans can have finished.
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 60000
               && countRows(db, QStringLiteral("SELECT COUNT(*) FROM pages p JOIN documents d ON d.id = p.document_id "
                                               "WHERE p.source = 'ocr'")) < 1)
            QTest::qWait(50);
        QCOMPARE(child.state(), QProcess::Running);
        ::kill(static_cast<pid_t>(child.processId()), SIGKILL);
        QVERIFY(child.waitForFinished(10000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);

        // Consistent after the kill: a document is either ready with all its pages and chunks, or
        // unfinished with no chunks at all.
        const QJsonArray afterKill = listJson(lib);
        QVERIFY(!afterKill.isEmpty());
        int unfinished = 0;
        for (const QJsonValue &v : afterKill) {
            const QJsonObject d = v.toObject();
            const QString status = d.value(QStringLiteral("status")).toString();
            if (status == QLatin1String("ready")) {
                QVERIFY(d.value(QStringLiteral("chunks")).toInt() > 0);
            } else {
                ++unfinished;
                QVERIFY2(status == QLatin1String("queued") || status == QLatin1String("importing"), qPrintable(status));
                QCOMPARE(d.value(QStringLiteral("chunks")).toInt(), 0);
            }
        }
        QVERIFY(unfinished > 0);
        QCOMPARE(runCli({QStringLiteral("--library"), lib, QStringLiteral("audit"), QStringLiteral("verify")}).exitCode, 0);

        // Finishing: the same command again resumes the interrupted ones and reports the rest as duplicates.
        const auto again = runCli(QStringList{QStringLiteral("--library"), lib, QStringLiteral("import")} + paths, 600000);
        QVERIFY2(again.exitCode == 0, again.out.constData());
        const QJsonArray finished = listJson(lib);
        QCOMPARE(finished.size(), paths.size());
        for (const QJsonValue &v : finished) {
            const QJsonObject d = v.toObject();
            QCOMPARE(d.value(QStringLiteral("status")).toString(), QStringLiteral("ready"));
            QVERIFY(d.value(QStringLiteral("chunks")).toInt() > 0);
            QVERIFY(d.value(QStringLiteral("pages")).toInt() > 0);
        }
        QCOMPARE(countRows(db, QStringLiteral("SELECT COUNT(*) FROM documents d WHERE d.page_count != "
                                              "(SELECT COUNT(*) FROM pages p WHERE p.document_id = d.id)")),
                 0);
        QCOMPARE(countRows(db, QStringLiteral("SELECT page_count FROM documents WHERE name = 'mixed-text-and-scanned.pdf'")), 6);
        QCOMPARE(countRows(db, QStringLiteral("SELECT COUNT(*) FROM pages p JOIN documents d ON d.id = p.document_id "
                                              "WHERE d.name = 'mixed-text-and-scanned.pdf' AND p.source = 'ocr'")),
                 4);
        QCOMPARE(runCli({QStringLiteral("--library"), lib, QStringLiteral("audit"), QStringLiteral("verify")}).exitCode, 0);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
