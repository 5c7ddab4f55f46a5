#pragma once

#include "llm/chatprovider.h"
#include "net/httppolicy.h"
#include "net/httptransport.h"
#include "net/sseparser.h"

#include <functional>
#include <optional>

#include <QUrl>

namespace docsight {

// What every HTTP chat provider needs to know. The key is held only in memory, sent only in its header.
struct HttpChatSettings {
    QUrl baseUrl;                 // up to and including /v1; empty: the provider's public endpoint
    QString apiKey;               // empty: no auth header (local servers)
    QString defaultModel;         // empty: the provider's own default
    int contextWindow = 0;        // 0: known model sizes, else a conservative default

    HttpPolicy policy;            // the defaults are chat's: a long answer from a slow local model
};

// The base URL joined with an endpoint path ("chat/completions"), keeping any path prefix ("/v1").
QUrl endpointUrl(const QUrl &base, QStringView path);

// An HttpRequest carrying the settings' policy.
HttpRequest baseHttpRequest(const HttpChatSettings &settings, const QUrl &url, const CancelToken &cancel);

// Whether a URL names this computer (localhost, 127.0.0.0/8, ::1).
bool isLoopbackUrl(const QUrl &url);

// Why a stream handler gave up on a stream that was otherwise arriving fine.
struct StreamFailure {
    ChatError kind = ChatError::Protocol;
    QString message;              // analyst-facing
};

// Outcome of one streamed request, for the provider to interpret.
struct SseStreamOutcome {
    HttpResponse response;
    std::optional<StreamFailure> failure; // the handler stopped the stream; message already scrubbed of keys
    int events = 0;                        // events handed to the handler
    bool endedMidEvent = false;            // the body ended inside an event (a dropped connection)
    QByteArray unparsedBody;               // the body when it held no event at all (stream:true ignored)
};

// Sends request and feeds a 2xx body through an SSE parser, calling onEvent per complete event.
// onEvent returns false, having filled *failure, to abandon the stream. Runs on the calling thread.
SseStreamOutcome sendEventStream(const HttpTransport &transport, HttpRequest request,
                                 const std::function<bool(const SseEvent &, StreamFailure *)> &onEvent);

// Fills result's error, message, status and retries from a failed transfer: the handler's failure
// first, then the transport's account. Does nothing when the transfer succeeded.
void applyStreamFailure(const SseStreamOutcome &outcome, ChatResult *result);

// The transport's error as a ChatError.
ChatError chatErrorFor(HttpError error);

// Model ids from an OpenAI- or Anthropic-style listing {"data":[{"id":...}]}, sorted.
QStringList parseModelIds(const QByteArray &json, QString *error);

} // namespace docsight
