#include "loopbackserver.h"

#include <algorithm>
#include <future>

#include <QHostAddress>
#include <QJsonDocument>
#include <QMutex>
#include <QMutexLocker>
#include <QPointer>
#include <QQueue>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

namespace docsight::test {
namespace {

using Headers = QList<std::pair<QByteArray, QByteArray>>;

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 529: return "Overloaded";
    default: return "Status";
    }
}

QByteArray findHeader(const Headers &headers, QByteArrayView name)
{
    for (const auto &h : headers) {
        if (QByteArrayView(h.first).compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

QByteArray chunkFrame(const QByteArray &data)
{
    return QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n";
}

} // namespace

// ---- value types ---------------------------------------------------------------------------------

QByteArray LoopbackRequest::header(QByteArrayView name) const
{
    return findHeader(headers, name);
}

bool LoopbackRequest::hasHeader(QByteArrayView name) const
{
    return std::any_of(headers.cbegin(), headers.cend(), [name](const auto &h) {
        return QByteArrayView(h.first).compare(name, Qt::CaseInsensitive) == 0;
    });
}

QJsonObject LoopbackRequest::json() const
{
    return QJsonDocument::fromJson(body).object();
}

LoopbackResponse LoopbackResponse::json(int status, const QByteArray &body, Headers headers)
{
    LoopbackResponse r;
    r.status = status;
    r.headers = std::move(headers);
    r.headers.prepend({"Content-Type", "application/json"});
    r.body = body;
    return r;
}

LoopbackResponse LoopbackResponse::json(int status, const QJsonObject &body, Headers headers)
{
    return json(status, QJsonDocument(body).toJson(QJsonDocument::Compact), std::move(headers));
}

LoopbackResponse LoopbackResponse::sse(QList<QByteArray> pieces, std::chrono::milliseconds delay, Framing framing)
{
    LoopbackResponse r;
    r.headers = {{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-cache"}};
    r.chunks = std::move(pieces);
    r.chunkDelay = delay;
    r.framing = framing;
    return r;
}

LoopbackResponse LoopbackResponse::hangUp()
{
    LoopbackResponse r;
    r.closeWithoutAnswer = true;
    return r;
}

QByteArray LoopbackResponse::sseEvent(const QByteArray &data, const QByteArray &event)
{
    QByteArray out;
    if (!event.isEmpty())
        out += "event: " + event + "\n";
    const QList<QByteArray> lines = data.split('\n');
    for (const QByteArray &line : lines)
        out += "data: " + line + "\n";
    return out + "\n";
}

// ---- state shared between the test thread and the server thread -------------------------------

// Not in an anonymous namespace: LoopbackServer::Private derives from it.
struct SharedState {
    mutable QMutex mutex;
    LoopbackServer::Handler handler;
    QQueue<LoopbackResponse> queue;
    QList<LoopbackRequest> requests;
    int aborted = 0;

    LoopbackResponse responseFor(const LoopbackRequest &request)
    {
        LoopbackServer::Handler h;
        {
            QMutexLocker lock(&mutex);
            requests.append(request);
            if (!handler) {
                if (!queue.isEmpty())
                    return queue.dequeue();
                return LoopbackResponse::json(501, QByteArray(R"({"error":{"message":"LoopbackServer: no )"
                                                              R"(response scripted","type":"test_error"}})"));
            }
            h = handler;
        }
        return h(request); // outside the lock: a slow handler must not block the test thread's queries
    }
};

struct LoopbackServer::Private : SharedState {
    QThread thread;
    QObject *root = nullptr; // lives on the server thread; parent of the QTcpServer and connections
    quint16 port = 0;
};

namespace {

// One client connection: reads requests, writes the scripted response, then waits for the next request
// on the same connection (keep-alive) unless the response closes it.
class Connection final : public QObject
{
public:
    Connection(QTcpSocket *socket, SharedState *server, QObject *parent)
        : QObject(parent)
        , m_socket(socket)
        , m_server(server)
    {
        socket->setParent(this);
        connect(socket, &QTcpSocket::readyRead, this, [this] { onReadyRead(); });
        connect(socket, &QTcpSocket::disconnected, this, [this] {
            if (m_state == State::Responding) {
                QMutexLocker lock(&m_server->mutex);
                ++m_server->aborted;
            }
            m_state = State::Closed;
            deleteLater(); // also stops any pending chunk timer, whose context is this
        });
    }

private:
    enum class State { ReadingHead, ReadingBody, Responding, Closed };

    void onReadyRead()
    {
        m_buffer += m_socket->readAll();
        processBuffer();
    }

    void processBuffer()
    {
        if (m_state == State::ReadingHead) {
            if (!m_buffer.isEmpty() && (m_buffer.at(0) < 'A' || m_buffer.at(0) > 'Z')) {
                // Not HTTP (a TLS ClientHello, say): answer like real servers do, so the client fails fast.
                m_state = State::Closed;
                m_socket->write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                m_socket->disconnectFromHost();
                return;
            }
            const qsizetype end = m_buffer.indexOf("\r\n\r\n");
            if (end < 0) {
                if (m_buffer.size() > 1024 * 1024)
                    m_socket->abort();
                return;
            }
            const QList<QByteArray> lines = m_buffer.left(end).split('\n');
            m_buffer.remove(0, end + 4);
            m_request = {};
            const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
            m_request.method = requestLine.value(0);
            m_request.path = requestLine.value(1);
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const QByteArray &line = lines.at(i);
                const qsizetype colon = line.indexOf(':');
                if (colon > 0)
                    m_request.headers.append({line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed()});
            }
            m_keepAlive = m_request.header("connection").toLower() != "close";
            if (m_request.header("transfer-encoding").toLower().contains("chunked")) {
                // Not needed by any client we test (curl sends in-memory bodies with a length).
                m_keepAlive = false;
                startResponse(LoopbackResponse::json(501, QByteArray(R"({"error":"chunked uploads unsupported"})")));
                return;
            }
            m_contentLength = m_request.header("content-length").toLongLong();
            if (m_request.header("expect").toLower() == "100-continue" && m_buffer.size() < m_contentLength)
                m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
            m_state = State::ReadingBody;
        }
        if (m_state == State::ReadingBody) {
            if (m_buffer.size() < m_contentLength)
                return;
            m_request.body = m_buffer.left(m_contentLength);
            m_buffer.remove(0, m_contentLength);
            startResponse(m_server->responseFor(m_request));
        }
    }

    void startResponse(LoopbackResponse response)
    {
        m_state = State::Responding;
        m_response = std::move(response);
        m_nextChunk = 0;
        if (m_response.headerDelay.count() > 0)
            QTimer::singleShot(m_response.headerDelay, this, [this] { sendHead(); });
        else
            sendHead();
    }

    void sendHead()
    {
        if (m_response.closeWithoutAnswer) {
            m_state = State::Closed; // the hang-up is the scripted answer, not a client abort
            m_socket->disconnectFromHost();
            return;
        }
        const LoopbackResponse &r = m_response;
        if (r.framing == LoopbackResponse::Framing::Close)
            m_keepAlive = false;
        QByteArray head = "HTTP/1.1 " + QByteArray::number(r.status) + ' ' + reasonPhrase(r.status) + "\r\n";
        for (const auto &h : r.headers)
            head += h.first + ": " + h.second + "\r\n";
        switch (r.framing) {
        case LoopbackResponse::Framing::ContentLength: {
            qsizetype total = r.body.size();
            for (const QByteArray &c : r.chunks)
                total += c.size();
            head += "Content-Length: " + QByteArray::number(total) + "\r\n";
            break;
        }
        case LoopbackResponse::Framing::Chunked:
            head += "Transfer-Encoding: chunked\r\n";
            break;
        case LoopbackResponse::Framing::Close:
            break;
        }
        if (!m_keepAlive)
            head += "Connection: close\r\n";
        m_socket->write(head + "\r\n");
        if (!r.body.isEmpty())
            writeData(r.body);
        sendNextChunk();
    }

    void writeData(const QByteArray &data)
    {
        if (data.isEmpty())
            return; // an empty HTTP chunk would end a chunked body
        m_socket->write(m_response.framing == LoopbackResponse::Framing::Chunked ? chunkFrame(data) : data);
        m_socket->flush();
    }

    void sendNextChunk()
    {
        if (m_state != State::Responding)
            return;
        const LoopbackResponse &r = m_response;
        if (r.dropAfterChunks >= 0 && m_nextChunk >= r.dropAfterChunks) {
            m_state = State::Closed;
            m_socket->disconnectFromHost(); // pending bytes still go out, then FIN without the body's end
            return;
        }
        if (m_nextChunk >= r.chunks.size()) {
            finishResponse();
            return;
        }
        writeData(r.chunks.at(m_nextChunk++));
        QTimer::singleShot(m_nextChunk < r.chunks.size() ? r.chunkDelay : std::chrono::milliseconds(0), this,
                           [this] { sendNextChunk(); });
    }

    void finishResponse()
    {
        if (m_response.framing == LoopbackResponse::Framing::Chunked)
            m_socket->write("0\r\n\r\n");
        if (!m_keepAlive) {
            m_state = State::Closed;
            m_socket->disconnectFromHost();
            return;
        }
        m_state = State::ReadingHead;
        if (!m_buffer.isEmpty())
            processBuffer(); // a pipelined next request
    }

    QTcpSocket *m_socket = nullptr;
    SharedState *m_server = nullptr;
    State m_state = State::ReadingHead;
    QByteArray m_buffer;
    LoopbackRequest m_request;
    qint64 m_contentLength = 0;
    bool m_keepAlive = true;
    LoopbackResponse m_response;
    qsizetype m_nextChunk = 0;
};

} // namespace

// ---- LoopbackServer -------------------------------------------------------------------------------

LoopbackServer::LoopbackServer()
    : d(std::make_unique<Private>())
{
    d->thread.setObjectName(QStringLiteral("loopback-server"));
    d->root = new QObject;
    d->root->moveToThread(&d->thread);
    QObject::connect(&d->thread, &QThread::finished, d->root, &QObject::deleteLater);
    d->thread.start();

    std::promise<quint16> listening;
    std::future<quint16> port = listening.get_future();
    Private *state = d.get();
    SharedState *shared = state;
    QMetaObject::invokeMethod(
        d->root,
        [state, shared, &listening] {
            auto *server = new QTcpServer(state->root);
            QObject::connect(server, &QTcpServer::newConnection, server, [server, shared, root = state->root] {
                while (QTcpSocket *socket = server->nextPendingConnection())
                    new Connection(socket, shared, root);
            });
            listening.set_value(server->listen(QHostAddress::LocalHost, 0) ? server->serverPort() : quint16(0));
        },
        Qt::QueuedConnection);
    d->port = port.get();
}

LoopbackServer::~LoopbackServer()
{
    d->thread.quit();
    d->thread.wait();
}

bool LoopbackServer::isListening() const
{
    return d->port != 0;
}

quint16 LoopbackServer::port() const
{
    return d->port;
}

QUrl LoopbackServer::url(const QString &path) const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(d->port);
    url.setPath(path);
    return url;
}

void LoopbackServer::setHandler(Handler handler)
{
    QMutexLocker lock(&d->mutex);
    d->handler = std::move(handler);
}

void LoopbackServer::enqueue(LoopbackResponse response)
{
    QMutexLocker lock(&d->mutex);
    d->queue.enqueue(std::move(response));
}

QList<LoopbackRequest> LoopbackServer::requests() const
{
    QMutexLocker lock(&d->mutex);
    return d->requests;
}

int LoopbackServer::requestCount() const
{
    QMutexLocker lock(&d->mutex);
    return int(d->requests.size());
}

int LoopbackServer::abortedResponses() const
{
    QMutexLocker lock(&d->mutex);
    return d->aborted;
}

quint16 LoopbackServer::closedPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 1;
    const quint16 port = probe.serverPort();
    probe.close(); // nothing listens there any more, so a connection is refused
    return port;
}

} // namespace docsight::test
