// Several docsight-cli processes may use one library at once: two imports of different files into a
// new library while a third process searches and asks in a loop. Nothing is lost, nobody is told
// about locks or shown SQLite's own words, and afterwards the database, its keyword index, the
// stored vectors and the vector index file all hold the same passages.
#include "testsupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace docsight;
using test::runCli;
using test::listJson;

namespace {

constexpr int kNotesPerImporter = 120;
constexpr int kMaxSearchRounds = 200;
constexpr int kLateImports = 8;

// A made-up word per note, so that each note is the one passage a search for it should find.
QString codeword(int n, int salt)
{
    static const char *const a[] = {"ka", "lo", "mi", "nu", "pe", "ri", "so", "tu", "va", "ze"};
    static const char *const b[] = {"bre", "cla", "dro", "fli", "gru", "ple", "sna", "tri", "vlo", "wha"};
    static const char *const c[] = {"xon", "quar", "jel", "zint", "kob", "vusk", "wem", "yald", "hib", "fot"};
    const int d0 = n % 10, d1 = (n / 10) % 10, d2 = (n / 100) % 10;
    return QLatin1String(a[(d0 + salt) % 10]) + QLatin1String(b[d1]) + QLatin1String(c[(d2 + salt * 3) % 10])
        + QLatin1String(b[(d0 + d2) % 10]) + QLatin1String(a[d1]);
}

// What only a driver or SQLite would say; an analyst must never see it.
const QRegularExpression kRawDatabaseText(QStringLiteral("locked|sqlite_|unable to (fetch|execute|begin|commit|bind|open)|"
                                                         "qsql|no such table|disk i/o error|constraint failed"),
                                          QRegularExpression::CaseInsensitiveOption);

struct Note {
    QString file;
    QString phrase;
};

} // namespace

class TestConcurrentUse final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void twoImportsAndASearcherShareOneLibraryWithoutLosingOrLockingAnything()
    {
        QTemporaryDir dir;
        const QString lib = dir.filePath(QStringLiteral("lib"));
        QList<Note> notes;
        QStringList sets[2];
        for (int importer = 0; importer < 2; ++importer) {
            const QString folder = dir.filePath(QStringLiteral("set%1").arg(importer));
            QVERIFY(QDir().mkpath(folder));
            for (int i = 0; i < kNotesPerImporter; ++i) {
                const QString phrase = codeword(i, importer * 5) + QLatin1Char(' ') + codeword(i + 7, importer * 5 + 2);
                const QString file = QStringLiteral("ledger-%1-%2.txt").arg(importer).arg(i, 3, 10, QLatin1Char('0'));
                QVERIFY(test::writeFile(folder + QLatin1Char('/') + file,
                                  QStringLiteral("Dock ledger %1\n\nThe %2 consignment was weighed at dock %3 and held %4 crates.\n")
                                      .arg(i).arg(phrase).arg(i % 23).arg(i * 13 + importer).toUtf8()));
                notes.append({file, phrase});
            }
            sets[importer] << folder;
        }
        sets[0] << test::corpusPath(QStringLiteral("pdf/debian-refcard-en-a4.pdf")) << test::corpusPath(QStringLiteral("scans/phototest.tif"));
        sets[1] << test::corpusPath(QStringLiteral("pdf/a-text.pdf")) << test::corpusPath(QStringLiteral("docx/test.docx"));
        const int files = 2 * kNotesPerImporter + 4;

        // Both start on a library that does not exist yet: they create it together.
        QProcess importers[2];
        for (int i = 0; i < 2; ++i) {
            importers[i].setStandardOutputFile(dir.filePath(QStringLiteral("import%1.out").arg(i)));
            importers[i].setStandardErrorFile(dir.filePath(QStringLiteral("import%1.err").arg(i)));
        }
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < 2; ++i)
            importers[i].start(QStringLiteral(DOCSIGHT_CLI_PATH), QStringList{QStringLiteral("--library"), lib, QStringLiteral("import")} + sets[i]);
        for (QProcess &p : importers)
            QVERIFY(p.waitForStarted());

        // Meanwhile a third process searches (both ways, which embeds what is new and saves the vector
        // index too) and asks, until both imports are done.
        int rounds = 0;
        QStringList problems;
        const QList<QStringList> queries{
            {QStringLiteral("search"), QStringLiteral("consignment weighed at dock"), QStringLiteral("--k"), QStringLiteral("5")},
            {QStringLiteral("search"), QStringLiteral("crates held at the dock"), QStringLiteral("--mode"), QStringLiteral("vector")},
            {QStringLiteral("ask"), QStringLiteral("Which consignment was weighed at dock 3?")}};
        const auto running = [&] { return importers[0].state() != QProcess::NotRunning || importers[1].state() != QProcess::NotRunning; };
        while (rounds < kMaxSearchRounds && (running() || rounds < 3)) {
            for (const QStringList &query : queries) {
                const auto r = runCli(QStringList{QStringLiteral("--library"), lib} + query);
                const QString said = QString::fromUtf8(r.out + r.err);
                if (r.exitCode != 0 || r.crashed)
                    problems << QStringLiteral("%1 exited %2: %3").arg(query.first()).arg(r.exitCode).arg(said);
                else if (said.contains(kRawDatabaseText))
                    problems << QStringLiteral("%1 said: %2").arg(query.first(), said);
            }
            ++rounds;
            // Lets QProcess notice that an importer ended.
            for (QProcess &p : importers)
                p.waitForFinished(0);
        }
        for (QProcess &p : importers)
            QVERIFY(p.state() == QProcess::NotRunning || p.waitForFinished(300000));
        qInfo("both imports done in %lld ms; %d search/ask rounds ran beside them", timer.elapsed(), rounds);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
        for (int i = 0; i < 2; ++i) {
            const QByteArray said = test::readFile(dir.filePath(QStringLiteral("import%1.out").arg(i))) + test::readFile(dir.filePath(QStringLiteral("import%1.err").arg(i)));
            QVERIFY2(importers[i].exitStatus() == QProcess::NormalExit && importers[i].exitCode() == 0, said.constData());
            QVERIFY2(!QString::fromUtf8(said).contains(kRawDatabaseText), said.constData());
        }

        // Nothing lost: every file is one ready document, with all its vectors.
        const QJsonArray docs = listJson(lib);
        QCOMPARE(docs.size(), files);
        QSet<QString> hashes;
        for (const QJsonValue &v : docs) {
            QVERIFY2(v[QStringLiteral("status")].toString() == QLatin1String("ready"), qPrintable(v[QStringLiteral("name")].toString()));
            QVERIFY(v[QStringLiteral("chunks")].toInt() > 0);
            QCOMPARE(v[QStringLiteral("vectors_pending")].toInt(), 0);
            hashes.insert(v[QStringLiteral("sha256")].toString());
        }
        QCOMPARE(hashes.size(), files);

        // One set of passages everywhere: chunks, keyword index, vectors, and the vector index file
        // as the processes left it (read before any further search could repair it).
        const qint64 chunks = test::libraryScalar(lib, QStringLiteral("SELECT COUNT(*) FROM chunks"));
        QVERIFY(chunks >= files);
        QCOMPARE(test::libraryScalar(lib, QStringLiteral("SELECT COUNT(*) FROM chunks_fts_docsize")), chunks);
        QCOMPARE(test::libraryScalar(lib, QStringLiteral("SELECT COUNT(*) FROM embeddings WHERE embedder_id LIKE 'builtin-%'")), chunks);
        const QStringList manifests = QDir(lib + QStringLiteral("/vectors")).entryList({QStringLiteral("builtin-*.manifest.json")}, QDir::Files);
        QCOMPARE(manifests.size(), 1);
        const QJsonObject manifest = QJsonDocument::fromJson(test::readFile(lib + QStringLiteral("/vectors/") + manifests.first())).object();
        QCOMPARE(manifest.value(QStringLiteral("count")).toInteger(), chunks);
        QCOMPARE(QDir(lib + QStringLiteral("/vectors")).entryList(QDir::Files | QDir::Hidden).size(), 2); // no temporary files left

        // Then many short imports at once, each of which embeds its one passage and saves the vector
        // index as its last step: the file must end up holding every one of them.
        const QString late = dir.filePath(QStringLiteral("late"));
        QVERIFY(QDir().mkpath(late));
        QProcess lateImports[kLateImports];
        for (int i = 0; i < kLateImports; ++i) {
            const QString phrase = codeword(i + 300, 7) + QLatin1Char(' ') + codeword(i + 311, 9);
            const QString file = QStringLiteral("late-%1.txt").arg(i);
            QVERIFY(test::writeFile(late + QLatin1Char('/') + file,
                              QStringLiteral("Late ledger %1\n\nThe %2 consignment came after closing time.\n").arg(i).arg(phrase).toUtf8()));
            notes.append({file, phrase});
            lateImports[i].setProcessChannelMode(QProcess::MergedChannels);
        }
        for (int i = 0; i < kLateImports; ++i)
            lateImports[i].start(QStringLiteral(DOCSIGHT_CLI_PATH), {QStringLiteral("--library"), lib, QStringLiteral("import"),
                                                                     late + QStringLiteral("/late-%1.txt").arg(i)});
        for (QProcess &p : lateImports)
            p.waitForFinished(120000);
        for (QProcess &p : lateImports) {
            QVERIFY(p.state() == QProcess::NotRunning);
            const QByteArray said = p.readAll();
            QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0, said.constData());
            QVERIFY2(!QString::fromUtf8(said).contains(kRawDatabaseText), said.constData());
        }
        const qint64 allChunks = test::libraryScalar(lib, QStringLiteral("SELECT COUNT(*) FROM chunks"));
        QCOMPARE(allChunks, chunks + kLateImports);
        QCOMPARE(test::libraryScalar(lib, QStringLiteral("SELECT COUNT(*) FROM embeddings WHERE embedder_id LIKE 'builtin-%'")), allChunks);
        const QJsonObject saved = QJsonDocument::fromJson(test::readFile(lib + QStringLiteral("/vectors/") + manifests.first())).object();
        QCOMPARE(saved.value(QStringLiteral("count")).toInteger(), allChunks);
        QCOMPARE(QDir(lib + QStringLiteral("/vectors")).entryList(QDir::Files | QDir::Hidden).size(), 2);

        // Search by meaning finds every note, from any importer, in the index as it was saved.
        for (qsizetype i = 0; i < notes.size(); ++i) {
            const auto r = runCli({QStringLiteral("--library"), lib, QStringLiteral("search"), notes.at(i).phrase, QStringLiteral("--mode"),
                                   QStringLiteral("vector"), QStringLiteral("--k"), QStringLiteral("1"), QStringLiteral("--json")});
            QVERIFY2(r.exitCode == 0, r.err.constData());
            if (i == 0)
                QVERIFY2(!r.err.contains("rebuilding vector index") && !r.err.contains("repaired vector index"), r.err.constData());
            const QJsonArray results = QJsonDocument::fromJson(r.out).object().value(QLatin1String("results")).toArray();
            QVERIFY2(!results.isEmpty(), qPrintable(notes.at(i).phrase));
            QCOMPARE(results.first()[QLatin1String("document")].toString(), notes.at(i).file);
        }
        const auto audit = runCli({QStringLiteral("--library"), lib, QStringLiteral("audit"), QStringLiteral("verify")});
        QVERIFY2(audit.exitCode == 0, audit.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestConcurrentUse)
#include "tst_concurrentuse.moc"
