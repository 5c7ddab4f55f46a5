#include "llm/anthropicprovider.h"

#include "net/httptransport.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QUrlQuery>

namespace docsight {

Q_LOGGING_CATEGORY(lcAnthropic, "docsight.llm.anthropic")

namespace {

constexpr int kMaxModelPages = 10;

QString streamErrorMessage(const QJsonObject &error)
{
    const QString type = error.value(QLatin1String("type")).toString();
    QString detail = error.value(QLatin1String("message")).toString().simplified().left(300);
    while (detail.endsWith(QLatin1Char('.')))
        detail.chop(1);
    QString advice;
    if (type == QLatin1String("overloaded_error"))
        advice = QStringLiteral(" Anthropic is overloaded; try again in a few minutes.");
    else if (type == QLatin1String("rate_limit_error"))
        advice = QStringLiteral(" The rate limit was reached; wait a minute and try again.");
    else if (type == QLatin1String("api_error"))
        advice = QStringLiteral(" Try again later.");
    return QStringLiteral("Anthropic stopped the answer with an error (%1)%2.%3")
        .arg(type.isEmpty() ? QStringLiteral("unknown") : type,
             detail.isEmpty() ? QString() : QStringLiteral(": ") + detail, advice);
}

} // namespace

AnthropicProvider::AnthropicProvider(HttpChatSettings settings)
    : m_settings(std::move(settings))
    , m_baseUrl(m_settings.baseUrl.isEmpty() ? defaultBaseUrl() : m_settings.baseUrl)
    , m_transport(std::make_unique<HttpTransport>())
{
}

AnthropicProvider::~AnthropicProvider() = default;

QUrl AnthropicProvider::defaultBaseUrl()
{
    return QUrl(QStringLiteral("https://api.anthropic.com/v1"));
}

QString AnthropicProvider::id() const
{
    return QStringLiteral("anthropic");
}

QString AnthropicProvider::defaultModel() const
{
    return m_settings.defaultModel.isEmpty() ? QStringLiteral("claude-haiku-4-5") : m_settings.defaultModel;
}

bool AnthropicProvider::sendsDataOffDevice() const
{
    // A cloud service whatever the address: a loopback URL for it is a gateway or a tunnel.
    return true;
}

int AnthropicProvider::contextWindow(const QString &model) const
{
    if (m_settings.contextWindow > 0)
        return m_settings.contextWindow;
    return knownContextWindow(model).value_or(200'000);
}

QList<HttpHeader> AnthropicProvider::headers() const
{
    return {{QByteArrayLiteral("x-api-key"), m_settings.apiKey.toUtf8()},
            {QByteArrayLiteral("anthropic-version"), QByteArrayLiteral("2023-06-01")}};
}

QByteArray AnthropicProvider::requestBody(const ChatRequest &request, const QString &model) const
{
    // The API wants user/assistant strictly alternating, starting with the user: merge any neighbours
    // of the same role rather than let a trimmed history be rejected.
    QJsonArray messages;
    QString pendingText;
    std::optional<ChatMessage::Role> pendingRole;
    const auto flush = [&] {
        if (!pendingRole)
            return;
        messages.append(QJsonObject{
            {QStringLiteral("role"), *pendingRole == ChatMessage::Role::User ? QStringLiteral("user") : QStringLiteral("assistant")},
            {QStringLiteral("content"), pendingText}});
    };
    for (const ChatMessage &m : request.messages) {
        if (!pendingRole && m.role == ChatMessage::Role::Assistant)
            continue;
        if (pendingRole == m.role) {
            pendingText += QStringLiteral("\n\n") + m.content;
            continue;
        }
        flush();
        pendingRole = m.role;
        pendingText = m.content;
    }
    flush();
    // No JSON mode in the Messages API: the documented way is to start the assistant's reply with "{".
    if (request.jsonReply)
        messages.append(QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")},
                                    {QStringLiteral("content"), QStringLiteral("{")}});
    QJsonObject body{{QStringLiteral("model"), model},
                     {QStringLiteral("max_tokens"), request.maxTokens},
                     {QStringLiteral("messages"), messages},
                     {QStringLiteral("stream"), true}};
    if (!request.system.isEmpty())
        body.insert(QStringLiteral("system"), request.system);
    if (request.temperature)
        body.insert(QStringLiteral("temperature"), *request.temperature);
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

ChatResult AnthropicProvider::chat(const ChatRequest &request, const ChatDeltaFn &onDelta)
{
    ChatResult result;
    if (m_settings.apiKey.isEmpty()) {
        result.error = ChatError::Configuration;
        result.message = QStringLiteral("No Anthropic API key is set. Store one in the system keychain or set ANTHROPIC_API_KEY.");
        return result;
    }
    const QString model = request.model.isEmpty() ? defaultModel() : request.model;
    result.model = model;

    HttpRequest http = baseHttpRequest(m_settings, endpointUrl(m_baseUrl, u"messages"), request.cancel);
    http.method = QByteArrayLiteral("POST");
    http.headers = headers();
    http.headers.append({QByteArrayLiteral("content-type"), QByteArrayLiteral("application/json")});
    http.headers.append({QByteArrayLiteral("accept"), QByteArrayLiteral("text/event-stream")});
    http.body = requestBody(request, model);

    bool stopped = false;
    // The prefilled "{" is not streamed back; it goes in front of the first text that is.
    bool restoreBrace = request.jsonReply;
    QElapsedTimer timer;
    timer.start();
    const SseStreamOutcome outcome = sendEventStream(*m_transport, http, [&](const SseEvent &event, StreamFailure *failure) {
        const QJsonDocument doc = QJsonDocument::fromJson(event.data);
        if (!doc.isObject()) {
            *failure = {ChatError::Protocol, QStringLiteral("Anthropic sent a stream event that is not valid JSON, so the "
                                                            "answer is incomplete. Try again.")};
            return false;
        }
        const QJsonObject data = doc.object();
        // The data's own type is authoritative; the event: line only repeats it.
        QString type = data.value(QLatin1String("type")).toString();
        if (type.isEmpty())
            type = QString::fromUtf8(event.event);
        if (type == QLatin1String("content_block_delta")) {
            const QJsonObject delta = data.value(QLatin1String("delta")).toObject();
            if (delta.value(QLatin1String("type")).toString() == QLatin1String("text_delta")) {
                QString text = delta.value(QLatin1String("text")).toString();
                if (!text.isEmpty() && restoreBrace) {
                    text.prepend(QLatin1Char('{'));
                    restoreBrace = false;
                }
                if (!text.isEmpty()) {
                    result.text += text;
                    if (onDelta)
                        onDelta(text);
                }
            }
        } else if (type == QLatin1String("message_start")) {
            const QJsonObject message = data.value(QLatin1String("message")).toObject();
            if (const QString m = message.value(QLatin1String("model")).toString(); !m.isEmpty())
                result.model = m;
            const QJsonObject usage = message.value(QLatin1String("usage")).toObject();
            // Cached prompt tokens are reported apart from input_tokens; they were still read.
            result.usage.inputTokens = usage.value(QLatin1String("input_tokens")).toInteger()
                + usage.value(QLatin1String("cache_creation_input_tokens")).toInteger()
                + usage.value(QLatin1String("cache_read_input_tokens")).toInteger();
            result.usage.outputTokens = usage.value(QLatin1String("output_tokens")).toInteger();
            result.usage.reported = !usage.isEmpty();
        } else if (type == QLatin1String("message_delta")) {
            if (const QString reason = data.value(QLatin1String("delta")).toObject().value(QLatin1String("stop_reason")).toString();
                !reason.isEmpty())
                result.finishReason = reason;
            const QJsonObject usage = data.value(QLatin1String("usage")).toObject();
            if (usage.contains(QLatin1String("output_tokens"))) { // cumulative, not a delta
                result.usage.outputTokens = usage.value(QLatin1String("output_tokens")).toInteger();
                result.usage.reported = true;
            }
        } else if (type == QLatin1String("message_stop")) {
            stopped = true;
        } else if (type == QLatin1String("error")) {
            *failure = {ChatError::Provider, streamErrorMessage(data.value(QLatin1String("error")).toObject())};
            return false;
        }
        // ping, content_block_start/stop and event types added later carry nothing we need.
        return true;
    });

    applyStreamFailure(outcome, &result);
    if (result.ok() && !stopped) {
        result.error = ChatError::Protocol;
        result.message = outcome.events == 0
            ? QStringLiteral("The server at %1 answered, but not with a Messages event stream. Check the base URL "
                             "(it should end in /v1).").arg(m_baseUrl.host())
            : QStringLiteral("The connection to %1 ended before the answer was complete; what arrived is shown, but it "
                             "is unfinished. Try again.").arg(m_baseUrl.host());
    }
    qCInfo(lcAnthropic).noquote() << "anthropic" << result.model << "status" << outcome.response.status << "in"
                                  << timer.elapsed() << "ms, tokens" << result.usage.inputTokens << "/"
                                  << result.usage.outputTokens << "retries" << outcome.response.retries
                                  << (result.ok() ? "ok" : "failed");
    return result;
}

ModelList AnthropicProvider::listModels(const CancelToken &cancel)
{
    ModelList list;
    if (m_settings.apiKey.isEmpty()) {
        list.error = QStringLiteral("No Anthropic API key is set.");
        return list;
    }
    QString afterId;
    for (int page = 0; page < kMaxModelPages; ++page) {
        QUrl url = endpointUrl(m_baseUrl, u"models");
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("limit"), QStringLiteral("1000"));
        if (!afterId.isEmpty())
            query.addQueryItem(QStringLiteral("after_id"), afterId);
        url.setQuery(query);
        HttpRequest http = baseHttpRequest(m_settings, url, cancel);
        http.headers = headers();
        http.policy.timeout = std::min(http.policy.timeout, std::chrono::milliseconds(60'000));
        const HttpResponse response = m_transport->send(http);
        if (!response.ok()) {
            list.error = response.message;
            return list;
        }
        list.models += parseModelIds(response.body, &list.error);
        if (!list.error.isEmpty())
            return list;
        const QJsonObject root = QJsonDocument::fromJson(response.body).object();
        afterId = root.value(QLatin1String("last_id")).toString();
        if (!root.value(QLatin1String("has_more")).toBool() || afterId.isEmpty())
            break;
    }
    list.models.sort();
    list.models.removeDuplicates();
    return list;
}

} // namespace docsight
