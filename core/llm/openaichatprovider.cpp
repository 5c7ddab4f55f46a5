#include "llm/openaichatprovider.h"

#include "net/httptransport.h"
#include "net/providererror.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

namespace docsight {

Q_LOGGING_CATEGORY(lcOpenAi, "docsight.llm.openai")

namespace {

// Reasoning models reject a temperature other than the default.
bool acceptsTemperature(const QString &model)
{
    const QString m = model.toLower();
    for (const char *prefix : {"o1", "o3", "o4", "gpt-5"}) {
        if (m.startsWith(QLatin1String(prefix)))
            return false;
    }
    return true;
}

QString roleName(ChatMessage::Role role)
{
    return role == ChatMessage::Role::Assistant ? QStringLiteral("assistant") : QStringLiteral("user");
}

// Reads a whole (non-streamed) chat.completion, for servers that ignore stream:true.
bool readCompletion(const QByteArray &body, ChatResult *result)
{
    const QJsonObject root = QJsonDocument::fromJson(body).object();
    const QJsonArray choices = root.value(QLatin1String("choices")).toArray();
    if (choices.isEmpty())
        return false;
    const QJsonObject choice = choices.first().toObject();
    const QJsonValue content = choice.value(QLatin1String("message")).toObject().value(QLatin1String("content"));
    if (!content.isString())
        return false;
    result->text = content.toString();
    result->finishReason = choice.value(QLatin1String("finish_reason")).toString();
    if (const QString model = root.value(QLatin1String("model")).toString(); !model.isEmpty())
        result->model = model;
    const QJsonObject usage = root.value(QLatin1String("usage")).toObject();
    if (!usage.isEmpty()) {
        result->usage = {usage.value(QLatin1String("prompt_tokens")).toInteger(),
                         usage.value(QLatin1String("completion_tokens")).toInteger(), true};
    }
    return true;
}

} // namespace

OpenAiChatProvider::OpenAiChatProvider(Flavor flavor, HttpChatSettings settings)
    : m_flavor(flavor)
    , m_settings(std::move(settings))
    , m_baseUrl(m_settings.baseUrl.isEmpty() ? defaultBaseUrl(flavor) : m_settings.baseUrl)
    , m_transport(std::make_unique<HttpTransport>())
{
}

OpenAiChatProvider::~OpenAiChatProvider() = default;

QUrl OpenAiChatProvider::defaultBaseUrl(Flavor flavor)
{
    return flavor == Flavor::OpenAi ? QUrl(QStringLiteral("https://api.openai.com/v1"))
                                    : QUrl(QStringLiteral("http://localhost:11434/v1"));
}

QString OpenAiChatProvider::id() const
{
    return m_flavor == Flavor::OpenAi ? QStringLiteral("openai") : QStringLiteral("openai-compatible");
}

QString OpenAiChatProvider::defaultModel() const
{
    if (!m_settings.defaultModel.isEmpty())
        return m_settings.defaultModel;
    return m_flavor == Flavor::OpenAi ? QStringLiteral("gpt-4o-mini") : QString();
}

bool OpenAiChatProvider::sendsDataOffDevice() const
{
    // OpenAI is a cloud service whatever the address: a loopback URL for it is a gateway or a tunnel.
    return m_flavor == Flavor::OpenAi || !isLoopbackUrl(m_baseUrl);
}

int OpenAiChatProvider::contextWindow(const QString &model) const
{
    if (m_settings.contextWindow > 0)
        return m_settings.contextWindow;
    if (const auto known = knownContextWindow(model))
        return *known;
    // Ollama runs models with a 4096-token context unless told otherwise, and silently drops the start
    // of a longer prompt, which would cut the instructions; unknown hosted models are at least this big.
    return m_flavor == Flavor::OpenAi ? 16'385 : 4'096;
}

QString OpenAiChatProvider::serviceName() const
{
    return m_flavor == Flavor::OpenAi ? QStringLiteral("OpenAI") : QStringLiteral("the server at %1").arg(m_baseUrl.host());
}

QList<HttpHeader> OpenAiChatProvider::authHeaders() const
{
    if (m_settings.apiKey.isEmpty())
        return {};
    return {{QByteArrayLiteral("Authorization"), "Bearer " + m_settings.apiKey.toUtf8()}};
}

QByteArray OpenAiChatProvider::requestBody(const ChatRequest &request, const QString &model) const
{
    QJsonArray messages;
    if (!request.system.isEmpty())
        messages.append(QJsonObject{{QStringLiteral("role"), QStringLiteral("system")},
                                    {QStringLiteral("content"), request.system}});
    for (const ChatMessage &m : request.messages)
        messages.append(QJsonObject{{QStringLiteral("role"), roleName(m.role)}, {QStringLiteral("content"), m.content}});
    QJsonObject body{{QStringLiteral("model"), model},
                     {QStringLiteral("messages"), messages},
                     {QStringLiteral("stream"), true},
                     {QStringLiteral("stream_options"), QJsonObject{{QStringLiteral("include_usage"), true}}}};
    // OpenAI deprecated max_tokens (reasoning models reject it); local servers know only max_tokens.
    body.insert(m_flavor == Flavor::OpenAi ? QStringLiteral("max_completion_tokens") : QStringLiteral("max_tokens"),
                request.maxTokens);
    if (request.temperature && (m_flavor == Flavor::Compatible || acceptsTemperature(model)))
        body.insert(QStringLiteral("temperature"), *request.temperature);
    if (request.jsonReply) {
        // Structured outputs where a schema is known (OpenAI, Ollama, llama.cpp server, LM Studio, vLLM);
        // not strict, since strict mode forbids optional fields and the caller validates anyway.
        body.insert(QStringLiteral("response_format"),
                    request.jsonSchema.isEmpty()
                        ? QJsonObject{{QStringLiteral("type"), QStringLiteral("json_object")}}
                        : QJsonObject{{QStringLiteral("type"), QStringLiteral("json_schema")},
                                      {QStringLiteral("json_schema"),
                                       QJsonObject{{QStringLiteral("name"), QStringLiteral("reply")},
                                                   {QStringLiteral("schema"), request.jsonSchema},
                                                   {QStringLiteral("strict"), false}}}});
    }
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

ChatResult OpenAiChatProvider::chat(const ChatRequest &request, const ChatDeltaFn &onDelta)
{
    ChatResult result;
    if (m_flavor == Flavor::OpenAi && m_settings.apiKey.isEmpty()) {
        result.error = ChatError::Configuration;
        result.message = QStringLiteral("No OpenAI API key is set. Store one in the system keychain or set OPENAI_API_KEY.");
        return result;
    }
    QString model = request.model.isEmpty() ? defaultModel() : request.model;
    if (model.isEmpty()) {
        // A local server usually has exactly the models the analyst pulled; take the first.
        const ModelList available = listModels(request.cancel);
        if (available.models.isEmpty()) {
            result.error = ChatError::Configuration;
            result.message = available.error.isEmpty()
                ? QStringLiteral("%1 lists no models; name one with the model setting.").arg(serviceName())
                : QStringLiteral("No model was named and the server's models could not be listed: %1").arg(available.error);
            return result;
        }
        model = available.models.constFirst();
    }
    result.model = model;

    HttpRequest http = baseHttpRequest(m_settings, endpointUrl(m_baseUrl, u"chat/completions"), request.cancel);
    http.method = QByteArrayLiteral("POST");
    http.headers = authHeaders();
    http.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    http.headers.append({QByteArrayLiteral("Accept"), QByteArrayLiteral("text/event-stream")});
    http.body = requestBody(request, model);

    bool done = false;
    const QString host = m_baseUrl.host();
    QElapsedTimer timer;
    timer.start();
    const SseStreamOutcome outcome = sendEventStream(*m_transport, http, [&](const SseEvent &event, StreamFailure *failure) {
        const QByteArray data = event.data.trimmed();
        if (data == "[DONE]") {
            done = true;
            return true;
        }
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(data, &parseError);
        if (!doc.isObject()) {
            *failure = {ChatError::Protocol,
                        QStringLiteral("%1 sent a stream event that is not valid JSON, so the answer is incomplete. "
                                       "Try again; if it persists, the server may not support streaming.").arg(serviceName())};
            return false;
        }
        const QJsonObject chunk = doc.object();
        if (const QJsonValue error = chunk.value(QLatin1String("error")); error.isObject() || error.isString()) {
            const ProviderError e = parseProviderError(data);
            *failure = {ChatError::Provider, QStringLiteral("%1 reported an error in the middle of the answer: %2")
                                                 .arg(serviceName(), e.message.isEmpty() ? QStringLiteral("unknown error") : e.message)};
            return false;
        }
        if (const QString m = chunk.value(QLatin1String("model")).toString(); !m.isEmpty())
            result.model = m;
        const QJsonArray choices = chunk.value(QLatin1String("choices")).toArray();
        if (!choices.isEmpty()) {
            const QJsonObject choice = choices.first().toObject();
            const QString delta = choice.value(QLatin1String("delta")).toObject().value(QLatin1String("content")).toString();
            if (!delta.isEmpty()) {
                result.text += delta;
                if (onDelta)
                    onDelta(delta);
            }
            if (const QString reason = choice.value(QLatin1String("finish_reason")).toString(); !reason.isEmpty())
                result.finishReason = reason;
        }
        if (const QJsonValue usage = chunk.value(QLatin1String("usage")); usage.isObject()) {
            const QJsonObject u = usage.toObject();
            result.usage = {u.value(QLatin1String("prompt_tokens")).toInteger(),
                            u.value(QLatin1String("completion_tokens")).toInteger(), true};
        }
        return true;
    });

    applyStreamFailure(outcome, &result);
    if (result.ok()) {
        if (outcome.events == 0) {
            if (!readCompletion(outcome.unparsedBody, &result)) {
                result.error = ChatError::Protocol;
                result.message = QStringLiteral("%1 answered, but not with a chat completion stream. Check the base URL "
                                                "(it should end in /v1).").arg(serviceName());
            } else if (onDelta) {
                onDelta(result.text);
            }
        } else if (!done && result.finishReason.isEmpty()) {
            // Usage may legitimately be missing after finish_reason; an answer without either end is cut off.
            result.error = ChatError::Protocol;
            result.message = QStringLiteral("The connection to %1 ended before the answer was complete; what arrived "
                                            "is shown, but it is unfinished. Try again.").arg(host);
        }
    }
    qCInfo(lcOpenAi).noquote() << id() << result.model << "status" << outcome.response.status << "in" << timer.elapsed()
                               << "ms, tokens" << result.usage.inputTokens << "/" << result.usage.outputTokens << "retries"
                               << outcome.response.retries << (result.ok() ? "ok" : "failed");
    return result;
}

ModelList OpenAiChatProvider::listModels(const CancelToken &cancel)
{
    HttpRequest http = baseHttpRequest(m_settings, endpointUrl(m_baseUrl, u"models"), cancel);
    http.headers = authHeaders();
    http.policy.timeout = std::min(http.policy.timeout, std::chrono::milliseconds(60'000));
    const HttpResponse response = m_transport->send(http);
    ModelList list;
    if (!response.ok()) {
        list.error = response.message;
        return list;
    }
    list.models = parseModelIds(response.body, &list.error);
    return list;
}

} // namespace docsight
