// Restricted text never reaches a cloud service, whatever address the service is reached at: the real
// docsight-cli asks real questions of a loopback server speaking OpenAI's and Anthropic's wire formats, and
// every byte the server received is searched for the Restricted document's text. The openai-compatible
// rows show the check can see Restricted text when it is sent (a loopback model server is local), so the
// zero counts of the other rows mean something.
#include "testsupport.h"

#include "../llm/providerfixtures.h"

#include <array>
#include <cmath>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QRegularExpression>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace docsight;
using namespace docsight::test;

namespace {

// Eight-word runs of a text, lower-cased with punctuation and spacing folded, for "was this text sent?".
QSet<QString> shingles(const QString &text, int n = 8)
{
    static const QRegularExpression nonWord(QStringLiteral("[^\\p{L}\\p{N}]+"));
    const QStringList words = text.toLower().split(nonWord, Qt::SkipEmptyParts);
    QSet<QString> out;
    for (qsizetype i = 0; i + n <= words.size(); ++i)
        out.insert(words.mid(i, n).join(QLatin1Char(' ')));
    return out;
}

// Every string value in a JSON request body (system prompt, messages, content blocks), joined.
void collectStrings(const QJsonValue &v, QStringList *out)
{
    if (v.isString()) {
        out->append(v.toString());
    } else if (v.isArray()) {
        for (const QJsonValue &e : v.toArray())
            collectStrings(e, out);
    } else if (v.isObject()) {
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            collectStrings(it.value(), out);
    }
}

LoopbackResponse embeddingsResponse(const LoopbackRequest &request);

// A loopback stand-in for a cloud service (or a tunnel to one) in the provider's real streaming format.
struct Service {
    enum class Wire { OpenAi, Anthropic };
    explicit Service(Wire wire)
    {
        server.setHandler([wire](const LoopbackRequest &) {
            const QStringList pieces{QStringLiteral("The answer is in the sources "), QStringLiteral("[S1].")};
            return LoopbackResponse::sse(wire == Wire::OpenAi ? openAiStream(pieces) : anthropicStream(pieces));
        });
    }
    QString baseUrl() const { return server.url(QStringLiteral("/v1")).toString(); }
    // Answers POST /v1/embeddings in OpenAI's format instead: a vector per input, from its words.
    void serveEmbeddings()
    {
        server.setHandler([](const LoopbackRequest &request) { return embeddingsResponse(request); });
    }
    // The words of everything the service was sent.
    QString receivedText() const
    {
        QStringList strings;
        for (const LoopbackRequest &r : server.requests())
            collectStrings(r.json(), &strings);
        return strings.join(QLatin1Char('\n'));
    }
    LoopbackServer server;
};

// The real /v1/embeddings answer: one unit vector per input from hashed words, so similar passages are near.
LoopbackResponse embeddingsResponse(const LoopbackRequest &request)
{
    constexpr int kDims = 16;
    static const QRegularExpression nonWord(QStringLiteral("[^\\p{L}\\p{N}]+"));
    const QJsonArray input = request.json().value(QLatin1String("input")).toArray();
    QJsonArray data;
    for (qsizetype i = 0; i < input.size(); ++i) {
        std::array<double, kDims> v{};
        v[0] = 1e-3;
        for (const QString &w : input.at(i).toString().toLower().split(nonWord, Qt::SkipEmptyParts))
            v[qHash(w) % kDims] += 1.0;
        double norm = 0;
        for (double x : v)
            norm += x * x;
        QJsonArray embedding;
        for (double x : v)
            embedding.append(x / std::sqrt(norm));
        data.append(QJsonObject{{QStringLiteral("object"), QStringLiteral("embedding")},
                                {QStringLiteral("index"), int(i)},
                                {QStringLiteral("embedding"), embedding}});
    }
    return LoopbackResponse::json(200, QJsonObject{{QStringLiteral("object"), QStringLiteral("list")},
                                                   {QStringLiteral("data"), data},
                                                   {QStringLiteral("model"), request.json().value(QLatin1String("model"))}});
}

} // namespace

class TestCloudBoundary final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_lib;
    qint64 m_restrictedId = 0;
    QSet<QString> m_restrictedShingles;

    QStringList lib(QStringList rest) const { return QStringList{QStringLiteral("--library"), m_lib} + rest; }

    // Asks through the CLI; returns how many of the Restricted document's eight-word runs the service saw.
    int restrictedRunsSent(const QString &provider, Service &service, QByteArray *output = nullptr)
    {
        const auto r = runCli(lib({QStringLiteral("ask"), QStringLiteral("How do I read data from a file into R?"),
                                   QStringLiteral("--provider"), provider, QStringLiteral("--base-url"), service.baseUrl(),
                                   QStringLiteral("--model"), QStringLiteral("m")}));
        if (output)
            *output = r.out + r.err;
        if (r.exitCode != 0)
            qWarning("ask exited %d: %s", r.exitCode, QByteArray(r.out + r.err).constData());
        if (service.server.requestCount() == 0)
            return -1; // nothing reached the server: the test could not see anything
        int sent = 0;
        for (const QString &s : shingles(service.receivedText()))
            sent += m_restrictedShingles.contains(s) ? 1 : 0;
        return sent;
    }

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("OPENAI_API_KEY", "sk-test-not-a-real-key");
        qputenv("ANTHROPIC_API_KEY", "sk-ant-test-not-a-real-key");
        QVERIFY(m_dir.isValid());
        m_lib = m_dir.filePath(QStringLiteral("lib"));
        auto r = runCli(lib({QStringLiteral("import"), QStringLiteral("--classification"), QStringLiteral("Restricted"),
                             corpusPath(QStringLiteral("pdf/R-intro.pdf"))}),
                        600000);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        // A Public note on the same subject, so a cloud provider has something it may see and is called.
        const QString note = m_dir.filePath(QStringLiteral("public-note.txt"));
        {
            QFile f(note);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("Reading data from a file into R\n\nOur team reads data files into R with read.table or read.csv; "
                    "the first line of the file holds the variable names.\n");
        }
        r = runCli(lib({QStringLiteral("import"), note}));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        r = runCli(lib({QStringLiteral("list"), QStringLiteral("--json")}));
        for (const QJsonValue v : QJsonDocument::fromJson(r.out).array()) {
            if (v[QLatin1String("classification")].toString().compare(QLatin1String("restricted"), Qt::CaseInsensitive) == 0)
                m_restrictedId = v[QLatin1String("id")].toInteger();
        }
        QVERIFY(m_restrictedId > 0);
        r = runCli(lib({QStringLiteral("text"), QString::number(m_restrictedId)}));
        QCOMPARE(r.exitCode, 0);
        m_restrictedShingles = shingles(QString::fromUtf8(r.out));
        QVERIFY2(m_restrictedShingles.size() > 10000, "R-intro.pdf should have a lot of text");
    }

    void openAiAtALoopbackAddressIsStillTheCloudAndSeesNoRestrictedText()
    {
        Service service(Service::Wire::OpenAi);
        QByteArray output;
        QCOMPARE(restrictedRunsSent(QStringLiteral("openai"), service, &output), 0);
        QVERIFY2(output.contains("withheld") && output.contains("R-intro.pdf"), output.constData());
    }

    void anthropicAtALoopbackAddressIsStillTheCloudAndSeesNoRestrictedText()
    {
        Service service(Service::Wire::Anthropic);
        QByteArray output;
        QCOMPARE(restrictedRunsSent(QStringLiteral("anthropic"), service, &output), 0);
        QVERIFY2(output.contains("withheld"), output.constData());
    }

    void aLoopbackModelServerIsLocalAndMaySeeRestrictedText()
    {
        Service service(Service::Wire::OpenAi);
        QVERIFY(restrictedRunsSent(QStringLiteral("openai-compatible"), service) > 20);
    }

    void anAddressMarkedCloudIsCloudEvenOnLoopbackUntilUnmarked()
    {
        Service service(Service::Wire::OpenAi);
        const QString mark = QStringLiteral("127.0.0.1:%1").arg(service.server.port());
        auto r = runCli(lib({QStringLiteral("policy"), QStringLiteral("--mark-cloud"), mark}));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains(QByteArray("Addresses marked cloud: " + mark.toUtf8())), r.out.constData());
        QByteArray output;
        QCOMPARE(restrictedRunsSent(QStringLiteral("openai-compatible"), service, &output), 0);
        QVERIFY2(output.contains("withheld"), output.constData());

        // Another port of the same host is not marked; a mark without a port covers every port.
        Service other(Service::Wire::OpenAi);
        QVERIFY(restrictedRunsSent(QStringLiteral("openai-compatible"), other) > 0);
        r = runCli(lib({QStringLiteral("policy"), QStringLiteral("--mark-cloud"), QStringLiteral("http://127.0.0.1/v1")}));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        Service third(Service::Wire::OpenAi);
        QCOMPARE(restrictedRunsSent(QStringLiteral("openai-compatible"), third), 0);

        r = runCli(lib({QStringLiteral("policy"), QStringLiteral("--unmark-cloud"), mark}));
        QCOMPARE(r.exitCode, 0);
        r = runCli(lib({QStringLiteral("policy"), QStringLiteral("--unmark-cloud"), QStringLiteral("127.0.0.1")}));
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("Addresses marked cloud: none"), r.out.constData());
        Service again(Service::Wire::OpenAi);
        QVERIFY(restrictedRunsSent(QStringLiteral("openai-compatible"), again) > 0);

        // Marks that are not addresses are refused with the reason; unmarking what is not marked says so.
        r = runCli(lib({QStringLiteral("policy"), QStringLiteral("--mark-cloud"), QStringLiteral("gateway:99999")}));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("between 1 and 65535"), r.err.constData());
        r = runCli(lib({QStringLiteral("policy"), QStringLiteral("--unmark-cloud"), QStringLiteral("gateway.corp")}));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("is not marked cloud"), r.err.constData());

        // Every policy change is in the audit trail, which still verifies.
        r = runCli(lib({QStringLiteral("audit"), QStringLiteral("verify")}));
        QVERIFY2(r.exitCode == 0, QByteArray(r.out + r.err).constData());
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("audit"));
            db.setDatabaseName(m_lib + QStringLiteral("/library.sqlite3"));
            QVERIFY(db.open());
            QSqlQuery q(QStringLiteral("SELECT count(*) FROM audit_events WHERE kind = 'policy.changed'"), db);
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toInt(), 4);
        }
        QSqlDatabase::removeDatabase(QStringLiteral("audit"));
    }

    // Embedding sends passages too: an embedding server the policy calls cloud gets no Restricted passage and
    // Confidential ones with personal data redacted, becomes the one search uses all the same (the withheld
    // passages are found by keyword), and the run is audited. Unmarked, the loopback server is local and then
    // receives the Restricted text, which shows the count can see it. Last: it changes the library's embedder.
    void aCloudEmbeddingServerIsNeverGivenRestrictedPassages()
    {
        const QString confidential = m_dir.filePath(QStringLiteral("client-call.txt"));
        {
            QFile f(confidential);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("Client call notes\n\nThe client asked how to read data files into R; reply to "
                    "jane.doe@example.com before Friday.\n");
        }
        auto r = runCli(lib({QStringLiteral("import"), QStringLiteral("--classification"), QStringLiteral("Confidential"),
                             confidential}));
        QVERIFY2(r.exitCode == 0, r.err.constData());

        Service service(Service::Wire::OpenAi);
        service.serveEmbeddings();
        const QString mark = QStringLiteral("127.0.0.1:%1").arg(service.server.port());
        r = runCli(lib({QStringLiteral("policy"), QStringLiteral("--mark-cloud"), mark}));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QStringList embedder{QStringLiteral("--embedder"), QStringLiteral("openai-compatible"),
                                   QStringLiteral("--base-url"), service.baseUrl(), QStringLiteral("--model"),
                                   QStringLiteral("embed-m")};
        r = runCli(lib(QStringList{QStringLiteral("search"), QStringLiteral("read data from a file"),
                                   QStringLiteral("--json")} + embedder), 300000);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.err.contains("withheld") && r.err.contains("Restricted passage(s)") && r.err.contains("marked cloud"),
                 r.err.constData());
        QVERIFY2(r.err.contains("redacted personal data in 1 passage(s)"), r.err.constData());
        QVERIFY(service.server.requestCount() > 0);
        const QString received = service.receivedText();
        int sent = 0;
        for (const QString &run : shingles(received))
            sent += m_restrictedShingles.contains(run) ? 1 : 0;
        QCOMPARE(sent, 0);
        QVERIFY2(received.contains(QLatin1String("Our team reads data files into R")), "the Public note was not embedded");
        QVERIFY(!received.contains(QLatin1String("jane.doe@example.com")));
        QVERIFY(received.contains(QLatin1String("[EMAIL_1]")));
        // The gated embedder is complete without the withheld passages, so search uses it.
        const QJsonObject found = QJsonDocument::fromJson(r.out).object();
        QVERIFY2(found.value(QLatin1String("embedder")).toString().startsWith(QLatin1String("openai-compatible-embed-m")),
                 r.out.constData());
        bool restrictedFound = false;
        for (const QJsonValue v : found.value(QLatin1String("results")).toArray())
            restrictedFound = restrictedFound || v[QLatin1String("document_id")].toInteger() == m_restrictedId;
        QVERIFY2(restrictedFound, "the Restricted manual should still be found by keyword");

        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("embedaudit"));
            db.setDatabaseName(m_lib + QStringLiteral("/library.sqlite3"));
            QVERIFY(db.open());
            QSqlQuery q(QStringLiteral("SELECT payload FROM audit_events WHERE kind = 'embeddings.sent'"), db);
            QVERIFY(q.next());
            const QJsonObject payload = QJsonDocument::fromJson(q.value(0).toByteArray()).object();
            QVERIFY(payload.value(QLatin1String("passages_sent")).toInt() >= 2);
            QCOMPARE(payload.value(QLatin1String("passages_redacted")).toInt(), 1);
            QVERIFY(payload.value(QLatin1String("passages_withheld")).toInt() > 100);
            QCOMPARE(payload.value(QLatin1String("trust")).toString(), QStringLiteral("cloud"));
            QSqlQuery v(QStringLiteral("SELECT count(*) FROM embeddings e JOIN chunks c ON c.id = e.chunk_id "
                                       "WHERE c.document_id = %1 AND e.embedder_id LIKE 'openai-compatible-%'")
                            .arg(m_restrictedId),
                        db);
            QVERIFY(v.next());
            QCOMPARE(v.value(0).toInt(), 0);
        }
        QSqlDatabase::removeDatabase(QStringLiteral("embedaudit"));

        // Unmarked, the same loopback server is local and is given the Restricted passages.
        r = runCli(lib({QStringLiteral("policy"), QStringLiteral("--unmark-cloud"), mark}));
        QCOMPARE(r.exitCode, 0);
        Service local(Service::Wire::OpenAi);
        local.serveEmbeddings();
        QStringList localEmbedder = embedder;
        localEmbedder[3] = local.baseUrl();
        r = runCli(lib(QStringList{QStringLiteral("search"), QStringLiteral("read data from a file")} + localEmbedder),
                   300000);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(!r.err.contains("withheld"), r.err.constData());
        int seen = 0;
        for (const QString &run : shingles(local.receivedText()))
            seen += m_restrictedShingles.contains(run) ? 1 : 0;
        QVERIFY2(seen > 1000, qPrintable(QString::number(seen)));
        r = runCli(lib({QStringLiteral("audit"), QStringLiteral("verify")}));
        QVERIFY2(r.exitCode == 0, QByteArray(r.out + r.err).constData());
    }
};

QTEST_GUILESS_MAIN(TestCloudBoundary)
#include "tst_cloudboundary.moc"
