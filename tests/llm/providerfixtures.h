#pragma once

// The providers' real wire formats, for loopback servers in the Ask tests.
#include "llm/streamingchat.h"

#include "loopbackserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

namespace docsight::test {

inline QByteArray compactJson(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// One chat.completion.chunk event carrying a piece of content (and optionally the finish reason).
inline QByteArray openAiChunk(const QString &content, const QString &finishReason = {},
                              const QString &model = QStringLiteral("gpt-4o-mini-2024-07-18"))
{
    QJsonObject delta;
    if (!content.isNull())
        delta.insert(QStringLiteral("content"), content);
    const QJsonObject choice{{QStringLiteral("index"), 0},
                             {QStringLiteral("delta"), delta},
                             {QStringLiteral("logprobs"), QJsonValue::Null},
                             {QStringLiteral("finish_reason"),
                              finishReason.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(finishReason)}};
    return LoopbackResponse::sseEvent(compactJson({{QStringLiteral("id"), QStringLiteral("chatcmpl-1")},
                                                   {QStringLiteral("object"), QStringLiteral("chat.completion.chunk")},
                                                   {QStringLiteral("created"), 1700000000},
                                                   {QStringLiteral("model"), model},
                                                   {QStringLiteral("system_fingerprint"), QStringLiteral("fp_1")},
                                                   {QStringLiteral("choices"), QJsonArray{choice}},
                                                   {QStringLiteral("usage"), QJsonValue::Null}}));
}

// The last chunk stream_options.include_usage asks for: no choices, only usage.
inline QByteArray openAiUsageChunk(int prompt, int completion)
{
    return LoopbackResponse::sseEvent(compactJson(
        {{QStringLiteral("id"), QStringLiteral("chatcmpl-1")},
         {QStringLiteral("object"), QStringLiteral("chat.completion.chunk")},
         {QStringLiteral("created"), 1700000000},
         {QStringLiteral("model"), QStringLiteral("gpt-4o-mini-2024-07-18")},
         {QStringLiteral("choices"), QJsonArray{}},
         {QStringLiteral("usage"), QJsonObject{{QStringLiteral("prompt_tokens"), prompt},
                                               {QStringLiteral("completion_tokens"), completion},
                                               {QStringLiteral("total_tokens"), prompt + completion}}}}));
}

// A whole, well-formed OpenAI stream: role chunk, a keep-alive comment, the pieces, finish, usage, [DONE].
inline QList<QByteArray> openAiStream(const QStringList &pieces, int prompt = 57, int completion = 12)
{
    QList<QByteArray> out;
    QJsonObject roleDelta{{QStringLiteral("role"), QStringLiteral("assistant")}, {QStringLiteral("content"), QString()}};
    out << LoopbackResponse::sseEvent(compactJson(
        {{QStringLiteral("id"), QStringLiteral("chatcmpl-1")},
         {QStringLiteral("object"), QStringLiteral("chat.completion.chunk")},
         {QStringLiteral("model"), QStringLiteral("gpt-4o-mini-2024-07-18")},
         {QStringLiteral("choices"), QJsonArray{QJsonObject{{QStringLiteral("index"), 0},
                                                            {QStringLiteral("delta"), roleDelta},
                                                            {QStringLiteral("finish_reason"), QJsonValue::Null}}}}}));
    out << QByteArray(": keep-alive\n\n");
    for (const QString &p : pieces)
        out << openAiChunk(p);
    out << openAiChunk(QString(), QStringLiteral("stop")) << openAiUsageChunk(prompt, completion)
        << QByteArray("data: [DONE]\n\n");
    return out;
}

inline QByteArray anthropicEvent(const QByteArray &type, const QJsonObject &data)
{
    QJsonObject d = data;
    d.insert(QStringLiteral("type"), QString::fromLatin1(type));
    return LoopbackResponse::sseEvent(compactJson(d), type);
}

inline QByteArray anthropicTextDelta(const QString &text)
{
    return anthropicEvent("content_block_delta",
                          {{QStringLiteral("index"), 0},
                           {QStringLiteral("delta"), QJsonObject{{QStringLiteral("type"), QStringLiteral("text_delta")},
                                                                 {QStringLiteral("text"), text}}}});
}

inline QByteArray anthropicMessageStart(int inputTokens)
{
    const QJsonObject message{{QStringLiteral("id"), QStringLiteral("msg_01")},
                              {QStringLiteral("type"), QStringLiteral("message")},
                              {QStringLiteral("role"), QStringLiteral("assistant")},
                              {QStringLiteral("model"), QStringLiteral("claude-haiku-4-5-20251001")},
                              {QStringLiteral("content"), QJsonArray{}},
                              {QStringLiteral("stop_reason"), QJsonValue::Null},
                              {QStringLiteral("usage"), QJsonObject{{QStringLiteral("input_tokens"), inputTokens},
                                                                    {QStringLiteral("output_tokens"), 1}}}};
    return anthropicEvent("message_start", {{QStringLiteral("message"), message}});
}

// The event sequence of a complete Messages stream.
inline QList<QByteArray> anthropicStream(const QStringList &pieces, int inputTokens = 120, int outputTokens = 15,
                                         bool complete = true)
{
    QList<QByteArray> out;
    out << anthropicMessageStart(inputTokens)
        << anthropicEvent("content_block_start",
                          {{QStringLiteral("index"), 0},
                           {QStringLiteral("content_block"), QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                                                                         {QStringLiteral("text"), QString()}}}})
        << anthropicEvent("ping", {});
    for (const QString &p : pieces)
        out << anthropicTextDelta(p);
    if (!complete)
        return out;
    out << anthropicEvent("content_block_stop", {{QStringLiteral("index"), 0}})
        << anthropicEvent("message_delta",
                          {{QStringLiteral("delta"), QJsonObject{{QStringLiteral("stop_reason"), QStringLiteral("end_turn")},
                                                                 {QStringLiteral("stop_sequence"), QJsonValue::Null}}},
                           {QStringLiteral("usage"), QJsonObject{{QStringLiteral("output_tokens"), outputTokens}}}})
        << anthropicEvent("message_stop", {});
    return out;
}

// A 401 body as OpenAI sends it for a bad key, echoing the key it was given (OpenAI masks most of it).
inline QByteArray openAiBadKeyBody(const QByteArray &echoedKey)
{
    return compactJson({{QStringLiteral("error"),
                         QJsonObject{{QStringLiteral("message"), QString(QStringLiteral("Incorrect API key provided: ") + QString::fromUtf8(echoedKey))},
                                     {QStringLiteral("type"), QStringLiteral("invalid_request_error")},
                                     {QStringLiteral("param"), QJsonValue::Null},
                                     {QStringLiteral("code"), QStringLiteral("invalid_api_key")}}}});
}

inline QByteArray anthropicBadKeyBody(const QByteArray &echoedKey)
{
    return compactJson({{QStringLiteral("type"), QStringLiteral("error")},
                        {QStringLiteral("error"),
                         QJsonObject{{QStringLiteral("type"), QStringLiteral("authentication_error")},
                                     {QStringLiteral("message"), QString(QStringLiteral("invalid x-api-key ") + QString::fromUtf8(echoedKey))}}}});
}

// Settings pointing at a loopback server with short timeouts and quick retries.
inline HttpChatSettings loopbackSettings(const LoopbackServer &server, const QString &apiKey = {})
{
    using namespace std::chrono_literals;
    HttpChatSettings s;
    s.baseUrl = server.url(QStringLiteral("/v1"));
    s.apiKey = apiKey;
    s.policy.connectTimeout = 5s;
    s.policy.timeout = 20s;
    s.policy.idleTimeout = 5s;
    s.policy.maxRetries = 2;
    s.policy.backoffBase = 10ms;
    s.policy.backoffCap = 40ms;
    return s;
}

// All message texts of a chat request body, system prompt included (either API's shape).
inline QStringList requestTexts(const QJsonObject &body)
{
    QStringList texts;
    if (body.value(QLatin1String("system")).isString())
        texts << body.value(QLatin1String("system")).toString();
    for (const QJsonValue m : body.value(QLatin1String("messages")).toArray())
        texts << m.toObject().value(QLatin1String("content")).toString();
    return texts;
}

} // namespace docsight::test
