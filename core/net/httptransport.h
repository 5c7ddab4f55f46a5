#pragma once

#include "util/canceltoken.h"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
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

    std::chrono::milliseconds connectTimeout{10'000};
    std::chrono::milliseconds timeout{120'000};      // whole attempt, including the response body; 0 = none
    std::chrono::milliseconds idleTimeout{60'000};   // no byte received for this long; 0 = none

    int maxRetries = 2;                              // extra attempts after the first
    std::chrono::milliseconds backoffBase{500};      // first retry waits about this long, doubling each time
    std::chrono::milliseconds backoffCap{8'000};
    std::chrono::milliseconds retryAfterCap{60'000}; // a server asking for a longer wait is not retried

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

// The error a provider put in its response body. OpenAI style {"error":{"message","type","code"}} and
// Anthropic style {"type":"error","error":{"type","message"}}; all empty when the body is neither.
struct ProviderError {
    QString message;
    QString type;
    QString code;
};
ProviderError parseProviderError(QByteArrayView body);

// True for the body of a 429 that will not clear by waiting (billing or quota exhausted).
bool isQuotaExhausted(const ProviderError &error);

// One analyst-facing sentence for a failed HTTP status, e.g. "The server at api.openai.com rejected the
// API key (HTTP 401). ...". retries is mentioned when non-zero. Secrets are not scrubbed here: use
// scrubSecrets on anything that may echo a request header.
QString describeHttpStatus(int status, const ProviderError &error, const QString &host, int retries);

// Replaces, in text, every secret carried by the headers (Authorization, Proxy-Authorization, x-api-key,
// api-key, x-goog-api-key values, also the token after "Bearer ") and anything shaped like an API key
// ("sk-...", "sk-ant-...") with "[redacted]". Providers echo (masked) keys in their error messages.
QString scrubSecrets(QString text, const QList<HttpHeader> &headers);

// How long the server asked us to wait: Retry-After (seconds or an HTTP date), retry-after-ms, or on a
// 429 the x-ratelimit-reset-* header of an exhausted limit ("6m0s", "20ms"). nullopt when none says.
std::optional<std::chrono::milliseconds> serverRetryDelay(const HttpResponse &response,
                                                          const QDateTime &nowUtc = QDateTime::currentDateTimeUtc());

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
