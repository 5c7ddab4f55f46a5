#pragma once

#include "net/httppolicy.h"

#include "util/canceltoken.h"

#include <chrono>
#include <functional>
#include <memory>
#include <utility>

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QUrl>

namespace docsight {

using HttpHeader = std::pair<QByteArray, QByteArray>;

struct HttpRequest {
    QByteArray method = QByteArrayLiteral("GET");
    QUrl url;
    QList<HttpHeader> headers;   // values of Authorization, x-api-key etc. never reach a log or message
    QByteArray body;

    HttpPolicy policy;                               // timeouts and retries; chat and the embedder set their own

    qint64 maxResponseBytes = 64 * 1024 * 1024;      // beyond this: TooLarge (also counts streamed bytes)

    // When set, the body of a 2xx response is handed over as it arrives instead of being collected in
    // HttpResponse::body (error bodies are still collected, to explain the failure). Return false to
    // stop the transfer (reported as Cancelled). Called on the thread that called send().
    std::function<bool(QByteArrayView)> onData;

    CancelToken cancel;
};

enum class HttpError {
    None,
    Network,   // DNS failure, connection refused or reset, connection lost
    Timeout,   // connect, overall or idle timeout
    Cancelled, // the token was cancelled or onData returned false
    Http,      // the server answered with a status outside 2xx
    Tls,       // certificate not trusted, handshake failed
    TooLarge,  // the response exceeded maxResponseBytes
};

struct HttpResponse {
    int status = 0;                // 0 when no HTTP response arrived
    QList<HttpHeader> headers;     // names lower-cased, in arrival order
    QByteArray body;               // empty when streamed to onData (except for error bodies)
    HttpError error = HttpError::None;
    QString message;               // analyst-facing; names the host, never a key
    int retries = 0;               // attempts made beyond the first
    std::chrono::milliseconds elapsed{0}; // all attempts and waits together

    bool ok() const noexcept { return error == HttpError::None; }
    // First value of a header (name in any case), empty when absent.
    QByteArray header(QByteArrayView name) const;
};

// A synchronous HTTP client over libcurl: send() blocks the calling thread until the response (or the
// last retry) is done, so call it from a worker thread, never the GUI thread. Safe to use from any number
// of threads at once; each call uses its own curl handle. TLS peers are always verified; proxies come from
// the environment (http_proxy, https_proxy, no_proxy), except that loopback addresses never use one.
class HttpTransport final
{
public:
    HttpTransport();
    ~HttpTransport();
    Q_DISABLE_COPY_MOVE(HttpTransport)

    // Must not be called after the transport is destroyed; calls may overlap from several threads.
    HttpResponse send(const HttpRequest &request) const;

private:
    struct Shared;
    std::unique_ptr<Shared> m_shared; // DNS cache and TLS sessions reused across calls
};

} // namespace docsight
