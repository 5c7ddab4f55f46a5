// The curl attempt: one request over libcurl (the only file that includes it), its failure explained
// for the analyst, and send()'s loop that repeats it as retrypolicy.h decides.
#include "net/httptransport.h"

#include "net/providererror.h"
#include "net/retrypolicy.h"

#include <algorithm>
#include <array>
#include <exception>
#include <mutex>
#include <thread>

#include <curl/curl.h>

#include <QLocale>
#include <QLoggingCategory>

namespace docsight {

Q_LOGGING_CATEGORY(lcHttp, "docsight.net.http")

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

// How often a running transfer looks at the cancel token and the idle clock, even when no byte moves.
constexpr milliseconds kPollInterval = 50ms;

void ensureCurlGlobalInit()
{
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            qCCritical(lcHttp) << "curl_global_init failed";
    });
}

QString hostLabel(const QUrl &url)
{
    const QString host = url.host();
    return url.port() > 0 ? host % QLatin1Char(':') % QString::number(url.port()) : host;
}

QString secondsText(milliseconds d)
{
    const double s = double(d.count()) / 1000.0;
    return QLocale::c().toString(s, 'g', s < 10 ? 2 : 4) % QStringLiteral(" s");
}

const char *errorName(HttpError e)
{
    switch (e) {
    case HttpError::None: return "ok";
    case HttpError::Network: return "network error";
    case HttpError::Timeout: return "timeout";
    case HttpError::Cancelled: return "cancelled";
    case HttpError::Http: return "http error";
    case HttpError::Tls: return "tls error";
    case HttpError::TooLarge: return "too large";
    }
    return "?";
}

// ---- one attempt ---------------------------------------------------------------------------------

struct Attempt {
    const HttpRequest *request = nullptr;
    HttpResponse response;
    qint64 received = 0;
    bool delivered = false;     // streamed bytes reached the caller: the attempt cannot be repeated
    bool stoppedByCaller = false;
    bool cancelled = false;
    bool tooLarge = false;
    bool idleTimedOut = false;
    Clock::time_point lastActivity = Clock::now();
    std::exception_ptr exception;

    bool streamingBody() const
    {
        return request->onData && response.status >= 200 && response.status < 300;
    }

    // Checked from curl's progress callback and between polls.
    bool shouldStop()
    {
        if (request->cancel.isCancelled())
            cancelled = true;
        else if (request->policy.idleTimeout > 0ms && Clock::now() - lastActivity > request->policy.idleTimeout)
            idleTimedOut = true;
        return cancelled || idleTimedOut;
    }
};

size_t onHeader(char *buffer, size_t size, size_t count, void *userdata)
{
    auto *a = static_cast<Attempt *>(userdata);
    const size_t n = size * count;
    a->lastActivity = Clock::now();
    const QByteArrayView line = QByteArrayView(buffer, qsizetype(n)).trimmed();
    if (line.startsWith("HTTP/")) {
        // A new status line starts a new header block (100 Continue, a proxy's CONNECT reply).
        a->response.headers.clear();
        const QList<QByteArray> parts = line.toByteArray().split(' ');
        a->response.status = parts.size() > 1 ? parts.at(1).toInt() : 0;
        return n;
    }
    const qsizetype colon = line.indexOf(':');
    if (colon > 0)
        a->response.headers.append({line.first(colon).trimmed().toByteArray().toLower(),
                                    line.sliced(colon + 1).trimmed().toByteArray()});
    return n;
}

size_t onBody(char *data, size_t size, size_t count, void *userdata)
{
    auto *a = static_cast<Attempt *>(userdata);
    const size_t n = size * count;
    a->lastActivity = Clock::now();
    a->received += qint64(n);
    if (a->received > a->request->maxResponseBytes) {
        a->tooLarge = true;
        return 0; // anything but n makes curl stop with CURLE_WRITE_ERROR
    }
    if (!a->streamingBody()) {
        a->response.body.append(data, qsizetype(n));
        return n;
    }
    if (n == 0)
        return 0;
    a->delivered = true;
    try {
        if (!a->request->onData(QByteArrayView(data, qsizetype(n)))) {
            a->stoppedByCaller = true;
            return 0;
        }
    } catch (...) {
        // An exception must not unwind through C code: keep it and rethrow once curl is done.
        a->exception = std::current_exception();
        return 0;
    }
    return n;
}

int onProgress(void *userdata, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    return static_cast<Attempt *>(userdata)->shouldStop() ? 1 : 0;
}

void classifyCurlFailure(Attempt &a, CURLcode code, CURL *easy, const char *errorBuffer)
{
    HttpResponse &r = a.response;
    const QString host = hostLabel(a.request->url);
    const QString detail = QString::fromUtf8(errorBuffer[0] ? errorBuffer : curl_easy_strerror(code));
    switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
        r.error = HttpError::Network;
        r.message = QStringLiteral("Could not find the server %1 (name lookup failed). Check the address and "
                                   "that this computer is online.").arg(host);
        return;
    case CURLE_COULDNT_RESOLVE_PROXY:
        r.error = HttpError::Network;
        r.message = QStringLiteral("Could not find the proxy server set in the environment (https_proxy / "
                                   "http_proxy) while connecting to %1.").arg(host);
        return;
    case CURLE_COULDNT_CONNECT:
        r.error = HttpError::Network;
        r.message = QStringLiteral("Could not connect to %1: the connection was refused or the network is "
                                   "unreachable. Check that the server is running and the network is up.").arg(host);
        return;
    case CURLE_OPERATION_TIMEDOUT: {
        curl_off_t connectUs = 0;
        curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &connectUs);
        r.error = HttpError::Timeout;
        r.message = connectUs == 0
            ? QStringLiteral("Could not connect to %1 within %2. Check the address and the network.")
                  .arg(host, secondsText(a.request->policy.connectTimeout))
            : QStringLiteral("%1 did not finish answering within %2. Try again, or allow a longer timeout.")
                  .arg(host, secondsText(a.request->policy.timeout));
        return;
    }
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
        r.error = HttpError::Tls;
        r.message = QStringLiteral("The certificate of %1 could not be verified, so no data was sent. If your "
                                   "organisation inspects HTTPS traffic, its root certificate must be installed "
                                   "on this computer.").arg(host);
        return;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_CLIENTCERT:
        r.error = HttpError::Tls;
        r.message = QStringLiteral("The secure (TLS) connection to %1 failed (%2). Check that the address "
                                   "should use https.").arg(host, detail);
        return;
    case CURLE_FILESIZE_EXCEEDED:
        r.error = HttpError::TooLarge;
        r.message = QStringLiteral("The response from %1 was larger than the %2 MB allowed.")
                        .arg(host).arg(a.request->maxResponseBytes / (1024 * 1024));
        return;
    case CURLE_GOT_NOTHING:
        r.error = HttpError::Network;
        r.message = QStringLiteral("%1 closed the connection without answering. Check that the server is "
                                   "healthy.").arg(host);
        return;
    case CURLE_WEIRD_SERVER_REPLY:
        r.error = HttpError::Network;
        r.message = QStringLiteral("%1 did not answer in HTTP. Check the address (http or https, and the "
                                   "port).").arg(host);
        return;
    default:
        r.error = HttpError::Network;
        r.message = r.status > 0
            ? QStringLiteral("The connection to %1 was lost before the response was complete (%2).").arg(host, detail)
            : QStringLiteral("The request to %1 failed: %2. Check the network connection.").arg(host, detail);
        return;
    }
}

} // namespace

// ---- shared curl state ----------------------------------------------------------------------------

struct HttpTransport::Shared {
    CURLSH *share = nullptr;
    std::array<std::mutex, CURL_LOCK_DATA_LAST> locks;

    static void lock(CURL *, curl_lock_data data, curl_lock_access, void *self)
    {
        static_cast<Shared *>(self)->locks.at(size_t(data)).lock();
    }
    static void unlock(CURL *, curl_lock_data data, void *self)
    {
        static_cast<Shared *>(self)->locks.at(size_t(data)).unlock();
    }
};

HttpTransport::HttpTransport()
    : m_shared(std::make_unique<Shared>())
{
    ensureCurlGlobalInit();
    // Sharing the DNS cache and TLS sessions spares a lookup and a full handshake on every call (one
    // embedding batch after another); connections themselves are not shared.
    m_shared->share = curl_share_init();
    if (m_shared->share) {
        curl_share_setopt(m_shared->share, CURLSHOPT_LOCKFUNC, &Shared::lock);
        curl_share_setopt(m_shared->share, CURLSHOPT_UNLOCKFUNC, &Shared::unlock);
        curl_share_setopt(m_shared->share, CURLSHOPT_USERDATA, m_shared.get());
        curl_share_setopt(m_shared->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
        curl_share_setopt(m_shared->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    }
}

HttpTransport::~HttpTransport()
{
    if (m_shared->share)
        curl_share_cleanup(m_shared->share);
}

namespace {

struct AttemptResult {
    HttpResponse response;
    bool delivered = false;
};

AttemptResult runAttempt(const HttpRequest &request, CURLSH *share)
{
    Attempt a;
    a.request = &request;

    CURL *easy = curl_easy_init();
    if (!easy) {
        a.response.error = HttpError::Network;
        a.response.message = QStringLiteral("Could not start a network request (out of resources).");
        return {std::move(a.response), false};
    }
    char errorBuffer[CURL_ERROR_SIZE] = {};
    const QByteArray url = request.url.toEncoded();

    // Keep loopback servers (Ollama, LM Studio) off any corporate proxy set in the environment, while
    // still honouring the user's own no_proxy list (setting CURLOPT_NOPROXY replaces curl's env lookup).
    QByteArray noProxy = qgetenv("no_proxy");
    if (noProxy.isEmpty())
        noProxy = qgetenv("NO_PROXY");
    if (noProxy.trimmed() != "*")
        noProxy += noProxy.isEmpty() ? "localhost,127.0.0.1,::1" : ",localhost,127.0.0.1,::1";

    curl_slist *headers = nullptr;
    bool hasExpect = false;
    for (const HttpHeader &h : request.headers) {
        if (h.first.contains('\n') || h.first.contains('\r') || h.second.contains('\n') || h.second.contains('\r')) {
            qCWarning(lcHttp) << "dropped a request header containing a line break";
            continue;
        }
        hasExpect = hasExpect || h.first.compare("expect", Qt::CaseInsensitive) == 0;
        headers = curl_slist_append(headers, QByteArray(h.first + ": " + h.second).constData());
    }
    // curl would otherwise hold back bodies over 1 MB for up to a second waiting for "100 Continue",
    // which some servers and proxies never send.
    if (!hasExpect)
        headers = curl_slist_append(headers, "Expect:");

    curl_easy_setopt(easy, CURLOPT_URL, url.constData());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L); // signals and threads do not mix
    curl_easy_setopt(easy, CURLOPT_SHARE, share);
    curl_easy_setopt(easy, CURLOPT_NOPROXY, noProxy.constData());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "Docsight/" DOCSIGHT_VERSION);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, long(request.policy.connectTimeout.count()));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, long(request.policy.timeout.count()));
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L); // long streams across NAT boxes
    curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(request.maxResponseBytes));
    if (!request.onData) // compressed event streams can be held back by the decoder; JSON compresses well
        curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &onHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &a);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &onBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, &onProgress);
    curl_easy_setopt(easy, CURLOPT_XFERINFODATA, &a);
    curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);

    const QByteArray method = request.method.toUpper();
    if (method == "GET") {
        curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else if (method == "HEAD") {
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else {
        if (method == "POST" || !request.body.isEmpty()) {
            curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.size()));
            curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.constData());
        }
        if (method != "POST")
            curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method.constData());
    }

    // The multi interface lets us wake every kPollInterval to notice a cancel promptly; curl_easy_perform
    // may sit up to a second in a quiet stream before calling the progress callback.
    CURLM *multi = curl_multi_init();
    curl_multi_add_handle(multi, easy);
    CURLcode code = CURLE_OK;
    for (;;) {
        int running = 0;
        if (curl_multi_perform(multi, &running) != CURLM_OK) {
            code = CURLE_OUT_OF_MEMORY;
            break;
        }
        if (running == 0) {
            int queued = 0;
            while (CURLMsg *msg = curl_multi_info_read(multi, &queued)) {
                if (msg->msg == CURLMSG_DONE)
                    code = msg->data.result;
            }
            break;
        }
        if (a.shouldStop()) {
            code = CURLE_ABORTED_BY_CALLBACK;
            break;
        }
        curl_multi_poll(multi, nullptr, 0, int(kPollInterval.count()), nullptr);
    }

    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    if (status > 0)
        a.response.status = int(status);

    HttpResponse &r = a.response;
    const QString host = hostLabel(request.url);
    if (a.exception) {
        r.error = HttpError::Cancelled;
    } else if (a.cancelled || a.stoppedByCaller) {
        r.error = HttpError::Cancelled;
        r.message = QStringLiteral("The request to %1 was cancelled.").arg(host);
    } else if (a.tooLarge) {
        r.error = HttpError::TooLarge;
        r.message = QStringLiteral("The response from %1 was larger than the %2 MB allowed.")
                        .arg(host).arg(request.maxResponseBytes / (1024 * 1024));
    } else if (a.idleTimedOut) {
        r.error = HttpError::Timeout;
        r.message = QStringLiteral("%1 stopped sending data for %2. Try again; if it keeps happening, the "
                                   "server may be overloaded.").arg(host, secondsText(request.policy.idleTimeout));
    } else if (code != CURLE_OK) {
        classifyCurlFailure(a, code, easy, errorBuffer);
    } else if (r.status < 200 || r.status >= 300) {
        r.error = HttpError::Http; // message written by send(), which knows the retry count
    }

    curl_multi_remove_handle(multi, easy);
    curl_multi_cleanup(multi);
    curl_easy_cleanup(easy);
    curl_slist_free_all(headers);

    if (a.exception)
        std::rethrow_exception(a.exception);
    return {std::move(a.response), a.delivered};
}

// Sleeps in short slices so a cancel is noticed within kPollInterval. False when cancelled.
bool waitUnlessCancelled(milliseconds delay, const CancelToken &cancel)
{
    const auto until = Clock::now() + delay;
    while (Clock::now() < until) {
        if (cancel.isCancelled())
            return false;
        std::this_thread::sleep_for(std::min<Clock::duration>(kPollInterval, until - Clock::now()));
    }
    return !cancel.isCancelled();
}

} // namespace

HttpResponse HttpTransport::send(const HttpRequest &request) const
{
    const auto started = Clock::now();
    const QString host = hostLabel(request.url);
    const QString scheme = request.url.scheme();
    HttpResponse result;
    if (!request.url.isValid() || request.url.host().isEmpty()
        || (scheme != QLatin1String("http") && scheme != QLatin1String("https"))) {
        result.error = HttpError::Network;
        result.message = QStringLiteral("The server address is not a valid http:// or https:// address.");
        return result;
    }

    QString overrideMessage;
    for (int attempt = 0;; ++attempt) {
        if (request.cancel.isCancelled()) {
            result = {};
            result.error = HttpError::Cancelled;
            result.message = QStringLiteral("The request to %1 was cancelled.").arg(host);
            result.retries = attempt;
            break;
        }
        const auto attemptStart = Clock::now();
        AttemptResult outcome = runAttempt(request, m_shared->share);
        result = std::move(outcome.response);
        result.retries = attempt;
        const auto latency = std::chrono::duration_cast<milliseconds>(Clock::now() - attemptStart);
        qCDebug(lcHttp).noquote() << request.method << host << "->" << result.status << "in" << latency.count()
                                  << "ms, attempt" << attempt + 1;

        if (attempt >= request.policy.maxRetries || outcome.delivered || !isRetryable(result))
            break;
        const std::optional<milliseconds> asked =
            result.error == HttpError::Http ? serverRetryDelay(result) : std::nullopt;
        if (asked && *asked > request.policy.retryAfterCap) {
            overrideMessage = QStringLiteral("%1 is busy or rate limiting requests (HTTP %2) and asked to wait %3 "
                                             "before trying again. Try again later.")
                                  .arg(host).arg(result.status).arg(secondsText(*asked));
            break;
        }
        const milliseconds wait = asked ? *asked : backoffDelay(request.policy, attempt);
        qCInfo(lcHttp).noquote() << request.method << host << "->" << result.status << errorName(result.error)
                                 << "after" << latency.count() << "ms; retry" << attempt + 1 << "of"
                                 << request.policy.maxRetries << "in" << wait.count() << "ms";
        if (!waitUnlessCancelled(wait, request.cancel)) {
            result = {};
            result.error = HttpError::Cancelled;
            result.message = QStringLiteral("The request to %1 was cancelled.").arg(host);
            result.retries = attempt + 1;
            break;
        }
    }

    if (!overrideMessage.isEmpty())
        result.message = overrideMessage;
    else if (result.error == HttpError::Http)
        result.message = describeHttpStatus(result.status, parseProviderError(result.body), host, result.retries);
    else if ((result.error == HttpError::Network || result.error == HttpError::Timeout) && result.retries > 0)
        result.message += QStringLiteral(" Tried %1 times.").arg(result.retries + 1);
    result.message = scrubSecrets(result.message, request.headers);
    result.elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - started);

    if (!result.ok() && result.error != HttpError::Cancelled)
        qCWarning(lcHttp).noquote() << request.method << host << "failed:" << errorName(result.error) << "status"
                                    << result.status << "after" << result.elapsed.count() << "ms," << result.retries
                                    << "retries";
    return result;
}

// ---- response ------------------------------------------------------------------------------------

QByteArray HttpResponse::header(QByteArrayView name) const
{
    for (const HttpHeader &h : headers) {
        if (QByteArrayView(h.first).compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

} // namespace docsight
