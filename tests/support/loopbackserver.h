#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <utility>

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QUrl>

namespace docsight::test {

struct LoopbackRequest {
    QByteArray method;
    QByteArray path;                                  // with the query, e.g. "/v1/embeddings"
    QList<std::pair<QByteArray, QByteArray>> headers; // names lower-cased, in arrival order
    QByteArray body;

    QByteArray header(QByteArrayView name) const;     // first value, empty when absent
    bool hasHeader(QByteArrayView name) const;
    QJsonObject json() const;                         // the body as a JSON object (empty if it is not one)
};

struct LoopbackResponse {
    enum class Framing {
        ContentLength, // length announced up front (the sum of body and chunks)
        Chunked,       // Transfer-Encoding: chunked, one HTTP chunk per entry of chunks
        Close,         // no length: the body ends when the server closes the connection
    };

    int status = 200;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;                           // sent in one write, before any chunks
    QList<QByteArray> chunks;                  // streamed one per write, chunkDelay apart
    std::chrono::milliseconds chunkDelay{0};
    std::chrono::milliseconds headerDelay{0};  // silence before the status line (to provoke timeouts)
    Framing framing = Framing::ContentLength;
    bool closeWithoutAnswer = false;           // read the request, then hang up without a byte
    int dropAfterChunks = -1;                  // hang up after this many chunks, leaving the body unfinished

    // A complete JSON answer, e.g. json(429, R"({"error":{...}})", {{"retry-after", "1"}}).
    static LoopbackResponse json(int status, const QByteArray &body,
                                 QList<std::pair<QByteArray, QByteArray>> headers = {});
    static LoopbackResponse json(int status, const QJsonObject &body,
                                 QList<std::pair<QByteArray, QByteArray>> headers = {});
    // A text/event-stream answer sent as the given pieces (split them anywhere, even mid-event).
    static LoopbackResponse sse(QList<QByteArray> pieces, std::chrono::milliseconds delay = {},
                                Framing framing = Framing::Chunked);
    static LoopbackResponse hangUp();

    // One SSE event: "event: <name>\n" (when given) + "data: <line>\n" per line of data + "\n".
    static QByteArray sseEvent(const QByteArray &data, const QByteArray &event = {});
};

// A real HTTP/1.1 server on 127.0.0.1 (ephemeral port) running on its own thread, so a test can make
// blocking client calls on its own thread. Understands Content-Length bodies, Expect: 100-continue and
// keep-alive; records every request; answers from a handler or else from a queue of canned responses
// (501 when neither has one). Streams chunked or close-delimited bodies with delays, and can hang up
// mid-body. Stops and joins its thread on destruction.
class LoopbackServer final
{
public:
    using Handler = std::function<LoopbackResponse(const LoopbackRequest &)>;

    LoopbackServer();
    ~LoopbackServer();
    Q_DISABLE_COPY_MOVE(LoopbackServer)

    bool isListening() const;
    quint16 port() const;
    QUrl url(const QString &path = {}) const; // "http://127.0.0.1:<port><path>"

    // The handler runs on the server thread: anything it shares with the test must be thread-safe.
    void setHandler(Handler handler);
    void enqueue(LoopbackResponse response);

    QList<LoopbackRequest> requests() const;
    int requestCount() const;
    // Responses the client hung up on before they were complete (a cancelled stream, a timeout).
    int abortedResponses() const;

    // A loopback port on which nothing listens (connections are refused).
    static quint16 closedPort();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace docsight::test
