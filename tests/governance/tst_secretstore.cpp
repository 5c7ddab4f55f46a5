// API keys against the real Secret Service (scripts/test.sh runs the suite in a private D-Bus session
// with an unlocked gnome-keyring), and proof that a key used by the CLI lands nowhere else.
#include "governance/secretstore.h"

#include "keyringfixture.h"
#include "../llm/providerfixtures.h"
#include "testsupport.h"

#include <memory>

#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace docsight;
using namespace docsight::test;

namespace {

QString randomHex(int words)
{
    QString hex;
    for (int i = 0; i < words; ++i)
        hex += QStringLiteral("%1").arg(QRandomGenerator::system()->generate(), 8, 16, QLatin1Char('0'));
    return hex;
}

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runCliWith(const QProcessEnvironment &env, const QStringList &arguments, const QByteArray &input = {})
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(DOCSIGHT_CLI_PATH), arguments);
    Run r;
    if (!p.waitForStarted(10000))
        return r;
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(120000))
        p.kill();
    p.waitForFinished(5000);
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

} // namespace

class TestSecretStore final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
            QSKIP("needs a D-Bus session with a Secret Service: run the suite through scripts/test.sh");
        QString why;
        QVERIFY2(ensureUnlockedDefaultKeyring(&why), qPrintable(why));
        // A service of its own, so a developer's real keys are never touched.
        m_service = QStringLiteral("Docsight-test-") + randomHex(2);
        qputenv("DOCSIGHT_KEYCHAIN_SERVICE", m_service.toUtf8());
        qunsetenv("OPENAI_API_KEY");
        qunsetenv("ANTHROPIC_API_KEY");
    }

    void cleanupTestCase()
    {
        if (m_service.isEmpty())
            return;
        const SecretStore store(m_service);
        for (const QString &provider : SecretStore::providers())
            store.removeBlocking(provider);
    }

    void keyRoundTripsThroughTheSecretService()
    {
        const SecretStore store(m_service);
        QCOMPARE(store.service(), m_service);
        const QString key = QStringLiteral("sk-roundtrip-") + randomHex(4);
        const SecretOutcome written = store.writeBlocking(QStringLiteral("anthropic"), key);
        QVERIFY2(written.ok(), qPrintable(written.message));
        const SecretOutcome read = store.readBlocking(QStringLiteral("anthropic"));
        QVERIFY2(read.ok(), qPrintable(read.message));
        QCOMPARE(read.secret, key);
        QVERIFY(!read.fromEnvironment);

        const QString replaced = QStringLiteral("sk-replaced-") + randomHex(4);
        QVERIFY(store.writeBlocking(QStringLiteral("anthropic"), replaced).ok());
        QCOMPARE(store.readBlocking(QStringLiteral("anthropic")).secret, replaced);

        QVERIFY(store.removeBlocking(QStringLiteral("anthropic")).ok());
        const SecretOutcome gone = store.readBlocking(QStringLiteral("anthropic"));
        QCOMPARE(gone.status, SecretStatus::NotFound);
        QVERIFY(gone.secret.isEmpty());
        QVERIFY(!gone.message.contains(replaced));
    }

    void blockingReadWorksFromAWorkerThread()
    {
        const SecretStore store(m_service);
        const QString key = QStringLiteral("sk-worker-") + randomHex(4);
        QVERIFY(store.writeBlocking(QStringLiteral("openai-compatible"), key).ok());
        SecretOutcome fromWorker;
        std::unique_ptr<QThread> worker(QThread::create([&] { fromWorker = store.readBlocking(QStringLiteral("openai-compatible")); }));
        worker->start();
        // The job itself runs on this (the main) thread, whose event loop QTRY keeps turning.
        QTRY_VERIFY_WITH_TIMEOUT(worker->isFinished(), 30000);
        worker->wait();
        QVERIFY2(fromWorker.ok(), qPrintable(fromWorker.message));
        QCOMPARE(fromWorker.secret, key);
        QVERIFY(store.removeBlocking(QStringLiteral("openai-compatible")).ok());
    }

    void asynchronousReadAnswersOnTheCallersThread()
    {
        const SecretStore store(m_service);
        QVERIFY(store.writeBlocking(QStringLiteral("openai"), QStringLiteral("sk-async-1234567890")).ok());
        QObject context;
        std::optional<SecretOutcome> outcome;
        Qt::HANDLE thread = nullptr;
        store.read(QStringLiteral("openai"), &context, [&](const SecretOutcome &o) {
            outcome = o;
            thread = QThread::currentThreadId();
        });
        QVERIFY(!outcome); // never synchronously
        QTRY_VERIFY_WITH_TIMEOUT(outcome.has_value(), 30000);
        QCOMPARE(outcome->secret, QStringLiteral("sk-async-1234567890"));
        QCOMPARE(thread, QThread::currentThreadId());
        QVERIFY(store.removeBlocking(QStringLiteral("openai")).ok());
    }

    void environmentVariableOverridesTheKeychain()
    {
        const SecretStore store(m_service);
        QVERIFY(store.writeBlocking(QStringLiteral("openai"), QStringLiteral("sk-from-keychain-123456")).ok());
        qputenv("OPENAI_API_KEY", "sk-from-environment-123456");
        const SecretOutcome env = store.apiKey(QStringLiteral("openai"));
        qunsetenv("OPENAI_API_KEY");
        QVERIFY(env.ok());
        QVERIFY(env.fromEnvironment);
        QCOMPARE(env.secret, QStringLiteral("sk-from-environment-123456"));
        const SecretOutcome stored = store.apiKey(QStringLiteral("openai"));
        QVERIFY(!stored.fromEnvironment);
        QCOMPARE(stored.secret, QStringLiteral("sk-from-keychain-123456"));
        QVERIFY(store.removeBlocking(QStringLiteral("openai")).ok());
    }

    void cliKeyNeverLandsInFilesSettingsOrLogs()
    {
        QTemporaryDir root;
        QVERIFY(root.isValid());
        const QString home = root.filePath(QStringLiteral("home"));
        const QString lib = root.filePath(QStringLiteral("lib"));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), home);
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/.config"));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/.local/share"));
        env.insert(QStringLiteral("XDG_CACHE_HOME"), home + QStringLiteral("/.cache"));
        env.insert(QStringLiteral("XDG_STATE_HOME"), home + QStringLiteral("/.local/state"));
        env.insert(QStringLiteral("DOCSIGHT_KEYCHAIN_SERVICE"), m_service);
        env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("docsight.*=true")); // every log line, to stderr
        env.insert(QStringLiteral("DOCSIGHT_VERBOSE"), QStringLiteral("1"));
        env.remove(QStringLiteral("OPENAI_API_KEY"));
        env.remove(QStringLiteral("ANTHROPIC_API_KEY"));
        env.remove(QStringLiteral("DOCSIGHT_LIBRARY"));

        const QString key = QStringLiteral("sk-proj-leakcheck-") + randomHex(6);
        const QByteArray keyBytes = key.toUtf8();
        LoopbackServer server;
        server.setHandler([keyBytes](const LoopbackRequest &req) {
            if (req.header("authorization") != "Bearer " + keyBytes)
                return LoopbackResponse::json(401, openAiBadKeyBody(req.header("authorization")));
            if (req.path == "/v1/models")
                return LoopbackResponse::json(200, R"({"object":"list","data":[{"id":"gpt-4o-mini","object":"model"}]})");
            return LoopbackResponse::sse(openAiStream({QStringLiteral("A test only [S1].")}));
        });
        const QString baseUrl = server.url(QStringLiteral("/v1")).toString();

        QList<Run> runs;
        const auto run = [&](const QStringList &args, const QByteArray &input = {}) {
            runs << runCliWith(env, args, input);
            return runs.constLast();
        };
        const Run set = run({QStringLiteral("keys"), QStringLiteral("set"), QStringLiteral("openai")}, keyBytes + "\n");
        QVERIFY2(set.exitCode == 0, set.err.constData());
        const Run status = run({QStringLiteral("keys"), QStringLiteral("status")});
        QVERIFY2(status.out.contains("openai\tkey in the system keychain"), status.out.constData());
        QVERIFY(status.out.contains("anthropic\tno key"));
        QCOMPARE(run({QStringLiteral("--library"), lib, QStringLiteral("import"), corpusPath(QStringLiteral("pdf/a-text.pdf"))}).exitCode, 0);

        const Run asked = run({QStringLiteral("--library"), lib, QStringLiteral("ask"), QStringLiteral("Is this a test?"),
                               QStringLiteral("--provider"), QStringLiteral("openai"), QStringLiteral("--base-url"), baseUrl,
                               QStringLiteral("--json")});
        QVERIFY2(asked.exitCode == 0, asked.err.constData());
        QVERIFY(asked.err.contains("docsight.")); // logging was really on
        QCOMPARE(server.requests().constLast().header("authorization"), "Bearer " + keyBytes); // the key was really used
        QCOMPARE(run({QStringLiteral("models"), QStringLiteral("--provider"), QStringLiteral("openai"),
                      QStringLiteral("--base-url"), baseUrl}).out, QByteArray("gpt-4o-mini\n"));

        // A server echoing the key it was sent (here: the wrong one, from the environment) must not make us print it.
        QProcessEnvironment wrong = env;
        const QByteArray wrongKey = "sk-proj-wrongkey-" + randomHex(4).toUtf8();
        wrong.insert(QStringLiteral("OPENAI_API_KEY"), QString::fromUtf8(wrongKey));
        const Run rejected = runCliWith(wrong, {QStringLiteral("--library"), lib, QStringLiteral("ask"), QStringLiteral("Is this a test?"),
                                                QStringLiteral("--provider"), QStringLiteral("openai"), QStringLiteral("--base-url"), baseUrl});
        QCOMPARE(rejected.exitCode, 1);
        QVERIFY(rejected.err.contains("rejected the API key"));
        QVERIFY(!rejected.err.contains(wrongKey) && !rejected.out.contains(wrongKey));

        QVERIFY(run({QStringLiteral("keys"), QStringLiteral("delete"), QStringLiteral("openai")}).exitCode == 0);
        QVERIFY(run({QStringLiteral("keys"), QStringLiteral("status")}).out.contains("openai\tno key"));
        QCOMPARE(SecretStore(m_service).readBlocking(QStringLiteral("openai")).status, SecretStatus::NotFound);

        for (const Run &r : std::as_const(runs)) {
            QVERIFY2(!r.out.contains(keyBytes), r.out.constData());
            QVERIFY2(!r.err.contains(keyBytes), r.err.constData());
        }
        // Every file the runs left: the library (database, WAL, copies), settings, caches, the default library.
        const QByteArray keyUtf16(reinterpret_cast<const char *>(key.utf16()), key.size() * 2);
        int files = 0;
        QDirIterator it(root.path(), QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile f(it.next());
            QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(f.fileName()));
            const QByteArray bytes = f.readAll();
            QVERIFY2(!bytes.contains(keyBytes) && !bytes.contains(keyUtf16), qPrintable(f.fileName()));
            ++files;
        }
        QVERIFY2(files >= 3, qPrintable(QString::number(files)));
        QVERIFY(QFile::exists(lib + QStringLiteral("/library.sqlite3")));
    }

private:
    QString m_service;
};

QTEST_GUILESS_MAIN(TestSecretStore)
#include "tst_secretstore.moc"
