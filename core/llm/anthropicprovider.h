#pragma once

#include "llm/chatprovider.h"
#include "llm/streamingchat.h"

#include <memory>

namespace docsight {

class HttpTransport;

// Anthropic's Messages API, streamed: text from content_block_delta events, input tokens from
// message_start, output tokens from message_delta, and an `error` event that can arrive mid-stream.
// Thread-safe.
class AnthropicProvider final : public ChatProvider
{
public:
    explicit AnthropicProvider(HttpChatSettings settings);
    ~AnthropicProvider() override;
    Q_DISABLE_COPY_MOVE(AnthropicProvider)

    static QUrl defaultBaseUrl(); // https://api.anthropic.com/v1

    QString id() const override;
    QString defaultModel() const override;
    bool sendsDataOffDevice() const override;
    int contextWindow(const QString &model) const override;
    ChatResult chat(const ChatRequest &request, const ChatDeltaFn &onDelta) override;
    ModelList listModels(const CancelToken &cancel) override;

    QByteArray requestBody(const ChatRequest &request, const QString &model) const;

private:
    QList<HttpHeader> headers() const;

    const HttpChatSettings m_settings;
    const QUrl m_baseUrl;
    std::unique_ptr<HttpTransport> m_transport;
};

} // namespace docsight
