#include "net/httptransport.h"
#include "net/providererror.h"
#include "net/retrypolicy.h"

#include "loopbackserver.h"

#include <atomic>
#include <thread>

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QMutex>
#include <QTimeZone>
#include <QTest>

using namespace docsight;
using namespace docsight::test;
using namespace std::chrono_literals;

namespace {

// Short waits everywhere, so the whole suite stays fast; tests that need more say so.
HttpRequest quickRequest(const QUrl &url, QByteArray method = QByteArrayLiteral("GET"))
{
    HttpRequest r;
    r.method = std::move(method);
    r.url = url;
    r.policy.connectTimeout = 2s;
    r.policy.timeout = 5s;
    r.policy.idleTimeout = 5s;
    r.policy.maxRetries = 2;
    r.policy.backoffBase = 10ms;
    r.policy.backoffCap = 40ms;
    return r;
}

const QByteArray kRateLimited = R"({"error":{"message":"Rate limit reached for requests","type":"requests",)"
                                R"("param":null,"code":"rate_limit_exceeded"}})";
const QByteArray kQuota = R"({"error":{"message":"You exceeded your current quota, please check your plan and )"
                          R"(billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}})";

// Collects every message logged while alive, with all docsight categories switched on.
class LogCapture final
{
public:
    LogCapture()
    {
        s_instance = this;
        m_previousHandler = qInstallMessageHandler(&LogCapture::handle);
        m_previousFilter = QLoggingCategory::installFilter(&LogCapture::filter);
    }
    ~LogCapture()
    {
        QLoggingCategory::installFilter(m_previousFilter);
        qInstallMessageHandler(m_previousHandler);
        s_instance = nullptr;
    }
    Q_DISABLE_COPY_MOVE(LogCapture)

    QStringList messages() const
    {
        QMutexLocker lock(&m_mutex);
        return m_messages;
    }

private:
    static void handle(QtMsgType, const QMessageLogContext &context, const QString &message)
    {
        QMutexLocker lock(&s_instance->m_mutex);
        s_instance->m_messages << QString::fromLatin1(context.category ? context.category : "") % QLatin1Char(' ')
                % message;
    }
    static void filter(QLoggingCategory *category)
    {
        if (s_instance && s_instance->m_previousFilter)
            s_instance->m_previousFilter(category);
        if (qstrncmp(category->categoryName(), "docsight.", 9) == 0) {
            category->setEnabled(QtDebugMsg, true);
            category->setEnabled(QtInfoMsg, true);
            category->setEnabled(QtWarningMsg, true);
        }
    }

    static inline LogCapture *s_instance = nullptr;
    mutable QMutex m_mutex;
    QStringList m_messages;
    QtMessageHandler m_previousHandler = nullptr;
    QLoggingCategory::CategoryFilter m_previousFilter = nullptr;
};

} // namespace

// Slot bodies are defined below the class: Qt 6.4's moc loses count of braces inside raw string
// literals (the JSON bodies) when it skims inline function bodies.
class TestHttpTransport final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void getsJsonBodyAndHeaders();
    void postsBodyAndHeadersUnchanged();
    void serverHandlesExpectContinueForLargeBodies();
    void honoursRetryAfterOn429();
    void retriesTransientStatuses_data();
    void retriesTransientStatuses();
    void givesUpAfterMaxRetriesWithOneClearMessage();
    void neverRetriesClientErrors_data();
    void neverRetriesClientErrors();
    void badKeyMessageNeverContainsTheKey();
    void anthropicKeyEchoedInAnErrorIsScrubbed();
    void exhaustedQuotaIsNotRetried();
    void rateLimitAskingTooLongAWaitIsNotWaitedFor();
    void connectionRefusedIsANetworkError();
    void hangUpWithoutAnswerIsRetried();
    void overallTimeout();
    void idleStreamTimesOut();
    void streamsBodyAsItArrives();
    void errorBodyIsCollectedNotStreamed();
    void cancelMidStreamIsPrompt();
    void callbackReturningFalseStopsTheStream();
    void cancelDuringRetryWaitIsPrompt();
    void truncatedStreamIsNotRetried();
    void tlsFailureIsReportedAsTls();
    void oversizedResponseIsRejected();
    void rejectsNonHttpAddresses();
    void usableFromManyThreadsAtOnce();
    void usesProxyFromEnvironment();
    void loopbackBypassesEnvironmentProxy();
    void parsesProviderErrors_data();
    void parsesProviderErrors();
    void describesEachCauseOnce_data();
    void describesEachCauseOnce();
    void scrubsSecrets();
    void readsServerRetryDelay_data();
    void readsServerRetryDelay();
};

void TestHttpTransport::getsJsonBodyAndHeaders()
{
    LoopbackServer server;
    QVERIFY(server.isListening());
    server.enqueue(LoopbackResponse::json(200, QByteArray(R"({"ok":true})"), {{"X-Request-Id", "abc"}}));

    HttpTransport http;
    const HttpResponse r = http.send(quickRequest(server.url(QStringLiteral("/v1/models"))));
    QVERIFY2(r.ok(), qPrintable(r.message));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray(R"({"ok":true})"));
    QCOMPARE(r.header("x-request-id"), QByteArray("abc"));
    QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
    QCOMPARE(r.retries, 0);
    QVERIFY(r.message.isEmpty());

    const QList<LoopbackRequest> seen = server.requests();
    QCOMPARE(seen.size(), 1);
    QCOMPARE(seen.constFirst().method, QByteArray("GET"));
    QCOMPARE(seen.constFirst().path, QByteArray("/v1/models"));
    QVERIFY(seen.constFirst().header("user-agent").startsWith("Docsight/"));
}

void TestHttpTransport::postsBodyAndHeadersUnchanged()
{
    LoopbackServer server;
    server.enqueue(LoopbackResponse::json(200, QByteArray("{}")));
    HttpRequest req = quickRequest(server.url(QStringLiteral("/v1/embeddings")), "POST");
    req.headers = {{"Content-Type", "application/json"}, {"anthropic-version", "2023-06-01"}};
    req.body = R"({"model":"m","input":["caf\u00e9"]})";

    const HttpResponse r = HttpTransport().send(req);
    QVERIFY2(r.ok(), qPrintable(r.message));
    const LoopbackRequest seen = server.requests().constFirst();
    QCOMPARE(seen.method, QByteArray("POST"));
    QCOMPARE(seen.body, req.body);
    QCOMPARE(seen.header("anthropic-version"), QByteArray("2023-06-01"));
    QCOMPARE(seen.header("content-type"), QByteArray("application/json"));
    QVERIFY(!seen.hasHeader("expect")); // no 100-continue round trip by default
}

void TestHttpTransport::serverHandlesExpectContinueForLargeBodies()
{
    LoopbackServer server;
    server.enqueue(LoopbackResponse::json(200, QByteArray("{}")));
    HttpRequest req = quickRequest(server.url(QStringLiteral("/upload")), "POST");
    req.headers = {{"Expect", "100-continue"}};
    req.body = QByteArray(3 * 1024 * 1024, 'a');

    QElapsedTimer clock;
    clock.start();
    const HttpResponse r = HttpTransport().send(req);
    QVERIFY2(r.ok(), qPrintable(r.message));
    QCOMPARE(server.requests().constFirst().header("expect"), QByteArray("100-continue"));
    QCOMPARE(server.requests().constFirst().body.size(), req.body.size());
    QVERIFY2(clock.elapsed() < 900, "curl waited for 100 Continue instead of getting it");
}

void TestHttpTransport::honoursRetryAfterOn429()
{
    LoopbackServer server;
    server.enqueue(LoopbackResponse::json(429, kRateLimited, {{"retry-after", "1"}}));
    server.enqueue(LoopbackResponse::json(200, QByteArray(R"({"ok":1})")));
    HttpRequest req = quickRequest(server.url(QStringLiteral("/x")));
    req.policy.maxRetries = 1;

    QElapsedTimer clock;
    clock.start();
    const HttpResponse r = HttpTransport().send(req);
    QVERIFY2(r.ok(), qPrintable(r.message));
    QVERIFY2(clock.elapsed() >= 950, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(r.retries, 1);
    QCOMPARE(server.requestCount(), 2);
}

void TestHttpTransport::retriesTransientStatuses_data()
{
    QTest::addColumn<int>("status");
    for (int s : {500, 502, 503, 504, 529})
        QTest::addRow("%d", s) << s;
}

void TestHttpTransport::retriesTransientStatuses()
{
    QFETCH(int, status);
    LoopbackServer server;
    server.enqueue(LoopbackResponse::json(status, QByteArray(R"({"error":{"message":"boom"}})")));
    server.enqueue(LoopbackResponse::json(200, QByteArray("{}")));
    const HttpResponse r = HttpTransport().send(quickRequest(server.url(QStringLiteral("/x"))));
    QVERIFY2(r.ok(), qPrintable(r.message));
    QCOMPARE(r.retries, 1);
    QCOMPARE(server.requestCount(), 2);
}

void TestHttpTransport::givesUpAfterMaxRetriesWithOneClearMessage()
{
    LoopbackServer server;
    for (int i = 0; i < 3; ++i)
        server.enqueue(LoopbackResponse::json(503, QByteArray("{}")));
    const HttpResponse r = HttpTransport().send(quickRequest(server.url(QStringLiteral("/x"))));
    QCOMPARE(r.error, HttpError::Http);
    QCOMPARE(r.status, 503);
    QCOMPARE(r.retries, 2);
    QCOMPARE(server.requestCount(), 3);
    QVERIFY2(r.message.contains(QLatin1String("unavailable")) && r.message.contains(QLatin1String("after 2 retries")),
             qPrintable(r.message));
    QVERIFY(r.message.contains(QLatin1String("127.0.0.1")));
}

void TestHttpTransport::neverRetriesClientErrors_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("400") << 400
                         << QByteArray(R"({"error":{"message":"'messages' is required","type":"invalid_request_error"}})")
                         << QStringLiteral("'messages' is required");
    QTest::newRow("401") << 401
                         << QByteArray(R"({"error":{"message":"Incorrect API key provided","code":"invalid_api_key"}})")
                         << QStringLiteral("API key");
    QTest::newRow("403") << 403 << QByteArray(R"({"type":"error","error":{"type":"permission_error","message":"no access"}})")
                         << QStringLiteral("API key");
    QTest::newRow("404") << 404
                         << QByteArray(R"({"error":{"message":"The model `gpt-9` does not exist","code":"model_not_found"}})")
                         << QStringLiteral("model or address was not found");
}

void TestHttpTransport::neverRetriesClientErrors()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QString, mentions);
    LoopbackServer server;
    server.setHandler([status, body](const LoopbackRequest &) {
        return LoopbackResponse::json(status, body, {{"retry-after", "0"}});
    });
    const HttpResponse r = HttpTransport().send(quickRequest(server.url(QStringLiteral("/x"))));
    QCOMPARE(r.error, HttpError::Http);
    QCOMPARE(r.status, status);
    QCOMPARE(r.retries, 0);
    QCOMPARE(server.requestCount(), 1);
    QVERIFY2(r.message.contains(mentions), qPrintable(r.message));
}

void TestHttpTransport::badKeyMessageNeverContainsTheKey()
{
    const QByteArray key = "sk-proj-SECRETabcdef0123456789";
    LoopbackServer server;
    server.enqueue(LoopbackResponse::json(
        401, R"({"error":{"message":"Incorrect API key provided: )" + key + R"(. You can find your API key at )"
                 R"(https://platform.openai.com/account/api-keys.","type":"invalid_request_error","code":"invalid_api_key"}})"));
    HttpRequest req = quickRequest(server.url(QStringLiteral("/v1/chat/completions")), "POST");
    req.headers = {{"Authorization", "Bearer " + key}};
    req.body = "{}";

    LogCapture logs;
    const HttpResponse r = HttpTransport().send(req);
    QCOMPARE(r.error, HttpError::Http);
    QCOMPARE(server.requestCount(), 1);
    QCOMPARE(server.requests().constFirst().header("authorization"), "Bearer " + key);
    QVERIFY2(r.message.contains(QLatin1String("API key")), qPrintable(r.message));
    QVERIFY(!r.message.contains(QLatin1String("SECRET")));
    const QStringList logged = logs.messages();
    QVERIFY(!logged.isEmpty());
    for (const QString &line : logged)
        QVERIFY2(!line.contains(QLatin1String("SECRET")), qPrintable(line));
}

void TestHttpTransport::anthropicKeyEchoedInAnErrorIsScrubbed()
{
    const QByteArray key = "ant-TOPSECRET-key-42";
    LoopbackServer server;
    server.enqueue(LoopbackResponse::json(
        400, R"({"type":"error","error":{"type":"invalid_request_error","message":"header x-api-key )" + key
                 + R"( is malformed"}})"));
    HttpRequest req = quickRequest(server.url(QStringLiteral("/v1/messages")), "POST");
    req.headers = {{"x-api-key", key}, {"anthropic-version", "2023-06-01"}};
    const HttpResponse r = HttpTransport().send(req);
    QCOMPARE(r.status, 400);
    QVERIFY2(r.message.contains(QLatin1String("is malformed")), qPrintable(r.message));
    QVERIFY2(!r.message.contains(QLatin1String("TOPSECRET")), qPrintable(r.message));
}

void TestHttpTransport::exhaustedQuotaIsNotRetried()
{
    LoopbackServer server;
    server.setHandler([](const LoopbackRequest &) { return LoopbackResponse::json(429, kQuota, {{"retry-after", "0"}}); });
    const HttpResponse r = HttpTransport().send(quickRequest(server.url(QStringLiteral("/x"))));
    QCOMPARE(r.status, 429);
    QCOMPARE(server.requestCount(), 1);
    QVERIFY2(r.message.contains(QLatin1String("quota")) && r.message.contains(QLatin1String("billing")),
             qPrintable(r.message));
}

void TestHttpTransport::rateLimitAskingTooLongAWaitIsNotWaitedFor()
{
    LoopbackServer server;
    server.setHandler([](const LoopbackRequest &) {
        return LoopbackResponse::json(429, kRateLimited, {{"retry-after", "3600"}});
    });
    QElapsedTimer clock;
    clock.start();
    const HttpResponse r = HttpTransport().send(quickRequest(server.url(QStringLiteral("/x"))));
    QVERIFY(clock.elapsed() < 2000);
    QCOMPARE(server.requestCount(), 1);
    QVERIFY2(r.message.contains(QLatin1String("3600 s")), qPrintable(r.message));
}

void TestHttpTransport::connectionRefusedIsANetworkError()
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(LoopbackServer::closedPort());
    HttpRequest req = quickRequest(url);
    req.policy.maxRetries = 1;
    const HttpResponse r = HttpTransport().send(req);
    QCOMPARE(r.error, HttpError::Network);
    QCOMPARE(r.status, 0);
    QCOMPARE(r.retries, 1); // connection errors are worth a retry
    QVERIFY2(r.message.contains(QLatin1String("Could not connect")), qPrintable(r.message));
    QVERIFY(r.message.contains(QLatin1String("network")));
}

void TestHttpTransport::hangUpWithoutAnswerIsRetried()
{
    LoopbackServer server;
    server.enqueue(LoopbackResponse::hangUp());
    server.enqueue(LoopbackResponse::json(200, QByteArray("{}")));
    const HttpResponse r = HttpTransport().send(quickRequest(server.url(QStringLiteral("/x"))));
    QVERIFY2(r.ok(), qPrintable(r.message));
    QCOMPARE(r.retries, 1);
}

void TestHttpTransport::overallTimeout()
{
    LoopbackServer server;
    LoopbackResponse slow = LoopbackResponse::json(200, QByteArray("{}"));
    slow.headerDelay = 3s;
    server.enqueue(slow);
    HttpRequest req = quickRequest(server.url(QStringLiteral("/slow")));
    req.policy.timeout = 300ms;
    req.policy.maxRetries = 0;
    QElapsedTimer clock;
    clock.start();
    const HttpResponse r = HttpTransport().send(req);
    QCOMPARE(r.error, HttpError::Timeout);
    QVERIFY(clock.elapsed() < 1500);
    QVERIFY2(r.message.contains(QLatin1String("did not finish")), qPrintable(r.message));
}

void TestHttpTransport::idleStreamTimesOut()
{
    LoopbackServer server;
    server.enqueue(LoopbackResponse::sse({"data: a\n\n", "data: b\n\n"}, 3s));
    HttpRequest req = quickRequest(server.url(QStringLiteral("/stream")), "POST");
    req.policy.idleTimeout = 300ms;
    QByteArray received;
    req.onData = [&received](QByteArrayView piece) {
        received += piece.toByteArray();
        return true;
    };
    QElapsedTimer clock;
    clock.start();
    const HttpResponse r = HttpTransport().send(req);
    QCOMPARE(r.error, HttpError::Timeout);
    QCOMPARE(received, QByteArray("data: a\n\n"));
    QCOMPARE(server.requestCount(), 1); // data already reached the caller: no retry
    QVERIFY(clock.elapsed() < 1500);
    QVERIFY2(r.message.contains(QLatin1String("stopped sending")), qPrintable(r.message));
}

void TestHttpTransport::streamsBodyAsItArrives()
{
    LoopbackServer server;
    const QList<QByteArray> pieces{"data: {\"n\":1}\n\n", "data: {\"n\":", "2}\n\n", "data: [DONE]\n\n"};
    server.enqueue(LoopbackResponse::sse(pieces, 100ms));
    HttpRequest req = quickRequest(server.url(QStringLiteral("/v1/chat/completions")), "POST");
    QList<QByteArray> received;
    QList<qint64> at;
    QElapsedTimer clock;
    clock.start();
    req.onData = [&](QByteArrayView piece) {
        received << piece.toByteArray();
        at << clock.elapsed();
        return true;
    };
    const HttpResponse r = HttpTransport().send(req);
    QVERIFY2(r.ok(), qPrintable(r.message));
    QVERIFY(r.body.isEmpty());
    QCOMPARE(r.header("content-type"), QByteArray("text/event-stream"));
    QCOMPARE(received.join(), pieces.join());
    QVERIFY2(received.size() >= 3, qPrintable(QString::number(received.size())));
    QVERIFY2(at.constLast() - at.constFirst() >= 200, "pieces were not delivered as they arrived");
}

void TestHttpTransport::errorBodyIsCollectedNotStreamed()
{
    LoopbackServer server;
    server.enqueue(LoopbackResponse::json(401, QByteArray(R"({"error":{"message":"bad key"}})")));
    HttpRequest req = quickRequest(server.url(QStringLiteral("/x")), "POST");
    bool called = false;
    req.onData = [&called](QByteArrayView) {
        called = true;
        return true;
    };
    const HttpResponse r = HttpTransport().send(req);
    QVERIFY(!called);
    QCOMPARE(r.status, 401);
    QCOMPARE(r.body, QByteArray(R"({"error":{"message":"bad key"}})"));
}

void TestHttpTransport::cancelMidStreamIsPrompt()
{
    LoopbackServer server;
    QList<QByteArray> pieces;
    for (int i = 0; i < 100; ++i)
        pieces << QByteArray("data: " + QByteArray::number(i) + "\n\n");
    server.enqueue(LoopbackResponse::sse(pieces, 50ms));
    HttpRequest req = quickRequest(server.url(QStringLiteral("/stream")), "POST");
    std::atomic_int received{0};
    req.onData = [&received](QByteArrayView) {
        ++received;
        return true;
    };
    CancelToken token = req.cancel;
    std::thread canceller([token] {
        std::this_thread::sleep_for(300ms);
        token.cancel();
    });
    QElapsedTimer clock;
    clock.start();
    const HttpResponse r = HttpTransport().send(req);
    const qint64 elapsed = clock.elapsed();
    canceller.join();
    QCOMPARE(r.error, HttpError::Cancelled);
    QVERIFY(received > 0);
    QVERIFY2(elapsed < 700, qPrintable(QString::number(elapsed)));
    QCOMPARE(server.requestCount(), 1);
    QTRY_COMPARE(server.abortedResponses(), 1);
}

void TestHttpTransport::callbackReturningFalseStopsTheStream()
{
    LoopbackServer server;
    server.enqueue(LoopbackResponse::sse({"data: 1\n\n", "data: 2\n\n", "data: 3\n\n", "data: 4\n\n"}, 200ms));
    HttpRequest req = quickRequest(server.url(QStringLiteral("/stream")), "POST");
    int calls = 0;
    req.onData = [&calls](QByteArrayView) { return ++calls < 2; };
    QElapsedTimer clock;
    clock.start();
    const HttpResponse r = HttpTransport().send(req);
    QCOMPARE(r.error, HttpError::Cancelled);
    QCOMPARE(calls, 2);
    QVERIFY(clock.elapsed() < 500);
}

void TestHttpTransport::cancelDuringRetryWaitIsPrompt()
{
    LoopbackServer server;
    server.setHandler([](const LoopbackRequest &) {
        return LoopbackResponse::json(429, kRateLimited, {{"retry-after", "5"}});
    });
    HttpRequest req = quickRequest(server.url(QStringLiteral("/x")));
    CancelToken token = req.cancel;
    std::thread canceller([token] {
        std::this_thread::sleep_for(200ms);
        token.cancel();
    });
    QElapsedTimer clock;
    clock.start();
    const HttpResponse r = HttpTransport().send(req);
    canceller.join();
    QCOMPARE(r.error, HttpError::Cancelled);
    QVERIFY(clock.elapsed() < 700);
    QCOMPARE(server.requestCount(), 1);
}

void TestHttpTransport::truncatedStreamIsNotRetried()
{
    LoopbackServer server;
    LoopbackResponse cut = LoopbackResponse::sse({"data: 1\n\n", "data: 2\n\n", "data: 3\n\n"}, 20ms);
    cut.dropAfterChunks = 2;
    server.enqueue(cut);
    server.enqueue(LoopbackResponse::sse({"data: again\n\n"}));
    HttpRequest req = quickRequest(server.url(QStringLiteral("/stream")), "POST");
    QByteArray received;
    req.onData = [&received](QByteArrayView piece) {
        received += piece.toByteArray();
        return true;
    };
    const HttpResponse r = HttpTransport().send(req);
    QCOMPARE(r.error, HttpError::Network);
    QCOMPARE(received, QByteArray("data: 1\n\ndata: 2\n\n"));
    QCOMPARE(server.requestCount(), 1);
    QVERIFY2(r.message.contains(QLatin1String("lost")), qPrintable(r.message));
}

void TestHttpTransport::tlsFailureIsReportedAsTls()
{
    LoopbackServer server; // speaks plain HTTP, so the TLS handshake fails
    QUrl url = server.url(QStringLiteral("/x"));
    url.setScheme(QStringLiteral("https"));
    const HttpResponse r = HttpTransport().send(quickRequest(url));
    QCOMPARE(r.error, HttpError::Tls);
    QCOMPARE(r.retries, 0);
    QVERIFY2(r.message.contains(QLatin1String("TLS")), qPrintable(r.message));
}

void TestHttpTransport::oversizedResponseIsRejected()
{
    LoopbackServer server;
    server.enqueue(LoopbackResponse::json(200, QByteArray(5000, 'x')));
    HttpRequest req = quickRequest(server.url(QStringLiteral("/big")));
    req.maxResponseBytes = 1000;
    const HttpResponse r = HttpTransport().send(req);
    QCOMPARE(r.error, HttpError::TooLarge);
    QCOMPARE(server.requestCount(), 1);
}

void TestHttpTransport::rejectsNonHttpAddresses()
{
    const HttpResponse r = HttpTransport().send(quickRequest(QUrl(QStringLiteral("ftp://example.com/x"))));
    QCOMPARE(r.error, HttpError::Network);
    QVERIFY(r.message.contains(QLatin1String("not a valid")));
}

void TestHttpTransport::usableFromManyThreadsAtOnce()
{
    LoopbackServer server;
    std::atomic_int n{0};
    server.setHandler([&n](const LoopbackRequest &req) {
        // Every third request fails once, to exercise retries concurrently.
        const bool fail = n.fetch_add(1) % 3 == 0 && !req.path.endsWith("retry");
        return fail ? LoopbackResponse::json(503, QByteArray("{}")) : LoopbackResponse::json(200, req.body);
    });
    HttpTransport http;
    std::atomic_int ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 5; ++i) {
                HttpRequest req = quickRequest(server.url(QStringLiteral("/echo")), "POST");
                req.body = QByteArray::number(t * 100 + i);
                req.policy.maxRetries = 5;
                const HttpResponse r = http.send(req);
                if (r.ok() && r.body == req.body)
                    ++ok;
            }
        });
    }
    for (std::thread &t : threads)
        t.join();
    QCOMPARE(ok.load(), 40);
}

void TestHttpTransport::usesProxyFromEnvironment()
{
    LoopbackServer proxy; // answers as a plain HTTP proxy would, and records the absolute request URL
    proxy.enqueue(LoopbackResponse::json(200, QByteArray("{}")));
    const QByteArray saved = qgetenv("http_proxy");
    qputenv("http_proxy", proxy.url().toEncoded());
    const HttpResponse r = HttpTransport().send(quickRequest(QUrl(QStringLiteral("http://models.example.invalid/v1/models"))));
    saved.isNull() ? qunsetenv("http_proxy") : qputenv("http_proxy", saved);
    QVERIFY2(r.ok(), qPrintable(r.message));
    QCOMPARE(proxy.requests().constFirst().path, QByteArray("http://models.example.invalid/v1/models"));
}

void TestHttpTransport::loopbackBypassesEnvironmentProxy()
{
    LoopbackServer server;
    server.enqueue(LoopbackResponse::json(200, QByteArray("{}")));
    const QByteArray saved = qgetenv("http_proxy");
    QUrl deadProxy;
    deadProxy.setScheme(QStringLiteral("http"));
    deadProxy.setHost(QStringLiteral("127.0.0.1"));
    deadProxy.setPort(LoopbackServer::closedPort());
    qputenv("http_proxy", deadProxy.toEncoded());
    HttpRequest req = quickRequest(server.url(QStringLiteral("/v1/models")));
    req.policy.maxRetries = 0;
    const HttpResponse r = HttpTransport().send(req);
    saved.isNull() ? qunsetenv("http_proxy") : qputenv("http_proxy", saved);
    QVERIFY2(r.ok(), qPrintable(r.message)); // a local Ollama must not be sent through a corporate proxy
}

// ---- helpers --------------------------------------------------------------------------------

void TestHttpTransport::parsesProviderErrors_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("code");
    QTest::newRow("openai") << kQuota << QStringLiteral("You exceeded your current quota, please check your plan and billing details.")
                            << QStringLiteral("insufficient_quota") << QStringLiteral("insufficient_quota");
    QTest::newRow("anthropic")
        << QByteArray(R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})")
        << QStringLiteral("Overloaded") << QStringLiteral("overloaded_error") << QString();
    QTest::newRow("numeric code") << QByteArray(R"({"error":{"message":"m","code":500}})") << QStringLiteral("m")
                                  << QString() << QStringLiteral("500");
    QTest::newRow("ollama native") << QByteArray(R"({"error":"model 'x' not found"})")
                                   << QStringLiteral("model 'x' not found") << QString() << QString();
    QTest::newRow("vllm") << QByteArray(R"({"object":"error","message":"bad","type":"BadRequestError","code":400})")
                          << QStringLiteral("bad") << QStringLiteral("BadRequestError") << QStringLiteral("400");
    QTest::newRow("html") << QByteArray("<html>502 Bad Gateway</html>") << QString() << QString() << QString();
    QTest::newRow("empty") << QByteArray() << QString() << QString() << QString();
}

void TestHttpTransport::parsesProviderErrors()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, message);
    QFETCH(QString, type);
    QFETCH(QString, code);
    const ProviderError e = parseProviderError(body);
    QCOMPARE(e.message, message);
    QCOMPARE(e.type, type);
    QCOMPARE(e.code, code);
}

void TestHttpTransport::describesEachCauseOnce_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("expected");
    QTest::newRow("bad key") << 401 << QByteArray() << QStringLiteral("rejected the API key");
    QTest::newRow("quota") << 429 << kQuota << QStringLiteral("run out of credit or quota");
    QTest::newRow("anthropic credit")
        << 400 << QByteArray(R"({"type":"error","error":{"type":"invalid_request_error","message":"Your credit balance is too low"}})")
        << QStringLiteral("run out of credit or quota");
    QTest::newRow("rate limited") << 429 << kRateLimited << QStringLiteral("rate limiting");
    QTest::newRow("model not found") << 404 << QByteArray() << QStringLiteral("model or address was not found");
    QTest::newRow("server error") << 500 << QByteArray() << QStringLiteral("server error");
    QTest::newRow("overloaded") << 529 << QByteArray() << QStringLiteral("overloaded");
}

void TestHttpTransport::describesEachCauseOnce()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QString, expected);
    const QString m = describeHttpStatus(status, parseProviderError(body), QStringLiteral("api.example.com"), 0);
    QVERIFY2(m.contains(expected), qPrintable(m));
    QVERIFY(m.contains(QLatin1String("api.example.com")));
}

void TestHttpTransport::scrubsSecrets()
{
    const QList<HttpHeader> headers{{"Authorization", "Bearer tok-123456"}, {"X-Api-Key", "k-abcdef"}};
    const QString scrubbed = scrubSecrets(
        QStringLiteral("a Bearer tok-123456 b tok-123456 c k-abcdef d sk-ant-api03-AbCdEf_gh-12 e sk-****wxyz"), headers);
    QVERIFY2(!scrubbed.contains(QLatin1String("tok-123456")), qPrintable(scrubbed));
    QVERIFY(!scrubbed.contains(QLatin1String("k-abcdef")));
    QVERIFY(!scrubbed.contains(QLatin1String("AbCdEf")));
    QVERIFY(!scrubbed.contains(QLatin1String("wxyz")));
    QVERIFY(scrubbed.startsWith(QLatin1String("a [redacted] b [redacted] c [redacted] d [redacted] e [redacted]")));
}

void TestHttpTransport::readsServerRetryDelay_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QList<HttpHeader>>("headers");
    QTest::addColumn<qint64>("expectedMs"); // -1: none
    QTest::newRow("seconds") << 429 << QList<HttpHeader>{{"retry-after", "2"}} << qint64(2000);
    QTest::newRow("fraction") << 503 << QList<HttpHeader>{{"retry-after", "0.25"}} << qint64(250);
    QTest::newRow("http date") << 503 << QList<HttpHeader>{{"retry-after", "Wed, 21 Oct 2015 07:28:30 GMT"}}
                               << qint64(30000);
    QTest::newRow("date in the past") << 503 << QList<HttpHeader>{{"retry-after", "Wed, 21 Oct 2015 07:00:00 GMT"}}
                                      << qint64(0);
    QTest::newRow("retry-after-ms") << 429 << QList<HttpHeader>{{"retry-after-ms", "120"}, {"retry-after", "9"}}
                                    << qint64(120);
    QTest::newRow("ratelimit reset")
        << 429 << QList<HttpHeader>{{"x-ratelimit-remaining-requests", "5"}, {"x-ratelimit-reset-requests", "1s"},
                                    {"x-ratelimit-remaining-tokens", "0"}, {"x-ratelimit-reset-tokens", "6m0.5s"}}
        << qint64(360500);
    QTest::newRow("none") << 429 << QList<HttpHeader>{} << qint64(-1);
    QTest::newRow("garbage") << 503 << QList<HttpHeader>{{"retry-after", "soon"}} << qint64(-1);
}

void TestHttpTransport::readsServerRetryDelay()
{
    QFETCH(int, status);
    QFETCH(QList<HttpHeader>, headers);
    QFETCH(qint64, expectedMs);
    HttpResponse r;
    r.status = status;
    r.headers = headers;
    const auto delay = serverRetryDelay(r, QDateTime(QDate(2015, 10, 21), QTime(7, 28, 0), QTimeZone::utc()));
    QCOMPARE(delay.has_value() ? qint64(delay->count()) : qint64(-1), expectedMs);
}

QTEST_GUILESS_MAIN(TestHttpTransport)
#include "tst_httptransport.moc"
