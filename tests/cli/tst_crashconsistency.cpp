// A kill -9 at any moment leaves a library that is consistent and that the same command finishes:
// an import of mixed documents (text PDFs, a scan that needs OCR, a Word file and a folder of small
// notes) killed at 20 moments spread over its run, a re-read with OCR on every page and a report
// export killed at a few (and the export also just as its PDF starts being written). The moments
// are pseudo-random from a fixed seed, printed so a failure can be replayed; they are spread over
// the duration of a clean run measured first.
#include "testsupport.h"

#include <csignal>

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
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

constexpr quint32 kSeed = 20261203;
constexpr int kImportKills = 20;
constexpr int kReimportKills = 4;
constexpr int kExportKills = 4;
constexpr int kNotes = 150;
constexpr int kReportNotes = 120;

QStringList column(const QString &lib, const QString &sql)
{
    static int next = 0;
    const QString name = QStringLiteral("column%1").arg(++next);
    QStringList values;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(lib + QStringLiteral("/library.sqlite3"));
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(sql)) {
                while (q.next())
                    values.append(q.value(0).toString());
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return values;
}

struct Killed {
    bool killed = false; // false: it had already finished when its moment came
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// Starts docsight-cli and sends it SIGKILL delayMs after the start.
Killed runAndKill(const QStringList &arguments, int delayMs, const QString &killWhenExists = {})
{
    Killed k;
    QProcess p;
    p.start(QStringLiteral(DOCSIGHT_CLI_PATH), arguments);
    if (!p.waitForStarted(10000))
        return k;
    QElapsedTimer timer;
    timer.start();
    p.closeWriteChannel();
    // Either at the moment, or as soon as the file appears.
    bool running = true;
    if (killWhenExists.isEmpty()) {
        running = !p.waitForFinished(delayMs);
    } else {
        while (running && !QFileInfo::exists(killWhenExists) && timer.elapsed() < 60000)
            running = !p.waitForFinished(1);
    }
    if (running) {
        ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
        p.waitForFinished(10000);
        k.killed = p.exitStatus() == QProcess::CrashExit;
    }
    k.exitCode = p.exitCode();
    k.out = p.readAllStandardOutput();
    k.err = p.readAllStandardError();
    return k;
}

// Moments spread over [0, durationMs): one in each of n equal slices, at a random place in it.
QList<int> killMoments(QRandomGenerator &random, int n, qint64 durationMs)
{
    QList<int> moments;
    for (int i = 0; i < n; ++i)
        moments.append(static_cast<int>(durationMs * (i + random.generateDouble()) / n));
    return moments;
}

const QString kEmbeddingsOfBuiltin = QStringLiteral("SELECT COUNT(*) FROM embeddings WHERE embedder_id LIKE 'builtin-%'");

// Everything that must hold at any moment, even right after a kill. Empty when all holds.
// pendingVectors counts the ready documents whose passages are not embedded yet (an import killed
// between its documents' completion and the embedding step at its end; list says so, and the next
// import or search embeds them).
QStringList consistencyProblems(const QString &lib, int files, int *pendingVectors = nullptr)
{
    QStringList problems;
    const auto listed = runCli({QStringLiteral("--library"), lib, QStringLiteral("list"), QStringLiteral("--json")});
    if (listed.exitCode != 0)
        problems << QStringLiteral("list failed: ") + QString::fromUtf8(listed.err);
    const QJsonArray docs = QJsonDocument::fromJson(listed.out).array();
    if (docs.size() > files)
        problems << QStringLiteral("%1 documents from %2 files").arg(docs.size()).arg(files);
    QSet<QString> hashes;
    int pending = 0;
    for (const QJsonValue &v : docs) {
        const QJsonObject d = v.toObject();
        const QString name = d.value(QStringLiteral("name")).toString();
        const QString status = d.value(QStringLiteral("status")).toString();
        const qint64 id = d.value(QStringLiteral("id")).toInteger();
        const QString sha = d.value(QStringLiteral("sha256")).toString();
        if (hashes.contains(sha))
            problems << QStringLiteral("%1 is in the library twice").arg(name);
        hashes.insert(sha);
        const qint64 chunks = test::libraryScalar(lib, QStringLiteral("SELECT COUNT(*) FROM chunks WHERE document_id = %1").arg(id));
        if (status == QLatin1String("ready")) {
            const qint64 pages = test::libraryScalar(lib, QStringLiteral("SELECT COUNT(*) FROM pages WHERE document_id = %1").arg(id));
            if (chunks <= 0 || d.value(QStringLiteral("chunks")).toInt() != chunks)
                problems << QStringLiteral("%1 is ready with %2 passages (list says %3)").arg(name).arg(chunks).arg(d.value(QStringLiteral("chunks")).toInt());
            if (pages != d.value(QStringLiteral("pages")).toInt())
                problems << QStringLiteral("%1 is ready with %2 of %3 pages").arg(name).arg(pages).arg(d.value(QStringLiteral("pages")).toInt());
            if (d.value(QStringLiteral("vectors_pending")).toInt() > 0)
                ++pending;
        } else if (status == QLatin1String("queued") || status == QLatin1String("importing")) {
            if (chunks != 0)
                problems << QStringLiteral("%1 is %2 but already has %3 passages").arg(name, status).arg(chunks);
        } else {
            problems << QStringLiteral("%1 is %2: %3").arg(name, status, d.value(QStringLiteral("error")).toString());
        }
    }
    const qint64 chunks = test::libraryScalar(lib, QStringLiteral("SELECT COUNT(*) FROM chunks"));
    const qint64 fts = test::libraryScalar(lib, QStringLiteral("SELECT COUNT(*) FROM chunks_fts_docsize"));
    if (chunks != fts)
        problems << QStringLiteral("%1 passages but %2 in the keyword index").arg(chunks).arg(fts);
    const qint64 embeddings = test::libraryScalar(lib, kEmbeddingsOfBuiltin);
    if (embeddings > chunks)
        problems << QStringLiteral("%1 vectors for %2 passages").arg(embeddings).arg(chunks);
    const qint64 unreadyVectors = test::libraryScalar(lib, QStringLiteral("SELECT COUNT(*) FROM embeddings e JOIN chunks c ON c.id = e.chunk_id "
                                                              "JOIN documents d ON d.id = c.document_id WHERE d.status != 'ready'"));
    if (unreadyVectors != 0)
        problems << QStringLiteral("%1 vectors of unfinished documents").arg(unreadyVectors);
    const auto audit = runCli({QStringLiteral("--library"), lib, QStringLiteral("audit"), QStringLiteral("verify")});
    if (audit.exitCode != 0)
        problems << QStringLiteral("audit verify: ") + QString::fromUtf8(audit.err);
    if (pendingVectors)
        *pendingVectors = pending;
    return problems;
}

// What must hold once a command has finished: every file a ready document with all its vectors,
// passages as a clean import has them, and the keyword index, vectors and vector index agreeing.
QStringList finishedProblems(const QString &lib, const QHash<QString, int> &cleanChunks)
{
    QStringList problems = consistencyProblems(lib, static_cast<int>(cleanChunks.size()));
    const QJsonArray docs = listJson(lib);
    if (docs.size() != cleanChunks.size())
        problems << QStringLiteral("%1 documents, a clean import has %2").arg(docs.size()).arg(cleanChunks.size());
    for (const QJsonValue &v : docs) {
        const QJsonObject d = v.toObject();
        const QString name = d.value(QStringLiteral("name")).toString();
        if (d.value(QStringLiteral("status")).toString() != QLatin1String("ready"))
            problems << name + QStringLiteral(" is not ready");
        if (d.value(QStringLiteral("vectors_pending")).toInt() != 0)
            problems << name + QStringLiteral(" has passages without vectors");
        const int expected = cleanChunks.value(d.value(QStringLiteral("sha256")).toString(), -1);
        if (d.value(QStringLiteral("chunks")).toInt() != expected)
            problems << QStringLiteral("%1 has %2 passages, a clean import %3").arg(name).arg(d.value(QStringLiteral("chunks")).toInt()).arg(expected);
    }
    const qint64 chunks = test::libraryScalar(lib, QStringLiteral("SELECT COUNT(*) FROM chunks"));
    const qint64 embeddings = test::libraryScalar(lib, kEmbeddingsOfBuiltin);
    if (embeddings != chunks)
        problems << QStringLiteral("%1 vectors for %2 passages").arg(embeddings).arg(chunks);
    // The vector index file holds exactly the embedded passages (its manifest is checked against the
    // file's hash when it is opened).
    const QStringList manifests = QDir(lib + QStringLiteral("/vectors")).entryList({QStringLiteral("builtin-*.manifest.json")}, QDir::Files);
    if (manifests.size() != 1) {
        problems << QStringLiteral("%1 vector index manifests").arg(manifests.size());
    } else {
        QFile f(lib + QStringLiteral("/vectors/") + manifests.first());
        const QJsonObject manifest = f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject();
        if (manifest.value(QStringLiteral("count")).toInteger() != chunks)
            problems << QStringLiteral("the vector index holds %1 of %2 passages").arg(manifest.value(QStringLiteral("count")).toInteger()).arg(chunks);
    }
    // One stored copy per document, and nothing half-written beside them.
    const QStringList copies = QDir(lib + QStringLiteral("/files")).entryList(QDir::Files | QDir::Hidden);
    QSet<QString> hashes;
    for (const QJsonValue &v : docs)
        hashes.insert(v[QStringLiteral("sha256")].toString());
    for (const QString &copy : copies) {
        if (!hashes.contains(copy.section(QLatin1Char('.'), 0, 0)) || copy.count(QLatin1Char('.')) != 1)
            problems << QStringLiteral("files/%1 is not a document's copy").arg(copy);
    }
    if (copies.size() != docs.size())
        problems << QStringLiteral("%1 stored copies for %2 documents").arg(copies.size()).arg(docs.size());
    return problems;
}

QHash<QString, int> chunksBySha(const QString &lib)
{
    QHash<QString, int> chunks;
    for (const QJsonValue &d : listJson(lib))
        chunks.insert(d[QStringLiteral("sha256")].toString(), d[QStringLiteral("chunks")].toInt());
    return chunks;
}

QByteArray sha256Hex(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&f);
    return hash.result().toHex();
}

} // namespace

class TestCrashConsistency final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        qInfo("kill moments from seed %u", kSeed);
    }

    void importKilledAtAnyMomentLeavesAConsistentLibraryThatTheNextImportFinishes()
    {
        QTemporaryDir dir;
        const QString notes = dir.filePath(QStringLiteral("notes"));
        QVERIFY(QDir().mkpath(notes));
        for (int i = 0; i < kNotes; ++i)
            QVERIFY(test::writeFile(notes + QStringLiteral("/note-%1.txt").arg(i, 3, 10, QLatin1Char('0')),
                              QStringLiteral("Depot note %1\n\nCrate %2 of the survey arrived at depot %3; %4 samples were logged.\n")
                                  .arg(i).arg(i * 31).arg(i % 17).arg(i * 7 + 3).toUtf8()));
        const QStringList paths{test::corpusPath(QStringLiteral("pdf/debian-refcard-en-a4.pdf")),
                                test::corpusPath(QStringLiteral("pdf/a-text.pdf")),
                                test::corpusPath(QStringLiteral("scans/phototest.tif")),
                                test::corpusPath(QStringLiteral("docx/test.docx")), notes};
        const int files = 4 + kNotes;
        const auto importInto = [&](const QString &lib) { return QStringList{QStringLiteral("--library"), lib, QStringLiteral("import")} + paths; };

        // A clean import: how long it takes, and what it gives.
        const QString clean = dir.filePath(QStringLiteral("clean"));
        QElapsedTimer timer;
        timer.start();
        const auto reference = runCli(importInto(clean), 300000);
        const qint64 duration = timer.elapsed();
        QVERIFY2(reference.exitCode == 0, reference.err.constData());
        const QHash<QString, int> cleanChunks = chunksBySha(clean);
        QCOMPARE(cleanChunks.size(), files);
        QVERIFY2(finishedProblems(clean, cleanChunks).isEmpty(), qPrintable(finishedProblems(clean, cleanChunks).join(QLatin1Char('\n'))));
        qInfo("clean import of %d files: %lld ms", files, duration);

        QRandomGenerator random(kSeed);
        const QList<int> moments = killMoments(random, kImportKills, duration);
        int killed = 0, withPendingVectors = 0, unfinished = 0;
        for (int round = 0; round < moments.size(); ++round) {
            const QString lib = dir.filePath(QStringLiteral("lib%1").arg(round));
            const Killed k = runAndKill(importInto(lib), moments.at(round));
            killed += k.killed ? 1 : 0;
            const QString where = QStringLiteral("kill %1 at %2 ms: ").arg(round + 1).arg(moments.at(round));
            if (!k.killed)
                QVERIFY2(k.exitCode == 0, qPrintable(where + QString::fromUtf8(k.err)));
            if (QFileInfo::exists(lib + QStringLiteral("/library.sqlite3"))) {
                int pending = 0;
                const QStringList problems = consistencyProblems(lib, files, &pending);
                QVERIFY2(problems.isEmpty(), qPrintable(where + problems.join(QStringLiteral("; "))));
                withPendingVectors += pending > 0 ? 1 : 0;
                unfinished += test::libraryScalar(lib, QStringLiteral("SELECT COUNT(*) FROM documents WHERE status != 'ready'")) > 0 ? 1 : 0;
            }
            // The same command again finishes what was interrupted, exactly as a clean import would.
            const auto again = runCli(importInto(lib), 60000);
            QVERIFY2(again.exitCode == 0, qPrintable(where + QString::fromUtf8(again.out + again.err)));
            const QStringList problems = finishedProblems(lib, cleanChunks);
            QVERIFY2(problems.isEmpty(), qPrintable(where + QStringLiteral("after the rerun: ") + problems.join(QStringLiteral("; "))));
            QDir(lib).removeRecursively();
        }
        qInfo("%d of %d imports killed (%d left unfinished documents, %d ready documents waiting for vectors); "
              "every one consistent and finished by the next import",
              killed, kImportKills, unfinished, withPendingVectors);
        QVERIFY(killed >= kImportKills / 2); // the moments fall inside the import, not after it
    }

    void reimportWithOcrKilledAtAnyMomentIsFinishedByRunningItAgain()
    {
        QTemporaryDir dir;
        const QString pdf = test::corpusPath(QStringLiteral("pdf/a-text.pdf"));
        const QString other = test::corpusPath(QStringLiteral("pdf/debian-refcard-en-a4.pdf"));
        const auto reimport = [](const QString &lib) {
            return QStringList{QStringLiteral("--library"), lib, QStringLiteral("reimport"), QStringLiteral("a-text.pdf"),
                               QStringLiteral("--force-ocr")};
        };
        const QString clean = dir.filePath(QStringLiteral("clean"));
        QCOMPARE(runCli({QStringLiteral("--library"), clean, QStringLiteral("import"), pdf, other}).exitCode, 0);
        QElapsedTimer timer;
        timer.start();
        const auto reference = runCli(reimport(clean));
        const qint64 duration = timer.elapsed();
        QVERIFY2(reference.exitCode == 0, reference.err.constData());
        const QHash<QString, int> cleanChunks = chunksBySha(clean);
        qInfo("clean re-read with OCR: %lld ms", duration);

        const QString lib = dir.filePath(QStringLiteral("lib"));
        QCOMPARE(runCli({QStringLiteral("--library"), lib, QStringLiteral("import"), pdf, other}).exitCode, 0);
        QRandomGenerator random(kSeed + 1);
        const QList<int> moments = killMoments(random, kReimportKills, duration);
        int killed = 0;
        for (int round = 0; round < moments.size(); ++round) {
            const QString where = QStringLiteral("kill %1 at %2 ms: ").arg(round + 1).arg(moments.at(round));
            const Killed k = runAndKill(reimport(lib), moments.at(round));
            killed += k.killed ? 1 : 0;
            const QStringList problems = consistencyProblems(lib, 2);
            QVERIFY2(problems.isEmpty(), qPrintable(where + problems.join(QStringLiteral("; "))));
            // What the analyst does next: the same command.
            const auto again = runCli(reimport(lib));
            QVERIFY2(again.exitCode == 0, qPrintable(where + QString::fromUtf8(again.out + again.err)));
            const QStringList finished = finishedProblems(lib, cleanChunks);
            QVERIFY2(finished.isEmpty(), qPrintable(where + QStringLiteral("after the rerun: ") + finished.join(QStringLiteral("; "))));
            QCOMPARE(test::libraryScalar(lib, QStringLiteral("SELECT COUNT(*) FROM pages p JOIN documents d ON d.id = p.document_id "
                                                "WHERE d.name = 'a-text.pdf' AND p.source = 'ocr'")),
                     2);
        }
        qInfo("%d of %d re-reads killed; each finished by running it again", killed, kReimportKills);
        QVERIFY(killed >= 1);
    }

    void reportExportKilledAtAnyMomentLeavesNoHalfWrittenReport()
    {
        QTemporaryDir dir;
        const QString lib = dir.filePath(QStringLiteral("lib"));
        // Enough documents and events for the report to take a while to lay out and write.
        const QString notes = dir.filePath(QStringLiteral("notes"));
        QVERIFY(QDir().mkpath(notes));
        for (int i = 0; i < kReportNotes; ++i)
            QVERIFY(test::writeFile(notes + QStringLiteral("/memo-%1.txt").arg(i, 3, 10, QLatin1Char('0')),
                              QStringLiteral("Memo %1\n\nThe audit of site %2 found %3 open items.\n").arg(i).arg(i % 11).arg(i * 3).toUtf8()));
        QCOMPARE(runCli({QStringLiteral("--library"), lib, QStringLiteral("import"), test::corpusPath(QStringLiteral("pdf/debian-refcard-en-a4.pdf")), notes}).exitCode, 0);
        QCOMPARE(runCli({QStringLiteral("--library"), lib, QStringLiteral("ask"), QStringLiteral("Which command installs a package?")}).exitCode, 0);
        QElapsedTimer timer;
        timer.start();
        const auto reference = runCli({QStringLiteral("--library"), lib, QStringLiteral("export-report"), dir.filePath(QStringLiteral("first.pdf"))});
        const qint64 duration = timer.elapsed();
        QVERIFY2(reference.exitCode == 0, reference.err.constData());
        qInfo("clean report export: %lld ms", duration);

        // A report at the path is one the audit trail records as exported, whole.
        const auto recorded = [&] {
            QSet<QByteArray> hashes;
            for (const QString &payload : column(lib, QStringLiteral("SELECT payload FROM audit_events WHERE kind = 'report.exported'")))
                hashes.insert(QJsonDocument::fromJson(payload.toUtf8()).object().value(QStringLiteral("pdf_sha256")).toString().toLatin1());
            return hashes;
        };
        const QString out = dir.filePath(QStringLiteral("report.pdf"));
        QRandomGenerator random(kSeed + 2);
        const QList<int> moments = killMoments(random, kExportKills, duration);
        int killed = 0, midWrite = 0;
        QByteArray previous; // the report an earlier run left at the path
        // The random moments, then twice the moment the PDF starts being written.
        for (int round = 0; round < moments.size() + 2; ++round) {
            const bool random = round < moments.size();
            const QString where = random ? QStringLiteral("kill %1 at %2 ms: ").arg(round + 1).arg(moments.at(round))
                                         : QStringLiteral("kill %1 as the PDF is written: ").arg(round + 1);
            const Killed k = runAndKill({QStringLiteral("--library"), lib, QStringLiteral("export-report"), out},
                                        random ? moments.at(round) : 0, random ? QString() : out + QStringLiteral(".part"));
            killed += k.killed ? 1 : 0;
            midWrite += QFileInfo::exists(out + QStringLiteral(".part")) ? 1 : 0; // killed while writing the PDF
            const QStringList problems = consistencyProblems(lib, 1 + kReportNotes);
            QVERIFY2(problems.isEmpty(), qPrintable(where + problems.join(QStringLiteral("; "))));
            if (QFileInfo::exists(out)) {
                const QByteArray sha = sha256Hex(out);
                // The earlier report, or a new one written whole and recorded.
                QVERIFY2(recorded().contains(sha), qPrintable(where + QStringLiteral("the report at the path is not one the audit trail recorded")));
            } else {
                QVERIFY2(previous.isEmpty(), qPrintable(where + QStringLiteral("the earlier report is gone")));
            }
            const auto again = runCli({QStringLiteral("--library"), lib, QStringLiteral("export-report"), out});
            QVERIFY2(again.exitCode == 0, qPrintable(where + QString::fromUtf8(again.err)));
            const QRegularExpressionMatch said = QRegularExpression(QStringLiteral("report sha256 ([0-9a-f]{64})")).match(QString::fromUtf8(again.out));
            QVERIFY2(said.hasMatch(), again.out.constData());
            previous = sha256Hex(out);
            QCOMPARE(QString::fromLatin1(previous), said.captured(1));
            QVERIFY(recorded().contains(previous));
            // Nothing else beside it: no half-written part left behind by the killed run.
            QCOMPARE(QDir(dir.path()).entryList({QStringLiteral("report.pdf*")}, QDir::Files | QDir::Hidden), QStringList{QStringLiteral("report.pdf")});
        }
        qInfo("%d of %d exports killed (%d while writing the PDF); no half-written report, each rerun succeeded", killed,
              kExportKills + 2, midWrite);
        QVERIFY(midWrite >= 2);
    }
};

QTEST_GUILESS_MAIN(TestCrashConsistency)
#include "tst_crashconsistency.moc"
