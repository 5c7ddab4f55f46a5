#include "llm/streamingchat.h"

#include "governance/policygate.h"
#include "net/providererror.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace docsight {

namespace {

// A server that ignored stream:true answers with one JSON document; keep enough of it to read.
constexpr qsizetype kMaxUnparsedBody = 8 * 1024 * 1024;

} // namespace

QUrl endpointUrl(const QUrl &base, QStringView path)
{
    QUrl url = base;
    QString prefix = base.path();
    if (!prefix.endsWith(QLatin1Char('/')))
        prefix += QLatin1Char('/');
    url.setPath(prefix + path.toString());
    return url;
}

HttpRequest baseHttpRequest(const HttpChatSettings &settings, const QUrl &url, const CancelToken &cancel)
{
    HttpRequest request;
    request.url = url;
    request.policy = settings.policy;
    request.cancel = cancel;
    return request;
}

bool isLoopbackUrl(const QUrl &url)
{
    return isLoopbackHost(url.host());
}

SseStreamOutcome sendEventStream(const HttpTransport &transport, HttpRequest request,
                                 const std::function<bool(const SseEvent &, StreamFailure *)> &onEvent)
{
    SseStreamOutcome outcome;
    SseParser parser;
    QByteArray raw;
    StreamFailure failure;
    bool failed = false;
    request.onData = [&](QByteArrayView chunk) {
        if (outcome.events == 0 && raw.size() < kMaxUnparsedBody)
            raw.append(chunk.data(), chunk.size());
        const QList<SseEvent> events = parser.feed(chunk);
        for (const SseEvent &event : events) {
            ++outcome.events;
            if (!onEvent(event, &failure)) {
                failed = true;
                return false;
            }
        }
        if (parser.overflowed()) {
            failure = {ChatError::Protocol,
                       QStringLiteral("The server at %1 sent a stream event larger than %2 MB; the answer was abandoned.")
                           .arg(request.url.host()).arg(SseParser::maxEventBytes / (1024 * 1024))};
            failed = true;
            return false;
        }
        return true;
    };
    outcome.response = transport.send(request);
    if (failed) {
        failure.message = scrubSecrets(failure.message, request.headers);
        outcome.failure = failure;
    } else if (outcome.response.ok()) {
        // An event cut off by a dropped connection is not handed on: its JSON would be partial.
        outcome.endedMidEvent = parser.flush().has_value() || parser.endedMidEvent();
    }
    if (outcome.events == 0)
        outcome.unparsedBody = raw;
    return outcome;
}

ChatError chatErrorFor(HttpError error)
{
    switch (error) {
    case HttpError::None: return ChatError::None;
    case HttpError::Network:
    case HttpError::Tls: return ChatError::Network;
    case HttpError::Timeout: return ChatError::Timeout;
    case HttpError::Cancelled: return ChatError::Cancelled;
    case HttpError::Http: return ChatError::Http;
    case HttpError::TooLarge: return ChatError::Protocol;
    }
    return ChatError::Network;
}

void applyStreamFailure(const SseStreamOutcome &outcome, ChatResult *result)
{
    result->httpStatus = outcome.response.status;
    result->retries = outcome.response.retries;
    if (outcome.failure) {
        result->error = outcome.failure->kind;
        result->message = outcome.failure->message;
        return;
    }
    if (outcome.response.ok())
        return;
    result->error = chatErrorFor(outcome.response.error);
    result->message = outcome.response.message; // scrubbed by the transport
}

QStringList parseModelIds(const QByteArray &json, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    const QJsonValue data = doc.object().value(QLatin1String("data"));
    if (!doc.isObject() || !data.isArray()) {
        if (error)
            *error = QStringLiteral("The model list could not be read (expected {\"data\": [...]}).");
        return {};
    }
    QStringList ids;
    for (const QJsonValue v : data.toArray()) {
        const QString id = v.toObject().value(QLatin1String("id")).toString();
        if (!id.isEmpty())
            ids << id;
    }
    ids.sort();
    ids.removeDuplicates();
    return ids;
}

} // namespace docsight
