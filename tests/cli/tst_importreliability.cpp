// What an analyst is told about an import is what happened, and nothing imported is ever lost:
// mixed file-and-folder imports, identical files, empty files, awkward names, a full disk and a
// library that may only be read. Everything runs the real docsight-cli on real corpus files; the
// full disk is a small tmpfs and the read-only library a read-only bind mount, both inside a private
// mount namespace (unshare), so nothing on the machine changes.
#include "testsupport.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace docsight;
using test::runCli;
using test::listJson;
using test::lines;

namespace {

QString shellQuote(const QString &s)
{
    QString q = s;
    q.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + q + QLatin1Char('\'');
}

// Runs a shell script as root of a private user and mount namespace, where it may mount a tmpfs
// or a read-only bind mount that nobody else sees. Empty optional when the machine does not allow
// it (the caller skips).
std::optional<int> runInPrivateMounts(const QString &script, QByteArray *output)
{
    if (QStandardPaths::findExecutable(QStringLiteral("unshare")).isEmpty())
        return std::nullopt;
    QProcess probe;
    probe.start(QStringLiteral("unshare"), {QStringLiteral("-rm"), QStringLiteral("true")});
    if (!probe.waitForFinished(10000) || probe.exitCode() != 0)
        return std::nullopt;
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("unshare"), {QStringLiteral("-rm"), QStringLiteral("sh"), QStringLiteral("-c"), script});
    if (!p.waitForFinished(600000)) {
        p.kill();
        p.waitForFinished();
        return -1;
    }
    *output = p.readAll();
    return p.exitCode();
}

QString cli()
{
    return shellQuote(QStringLiteral(DOCSIGHT_CLI_PATH));
}

} // namespace

class TestImportReliability final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keepsEveryFileWhenAFileAndAFolderAreImportedTogether()
    {
        // The single file finishes before the folder's 1,500 files are even listed: the import
        // must still wait for, and report, every one of them.
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("notes"));
        QDir().mkpath(folder);
        for (int i = 0; i < 1500; ++i)
            QVERIFY(test::writeFile(folder + QStringLiteral("/note-%1.txt").arg(i, 4, 10, QLatin1Char('0')),
                              QStringLiteral("Field note %1: the survey found %2 birds near site %3.\n").arg(i).arg(i * 7).arg(i % 13).toUtf8()));
        const QString single = dir.filePath(QStringLiteral("summary.txt"));
        QVERIFY(test::writeFile(single, "Summary of the survey season.\n"));
        const QString lib = dir.filePath(QStringLiteral("lib"));
        const auto r = runCli({QStringLiteral("--library"), lib, QStringLiteral("import"), single, folder}, 600000);
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(lines(r.out).size(), 1501);
        const QJsonArray docs = listJson(lib);
        QCOMPARE(docs.size(), 1501);
        for (const QJsonValue &d : docs)
            QCOMPARE(d[QStringLiteral("status")].toString(), QStringLiteral("ready"));
    }

    void importsIdenticalFilesOnceAndCountsTheRestAsDuplicates()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("same"));
        QDir().mkpath(folder);
        for (int i = 1; i <= 4; ++i)
            QVERIFY(QFile::copy(test::corpusPath(QStringLiteral("pdf/debian-refcard-en-a4.pdf")), folder + QStringLiteral("/copy%1.pdf").arg(i)));
        for (int i = 1; i <= 3; ++i)
            QVERIFY(test::writeFile(folder + QStringLiteral("/memo%1.txt").arg(i), "The same memo, saved three times.\n"));
        const QString lib = dir.filePath(QStringLiteral("lib"));
        const auto r = runCli({QStringLiteral("--library"), lib, QStringLiteral("import"), folder});
        QCOMPARE(r.exitCode, 0);
        const QStringList out = lines(r.out);
        QCOMPARE(out.size(), 7);
        QCOMPARE(out.filter(QRegularExpression(QStringLiteral("^imported\\t"))).size(), 2);
        QCOMPARE(out.filter(QRegularExpression(QStringLiteral("^duplicate\\t.*same content as document"))).size(), 5);
        QCOMPARE(listJson(lib).size(), 2);
        // One stored copy per content, and no temporary files left beside them.
        QCOMPARE(QDir(lib + QStringLiteral("/files")).entryList(QDir::Files | QDir::Hidden).size(), 2);
    }

    void tellsAnEmptyFileIsEmptyAndKeepsGoing()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("in"));
        QDir().mkpath(folder);
        QVERIFY(test::writeFile(folder + QStringLiteral("/blank1.txt"), {}));
        QVERIFY(test::writeFile(folder + QStringLiteral("/blank2.txt"), {}));
        QVERIFY(test::writeFile(folder + QStringLiteral("/blank.pdf"), {}));
        QVERIFY(test::writeFile(folder + QStringLiteral("/real.txt"), "Something to read.\n"));
        const QString lib = dir.filePath(QStringLiteral("lib"));
        const auto r = runCli({QStringLiteral("--library"), lib, QStringLiteral("import"), folder});
        QCOMPARE(r.exitCode, 1); // some failed, the rest imported
        const QStringList out = lines(r.out);
        QCOMPARE(out.size(), 4);
        QCOMPARE(out.filter(QRegularExpression(QStringLiteral("^failed\\t.*blank.*\\tthe file is empty \\(0 bytes\\)$"))).size(), 3);
        QCOMPARE(out.filter(QRegularExpression(QStringLiteral("^imported\\t.*real\\.txt"))).size(), 1);
        QVERIFY(!r.out.contains("unsupported"));
    }

    void escapesTabsAndNewlinesInNamesSoEachDocumentIsOneLine()
    {
        QTemporaryDir dir;
        const QString awkward = dir.filePath(QStringLiteral("two\tcolumns\nand lines\\here.txt"));
        QVERIFY(test::writeFile(awkward, "A file whose name holds a tab, a newline and a backslash.\n"));
        const QString lib = dir.filePath(QStringLiteral("lib"));
        const auto r = runCli({QStringLiteral("--library"), lib, QStringLiteral("import"), awkward});
        QCOMPARE(r.exitCode, 0);
        const QStringList out = lines(r.out);
        QCOMPARE(out.size(), 1);
        const QStringList fields = out.first().split(QLatin1Char('\t'));
        QCOMPARE(fields.size(), 3);
        QVERIFY2(fields.at(1).endsWith(QStringLiteral("two\\tcolumns\\nand lines\\\\here.txt")), qPrintable(fields.at(1)));
        const auto listed = runCli({QStringLiteral("--library"), lib, QStringLiteral("list")});
        QCOMPARE(lines(listed.out).size(), 1);
        QVERIFY(listed.out.contains("two\\tcolumns\\nand lines\\\\here.txt"));
        // JSON needs no escaping of ours: it carries the name exactly.
        QCOMPARE(listJson(lib).first()[QStringLiteral("name")].toString(), QFileInfo(awkward).fileName());
    }

    void namesAFileThatStandsWhereALibraryFolderBelongs()
    {
        QTemporaryDir dir;
        const QString lib = dir.filePath(QStringLiteral("lib"));
        QVERIFY(runCli({QStringLiteral("--library"), lib, QStringLiteral("list")}).exitCode == 0);
        QVERIFY(QDir(lib + QStringLiteral("/vectors")).removeRecursively());
        QVERIFY(test::writeFile(lib + QStringLiteral("/vectors"), "not a folder"));
        const auto r = runCli({QStringLiteral("--library"), lib, QStringLiteral("list")});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("vectors is a file, but Docsight keeps a folder of that name"), r.err.constData());
        QVERIFY(!r.err.contains("Cannot create the library folder"));
    }

    void explainsADamagedDatabaseWithoutDriverJargon()
    {
        QTemporaryDir dir;
        const QString lib = dir.filePath(QStringLiteral("lib"));
        QDir().mkpath(lib);
        QVERIFY(test::writeFile(lib + QStringLiteral("/library.sqlite3"), QByteArray(8192, 'x')));
        const auto r = runCli({QStringLiteral("--library"), lib, QStringLiteral("list")});
        QCOMPARE(r.exitCode, 3);
        const QString said = QString::fromUtf8(r.err).split(QLatin1Char('\n')).filter(QStringLiteral("docsight-cli:")).join(QLatin1Char('\n'));
        QVERIFY2(said.contains(QStringLiteral("is damaged or is not a Docsight library database")), r.err.constData());
        QVERIFY2(!r.err.contains("Unable to"), r.err.constData()); // not even in the diagnostics
    }

    // A kill -9 after a document became Ready but before its passages were embedded leaves exactly this state
    // (made here directly, so the test does not depend on when a signal lands): `list` says which documents
    // vector search cannot see yet, and the next search embeds them and finds them by meaning.
    void saysWhichReadyDocumentsHaveNoVectorsAndTheNextSearchEmbedsThem()
    {
        QTemporaryDir dir;
        const QString lib = dir.filePath(QStringLiteral("lib"));
        const QString a = dir.filePath(QStringLiteral("harbour.txt"));
        const QString b = dir.filePath(QStringLiteral("quarry.txt"));
        QVERIFY(test::writeFile(a, "Harbour log\n\nThe ferry schedule changes in winter; tugboats dock at pier four.\n"));
        QVERIFY(test::writeFile(b, "Quarry survey\n\nBasalt and zanzibarite seams were mapped along the northern quarry face.\n"));
        auto r = runCli({QStringLiteral("--library"), lib, QStringLiteral("import"), a, b});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        for (const QJsonValue v : listJson(lib))
            QCOMPARE(v[QLatin1String("vectors_pending")].toInt(), 0);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("kill"));
            db.setDatabaseName(lib + QStringLiteral("/library.sqlite3"));
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("DELETE FROM embeddings WHERE chunk_id IN (SELECT c.id FROM chunks c JOIN "
                                          "documents d ON d.id = c.document_id WHERE d.name = 'quarry.txt')")));
            QVERIFY(q.numRowsAffected() > 0);
        }
        QSqlDatabase::removeDatabase(QStringLiteral("kill"));

        r = runCli({QStringLiteral("--library"), lib, QStringLiteral("list")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.err.contains("of 1 ready document(s) have no vectors yet"), r.err.constData());
        for (const QJsonValue v : listJson(lib)) {
            const bool quarry = v[QLatin1String("name")].toString() == QLatin1String("quarry.txt");
            QCOMPARE(v[QLatin1String("vectors_pending")].toInt() > 0, quarry);
        }

        r = runCli({QStringLiteral("--library"), lib, QStringLiteral("search"), QStringLiteral("zanzibarite seams"),
                    QStringLiteral("--mode"), QStringLiteral("vector"), QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.err.contains("embedded"), r.err.constData());
        const QJsonArray results = QJsonDocument::fromJson(r.out).object().value(QLatin1String("results")).toArray();
        QVERIFY(!results.isEmpty());
        QCOMPARE(results.first()[QLatin1String("document")].toString(), QStringLiteral("quarry.txt"));
        r = runCli({QStringLiteral("--library"), lib, QStringLiteral("list")});
        QVERIFY2(!r.err.contains("no vectors yet"), r.err.constData());
    }

    void namesTheUnreadablePageOnceForADamagedTiff()
    {
        QTemporaryDir dir;
        QByteArray tiff = test::readFile(test::corpusPath(QStringLiteral("scans/phototest.tif")));
        QVERIFY(tiff.size() > 4096);
        tiff.truncate(tiff.size() / 3);
        const QString damaged = dir.filePath(QStringLiteral("damaged.tif"));
        QVERIFY(test::writeFile(damaged, tiff));
        const auto r = runCli({QStringLiteral("--library"), dir.filePath(QStringLiteral("lib")), QStringLiteral("import"), damaged});
        QCOMPARE(r.exitCode, 1);
        const QString line = lines(r.out).value(0);
        QVERIFY2(line.startsWith(QStringLiteral("failed\t")), qPrintable(line));
        QVERIFY2(!line.contains(QRegularExpression(QStringLiteral("page 1: page 1"))), qPrintable(line));
    }

    void readsAReadOnlyLibraryAndRefusesOnlyWhatWrites()
    {
        QTemporaryDir dir;
        const QString lib = dir.filePath(QStringLiteral("lib"));
        QCOMPARE(runCli({QStringLiteral("--library"), lib, QStringLiteral("import"), test::corpusPath(QStringLiteral("pdf/debian-refcard-en-a4.pdf"))}).exitCode, 0);
        const QString out = dir.filePath(QStringLiteral("out"));
        QDir().mkpath(out);
        const QString L = shellQuote(lib);
        auto step = [&](const QString &name, const QString &args) {
            return QStringLiteral("%1 --library %2 %3 > %4/%5.out 2> %4/%5.err; echo $? > %4/%5.rc\n")
                .arg(cli(), L, args, shellQuote(out), name);
        };
        const QString script = QStringLiteral("mount --bind %1 %1 || exit 9\nmount -o remount,bind,ro %1 || exit 9\n").arg(L)
            + step(QStringLiteral("list"), QStringLiteral("list --json"))
            + step(QStringLiteral("search"), QStringLiteral("search 'package management commands' --k 3"))
            + step(QStringLiteral("vector"), QStringLiteral("search 'package management commands' --k 3 --mode vector"))
            + step(QStringLiteral("verify"), QStringLiteral("audit verify"))
            + step(QStringLiteral("text"), QStringLiteral("text 1 --page 1"))
            + step(QStringLiteral("import"), shellQuote(test::corpusPath(QStringLiteral("pdf/a-text.pdf"))).prepend(QStringLiteral("import ")))
            + step(QStringLiteral("classify"), QStringLiteral("classify 1 Restricted"))
            + step(QStringLiteral("ask"), QStringLiteral("ask 'which command installs a package'"));
        QByteArray log;
        const auto rc = runInPrivateMounts(script, &log);
        if (!rc)
            QSKIP("this machine does not allow private mount namespaces (unshare -rm)");
        QCOMPARE(*rc, 0);
        auto result = [&](const QString &name) {
            return std::make_tuple(test::readFile(out + QLatin1Char('/') + name + QStringLiteral(".rc")).trimmed().toInt(),
                                   test::readFile(out + QLatin1Char('/') + name + QStringLiteral(".out")),
                                   test::readFile(out + QLatin1Char('/') + name + QStringLiteral(".err")));
        };
        for (const QString &reader : {QStringLiteral("list"), QStringLiteral("search"), QStringLiteral("vector"),
                                      QStringLiteral("verify"), QStringLiteral("text")}) {
            const auto [code, stdOut, stdErr] = result(reader);
            QVERIFY2(code == 0, qPrintable(reader + QStringLiteral(": ") + QString::fromUtf8(stdErr)));
            QVERIFY2(!stdOut.isEmpty(), qPrintable(reader));
            // Said once, plainly; never SQLite's own complaint.
            QCOMPARE(stdErr.count("is read-only (its file system is mounted read-only)"), 1);
            QVERIFY2(!stdErr.contains("readonly database"), stdErr.constData());
        }
        QCOMPARE(QJsonDocument::fromJson(std::get<1>(result(QStringLiteral("list")))).array().size(), 1);
        QVERIFY(std::get<1>(result(QStringLiteral("search"))).contains("debian-refcard-en-a4.pdf"));
        QVERIFY(std::get<1>(result(QStringLiteral("vector"))).contains("debian-refcard-en-a4.pdf"));
        for (const QString &writer : {QStringLiteral("import"), QStringLiteral("classify"), QStringLiteral("ask")}) {
            const auto [code, stdOut, stdErr] = result(writer);
            QCOMPARE(code, 3);
            QVERIFY2(stdErr.contains("' would change the library (") && stdErr.contains("which is read-only"), stdErr.constData());
        }
        // Nothing changed: the library reads as before, now writable again.
        const QJsonArray docs = listJson(lib);
        QCOMPARE(docs.size(), 1);
        QCOMPARE(docs.first()[QStringLiteral("classification")].toString(), QStringLiteral("Internal"));
    }

    void saysTheDiskIsFullLeavesNothingHalfWrittenAndRecoversWhenSpaceReturns()
    {
        const QStringList files = test::corpusFiles(QStringLiteral("pdf"));
        QVERIFY(files.size() >= 6);
        QStringList quoted;
        for (const QString &f : files)
            quoted << shellQuote(f);

        // What a clean import gives, for comparison.
        QTemporaryDir dir;
        const QString clean = dir.filePath(QStringLiteral("clean"));
        QCOMPARE(runCli(QStringList{QStringLiteral("--library"), clean, QStringLiteral("import")} + files, 600000).exitCode, 0);
        QHash<QString, int> cleanChunks;
        for (const QJsonValue &d : listJson(clean))
            cleanChunks.insert(d[QStringLiteral("sha256")].toString(), d[QStringLiteral("chunks")].toInt());

        const QString mount = dir.filePath(QStringLiteral("small"));
        const QString out = dir.filePath(QStringLiteral("out"));
        QDir().mkpath(mount);
        QDir().mkpath(out);
        const QString M = shellQuote(mount), O = shellQuote(out);
        // 2 MB holds the schema and the first documents, not all 2.1 MB of PDFs and their pages.
        const QString script = QStringLiteral(
            "set -e\n"
            "mount -t tmpfs -o size=2m tmpfs %1\n"
            "%3 --library %1/lib import %4 > %2/full.out 2> %2/full.err || echo $? > %2/full.rc\n"
            "cp -a %1/lib %2/full-lib\n"
            "mount -o remount,size=64m %1\n"
            "%3 --library %1/lib import %4 > %2/again.out 2> %2/again.err; echo $? > %2/again.rc\n"
            "cp -a %1/lib %2/recovered-lib\n")
            .arg(M, O, cli(), quoted.join(QLatin1Char(' ')));
        QByteArray log;
        const auto rc = runInPrivateMounts(script, &log);
        if (!rc)
            QSKIP("this machine does not allow private mount namespaces (unshare -rm)");
        QVERIFY2(*rc == 0, log.constData());

        // While full: exit 1, and every failure says why in the analyst's words.
        QCOMPARE(test::readFile(out + QStringLiteral("/full.rc")).trimmed(), QByteArray("1"));
        const QStringList full = lines(test::readFile(out + QStringLiteral("/full.out")));
        const QStringList failed = full.filter(QRegularExpression(QStringLiteral("^failed\\t")));
        QVERIFY2(!failed.isEmpty(), qPrintable(full.join(QLatin1Char('\n'))));
        for (const QString &line : failed)
            QVERIFY2(line.contains(QStringLiteral("the disk is full")), qPrintable(line));
        // Nothing half-written: each document is ready or left to resume (never marked failed for
        // lack of room), and files/ holds only the copies of registered documents.
        const QString fullLib = out + QStringLiteral("/full-lib");
        const QJsonArray fullDocs = listJson(fullLib);
        QSet<QString> stored;
        for (const QJsonValue &d : fullDocs) {
            const QString status = d[QStringLiteral("status")].toString();
            QVERIFY2(status == QLatin1String("ready") || status == QLatin1String("queued") || status == QLatin1String("importing"),
                     qPrintable(status + QStringLiteral(" ") + d[QStringLiteral("error")].toString()));
            if (status == QLatin1String("ready"))
                QCOMPARE(d[QStringLiteral("chunks")].toInt(), cleanChunks.value(d[QStringLiteral("sha256")].toString()));
            stored.insert(d[QStringLiteral("sha256")].toString());
        }
        const QStringList copies = QDir(fullLib + QStringLiteral("/files")).entryList(QDir::Files | QDir::Hidden);
        for (const QString &copy : copies)
            QVERIFY2(stored.contains(copy.section(QLatin1Char('.'), 0, 0)), qPrintable(copy));
        QCOMPARE(runCli({QStringLiteral("--library"), fullLib, QStringLiteral("audit"), QStringLiteral("verify")}).exitCode, 0);

        // Room again: the same command finishes everything, exactly as a clean import would.
        QCOMPARE(test::readFile(out + QStringLiteral("/again.rc")).trimmed(), QByteArray("0"));
        const QString recovered = out + QStringLiteral("/recovered-lib");
        const QJsonArray docs = listJson(recovered);
        QCOMPARE(docs.size(), files.size());
        for (const QJsonValue &d : docs) {
            QCOMPARE(d[QStringLiteral("status")].toString(), QStringLiteral("ready"));
            QCOMPARE(d[QStringLiteral("chunks")].toInt(), cleanChunks.value(d[QStringLiteral("sha256")].toString()));
        }
        QCOMPARE(runCli({QStringLiteral("--library"), recovered, QStringLiteral("audit"), QStringLiteral("verify")}).exitCode, 0);
        const auto search = runCli({QStringLiteral("--library"), recovered, QStringLiteral("search"),
                                    QStringLiteral("ASN.1 structures"), QStringLiteral("--mode"), QStringLiteral("vector")});
        QCOMPARE(search.exitCode, 0);
        QVERIFY(search.out.contains("libtasn1.pdf"));
    }
};

QTEST_GUILESS_MAIN(TestImportReliability)
#include "tst_importreliability.moc"
