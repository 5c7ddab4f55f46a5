#include "search/openaiembedder.h"

#include "loopbackserver.h"

#include <algorithm>
#include <atomic>
#include <cmath>

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QTest>

using namespace docsight;
using namespace docsight::test;
using namespace std::chrono_literals;

namespace {

constexpr int kDims = 8;

// A deterministic, un-normalised vector per text, so results can be checked against their input.
QList<double> rawVector(const QString &text, int dims = kDims)
{
    const QByteArray h = QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256);
    QList<double> v;
    for (int i = 0; i < dims; ++i)
        v << (int(quint8(h.at(i % h.size()))) - 100) / 10.0;
    return v;
}

std::vector<float> normalised(const QList<double> &v)
{
    double norm = 0;
    for (double x : v)
        norm += x * x;
    norm = std::sqrt(norm);
    std::vector<float> out;
    for (double x : v)
        out.push_back(float(x / norm));
    return out;
}

// The real /v1/embeddings answer shape, with the items in reverse order (servers may reorder them).
LoopbackResponse embeddingsResponse(const LoopbackRequest &request, int dims = kDims)
{
    const QJsonArray input = request.json().value(QLatin1String("input")).toArray();
    QJsonArray data;
    for (qsizetype i = input.size() - 1; i >= 0; --i) {
        QJsonArray embedding;
        for (double x : rawVector(input.at(i).toString(), dims))
            embedding.append(x);
        data.append(QJsonObject{{QStringLiteral("object"), QStringLiteral("embedding")},
                                {QStringLiteral("index"), int(i)},
                                {QStringLiteral("embedding"), embedding}});
    }
    return LoopbackResponse::json(200, QJsonObject{{QStringLiteral("object"), QStringLiteral("list")},
                                                   {QStringLiteral("data"), data},
                                                   {QStringLiteral("model"), request.json().value(QLatin1String("model"))},
                                                   {QStringLiteral("usage"), QJsonObject{{QStringLiteral("prompt_tokens"), 5},
                                                                                         {QStringLiteral("total_tokens"), 5}}}});
}

OpenAiEmbedderSettings settingsFor(const LoopbackServer &server)
{
    OpenAiEmbedderSettings s;
    s.baseUrl = server.url(QStringLiteral("/v1"));
    s.model = QStringLiteral("nomic-embed-text:latest");
    s.policy.timeout = 5s;
    s.policy.idleTimeout = 5s;
    s.policy.backoffBase = 10ms;
    s.policy.backoffCap = 40ms;
    return s;
}

QStringList numberedTexts(int n)
{
    QStringList texts;
    for (int i = 0; i < n; ++i)
        texts << QStringLiteral("passage number %1 about topic %2").arg(i).arg(i % 7);
    return texts;
}

bool sameVector(const std::vector<float> &a, const std::vector<float> &b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (std::abs(a[i] - b[i]) > 1e-6f)
            return false;
    }
    return true;
}

} // namespace

// Slot bodies are defined below the class: Qt 6.4's moc loses count of braces inside raw string
// literals (the JSON bodies) when it skims inline function bodies.
class TestOpenAiEmbedder final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void batchesAndReturnsVectorsInInputOrder();
    void vectorsAreUnitLength();
    void learnsDimensionsAndBuildsAStableId();
    void sanitizesModelNames_data();
    void sanitizesModelNames();
    void retriesRateLimitHonouringRetryAfter();
    void retriesServerErrorThenSucceeds();
    void wrongDimensionsAreAClearError();
    void dimensionsChangingBetweenCallsAreAnError();
    void inconsistentDimensionsInOneResponseAreAnError();
    void wrongNumberOfEmbeddingsIsAnError();
    void sendsAuthorizationOnlyWithAKey();
    void rejectedKeyIsExplainedWithoutTheKey();
    void trailingSlashInBaseUrlIsTolerated();
    void emptyTextsAreSentAsASpace();
    void nothingToEmbedMakesNoRequest();
    void cancelledBeforeStartMakesNoRequest();
    void unreachableServerIsAClearError();
};

void TestOpenAiEmbedder::batchesAndReturnsVectorsInInputOrder()
{
    LoopbackServer server;
    server.setHandler([](const LoopbackRequest &r) { return embeddingsResponse(r); });
    OpenAiEmbedder embedder(settingsFor(server));
    QCOMPARE(embedder.dimensions(), 0);

    const QStringList texts = numberedTexts(150);
    const EmbedResult result = embedder.embed(texts, {});
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(result.vectors.size(), size_t(150));
    for (int i = 0; i < texts.size(); ++i)
        QVERIFY2(sameVector(result.vectors[size_t(i)], normalised(rawVector(texts.at(i)))), qPrintable(texts.at(i)));

    const QList<LoopbackRequest> requests = server.requests();
    QCOMPARE(requests.size(), 3);
    QList<qsizetype> sizes;
    for (const LoopbackRequest &r : requests) {
        QCOMPARE(r.method, QByteArray("POST"));
        QCOMPARE(r.path, QByteArray("/v1/embeddings"));
        QCOMPARE(r.header("content-type"), QByteArray("application/json"));
        QCOMPARE(r.json().value(QLatin1String("model")).toString(), QStringLiteral("nomic-embed-text:latest"));
        sizes << r.json().value(QLatin1String("input")).toArray().size();
    }
    QCOMPARE(sizes, (QList<qsizetype>{64, 64, 22}));
    QCOMPARE(requests.at(1).json().value(QLatin1String("input")).toArray().at(0).toString(), texts.at(64));
}

void TestOpenAiEmbedder::vectorsAreUnitLength()
{
    LoopbackServer server;
    server.setHandler([](const LoopbackRequest &r) { return embeddingsResponse(r); });
    OpenAiEmbedder embedder(settingsFor(server));
    const EmbedResult result = embedder.embed({QStringLiteral("alpha"), QStringLiteral("beta")}, {});
    QVERIFY2(result.ok(), qPrintable(result.error));
    for (const std::vector<float> &v : result.vectors) {
        double norm = 0;
        for (float x : v)
            norm += double(x) * double(x);
        QVERIFY(std::abs(norm - 1.0) < 1e-5);
    }
}

void TestOpenAiEmbedder::learnsDimensionsAndBuildsAStableId()
{
    LoopbackServer server;
    server.setHandler([](const LoopbackRequest &r) { return embeddingsResponse(r); });
    OpenAiEmbedder embedder(settingsFor(server));
    QVERIFY(embedder.probeDimensions({}).isEmpty());
    QCOMPARE(embedder.dimensions(), kDims);
    QCOMPARE(embedder.id(), QStringLiteral("openai-compatible-nomic-embed-text-latest-8"));
    QCOMPARE(server.requestCount(), 1);
    QVERIFY(embedder.probeDimensions({}).isEmpty()); // known now: no second request
    QCOMPARE(server.requestCount(), 1);
    QVERIFY2(embedder.description().contains(QStringLiteral("127.0.0.1:%1").arg(server.port())),
             qPrintable(embedder.description()));
}

void TestOpenAiEmbedder::sanitizesModelNames_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("expected");
    QTest::newRow("ollama tag") << QStringLiteral("nomic-embed-text:latest") << QStringLiteral("nomic-embed-text-latest");
    QTest::newRow("openai") << QStringLiteral("text-embedding-3-small") << QStringLiteral("text-embedding-3-small");
    QTest::newRow("path") << QStringLiteral("BAAI/bge-m3") << QStringLiteral("BAAI-bge-m3");
    QTest::newRow("gguf") << QStringLiteral("./models/e5 large v2.Q8_0.gguf") << QStringLiteral("models-e5-large-v2.Q8_0.gguf");
    QTest::newRow("hostile") << QStringLiteral("../../etc/passwd") << QStringLiteral("etc-passwd");
    QTest::newRow("empty") << QString() << QStringLiteral("model");
}

void TestOpenAiEmbedder::sanitizesModelNames()
{
    QFETCH(QString, model);
    QFETCH(QString, expected);
    QCOMPARE(OpenAiEmbedder::sanitizeModelName(model), expected);
}

void TestOpenAiEmbedder::retriesRateLimitHonouringRetryAfter()
{
    LoopbackServer server;
    std::atomic_int calls{0};
    server.setHandler([&calls](const LoopbackRequest &r) {
        if (calls.fetch_add(1) == 0)
            return LoopbackResponse::json(429, QByteArray(R"({"error":{"message":"Rate limit reached","type":"requests",)"
                                                          R"("code":"rate_limit_exceeded"}})"),
                                          {{"retry-after", "1"}});
        return embeddingsResponse(r);
    });
    OpenAiEmbedder embedder(settingsFor(server));
    QElapsedTimer clock;
    clock.start();
    const EmbedResult result = embedder.embed(numberedTexts(3), {});
    QVERIFY2(result.ok(), qPrintable(result.error));
    QVERIFY(clock.elapsed() >= 950);
    QCOMPARE(server.requestCount(), 2);
    QCOMPARE(result.vectors.size(), size_t(3));
}

void TestOpenAiEmbedder::retriesServerErrorThenSucceeds()
{
    LoopbackServer server;
    std::atomic_int calls{0};
    server.setHandler([&calls](const LoopbackRequest &r) {
        if (calls.fetch_add(1) == 0)
            return LoopbackResponse::json(500, QByteArray(R"({"error":{"message":"internal"}})"));
        return embeddingsResponse(r);
    });
    OpenAiEmbedder embedder(settingsFor(server));
    const EmbedResult result = embedder.embed(numberedTexts(2), {});
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(server.requestCount(), 2);
}

void TestOpenAiEmbedder::wrongDimensionsAreAClearError()
{
    LoopbackServer server;
    server.setHandler([](const LoopbackRequest &r) { return embeddingsResponse(r, 3); });
    OpenAiEmbedderSettings s = settingsFor(server);
    s.dimensions = 768;
    OpenAiEmbedder embedder(s);
    QCOMPARE(embedder.id(), QStringLiteral("openai-compatible-nomic-embed-text-latest-768"));
    const EmbedResult result = embedder.embed(numberedTexts(2), {});
    QVERIFY(!result.ok());
    QVERIFY(result.vectors.empty());
    QVERIFY2(result.error.contains(QLatin1String("returned 3 dimensions, expected 768")), qPrintable(result.error));
    QCOMPARE(embedder.dimensions(), 768);
}

void TestOpenAiEmbedder::dimensionsChangingBetweenCallsAreAnError()
{
    LoopbackServer server;
    std::atomic_int dims{kDims};
    server.setHandler([&dims](const LoopbackRequest &r) { return embeddingsResponse(r, dims.load()); });
    OpenAiEmbedder embedder(settingsFor(server));
    QVERIFY(embedder.embed(numberedTexts(1), {}).ok());
    dims = 4;
    const EmbedResult result = embedder.embed(numberedTexts(1), {});
    QVERIFY2(result.error.contains(QLatin1String("returned 4 dimensions, expected 8")), qPrintable(result.error));
}

void TestOpenAiEmbedder::inconsistentDimensionsInOneResponseAreAnError()
{
    LoopbackServer server;
    server.setHandler([](const LoopbackRequest &) {
        return LoopbackResponse::json(200, QByteArray(R"({"data":[{"index":0,"embedding":[1,0,0]},)"
                                                      R"({"index":1,"embedding":[1,0]}]})"));
    });
    OpenAiEmbedder embedder(settingsFor(server));
    const EmbedResult result = embedder.embed({QStringLiteral("a"), QStringLiteral("b")}, {});
    QVERIFY2(result.error.contains(QLatin1String("returned 2 dimensions, expected 3")), qPrintable(result.error));
    QCOMPARE(embedder.dimensions(), 0); // a bad first answer must not fix the dimensions
}

void TestOpenAiEmbedder::wrongNumberOfEmbeddingsIsAnError()
{
    LoopbackServer server;
    server.setHandler([](const LoopbackRequest &) {
        return LoopbackResponse::json(200, QByteArray(R"({"data":[{"index":0,"embedding":[1,0,0]}]})"));
    });
    OpenAiEmbedder embedder(settingsFor(server));
    const EmbedResult result = embedder.embed({QStringLiteral("a"), QStringLiteral("b")}, {});
    QVERIFY2(result.error.contains(QLatin1String("returned 1 embeddings for 2 texts")), qPrintable(result.error));
}

void TestOpenAiEmbedder::sendsAuthorizationOnlyWithAKey()
{
    LoopbackServer server;
    server.setHandler([](const LoopbackRequest &r) { return embeddingsResponse(r); });
    {
        OpenAiEmbedder local(settingsFor(server));
        QVERIFY(local.embed({QStringLiteral("x")}, {}).ok());
    }
    {
        OpenAiEmbedderSettings s = settingsFor(server);
        s.apiKey = QStringLiteral("sk-test-key-1234567");
        OpenAiEmbedder cloud(s);
        QVERIFY(cloud.embed({QStringLiteral("x")}, {}).ok());
    }
    const QList<LoopbackRequest> requests = server.requests();
    QCOMPARE(requests.size(), 2);
    QVERIFY(!requests.at(0).hasHeader("authorization"));
    QCOMPARE(requests.at(1).header("authorization"), QByteArray("Bearer sk-test-key-1234567"));
}

void TestOpenAiEmbedder::rejectedKeyIsExplainedWithoutTheKey()
{
    LoopbackServer server;
    server.setHandler([](const LoopbackRequest &) {
        return LoopbackResponse::json(401, QByteArray(R"({"error":{"message":"Incorrect API key provided: )"
                                                      R"(sk-test-key-1234567","code":"invalid_api_key"}})"));
    });
    OpenAiEmbedderSettings s = settingsFor(server);
    s.apiKey = QStringLiteral("sk-test-key-1234567");
    OpenAiEmbedder embedder(s);
    const EmbedResult result = embedder.embed({QStringLiteral("x")}, {});
    QVERIFY2(result.error.contains(QLatin1String("API key")), qPrintable(result.error));
    QVERIFY(!result.error.contains(QLatin1String("1234567")));
    QCOMPARE(server.requestCount(), 1);
}

void TestOpenAiEmbedder::trailingSlashInBaseUrlIsTolerated()
{
    LoopbackServer server;
    server.setHandler([](const LoopbackRequest &r) { return embeddingsResponse(r); });
    OpenAiEmbedderSettings s = settingsFor(server);
    s.baseUrl = server.url(QStringLiteral("/v1/"));
    OpenAiEmbedder embedder(s);
    QVERIFY(embedder.embed({QStringLiteral("x")}, {}).ok());
    QCOMPARE(server.requests().constFirst().path, QByteArray("/v1/embeddings"));
}

void TestOpenAiEmbedder::emptyTextsAreSentAsASpace()
{
    LoopbackServer server;
    server.setHandler([](const LoopbackRequest &r) { return embeddingsResponse(r); });
    OpenAiEmbedder embedder(settingsFor(server));
    const EmbedResult result = embedder.embed({QString(), QStringLiteral("x")}, {});
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(server.requests().constFirst().json().value(QLatin1String("input")).toArray().at(0).toString(),
             QStringLiteral(" "));
}

void TestOpenAiEmbedder::nothingToEmbedMakesNoRequest()
{
    LoopbackServer server;
    OpenAiEmbedder embedder(settingsFor(server));
    const EmbedResult result = embedder.embed({}, {});
    QVERIFY(result.ok());
    QVERIFY(result.vectors.empty());
    QCOMPARE(server.requestCount(), 0);
}

void TestOpenAiEmbedder::cancelledBeforeStartMakesNoRequest()
{
    LoopbackServer server;
    OpenAiEmbedder embedder(settingsFor(server));
    CancelToken cancel;
    cancel.cancel();
    const EmbedResult result = embedder.embed(numberedTexts(3), cancel);
    QVERIFY(!result.ok());
    QVERIFY(result.error.contains(QLatin1String("cancelled")));
    QCOMPARE(server.requestCount(), 0);
}

void TestOpenAiEmbedder::unreachableServerIsAClearError()
{
    OpenAiEmbedderSettings s;
    QUrl base;
    base.setScheme(QStringLiteral("http"));
    base.setHost(QStringLiteral("127.0.0.1"));
    base.setPort(LoopbackServer::closedPort());
    base.setPath(QStringLiteral("/v1"));
    s.baseUrl = base;
    s.model = QStringLiteral("m");
    s.policy.maxRetries = 0;
    OpenAiEmbedder embedder(s);
    const EmbedResult result = embedder.embed({QStringLiteral("x")}, {});
    QVERIFY2(result.error.startsWith(QLatin1String("Embedding failed: Could not connect")), qPrintable(result.error));
}

QTEST_GUILESS_MAIN(TestOpenAiEmbedder)
#include "tst_openaiembedder.moc"
