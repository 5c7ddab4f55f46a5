#pragma once

#include "llm/chatprovider.h"
#include "llm/streamingchat.h"

#include <memory>

namespace docsight {

class HttpTransport;

// OpenAI's Chat Completions API, streamed (SSE, usage in the last chunk via stream_options), and the
// same API as served by local servers: Ollama, LM Studio, llama.cpp server, vLLM. The Compatible flavour
// needs no key, sends max_tokens instead of max_completion_tokens, and when no model is named uses the
// first one the server lists. Thread-safe.
class OpenAiChatProvider final : public ChatProvider
{
public:
    enum class Flavor { OpenAi, Compatible };

    OpenAiChatProvider(Flavor flavor, HttpChatSettings settings);
    ~OpenAiChatProvider() override;
    Q_DISABLE_COPY_MOVE(OpenAiChatProvider)

    static QUrl defaultBaseUrl(Flavor flavor); // api.openai.com/v1, or Ollama's localhost:11434/v1

    QString id() const override;
    QString defaultModel() const override;
    bool sendsDataOffDevice() const override;
    int contextWindow(const QString &model) const override;
    ChatResult chat(const ChatRequest &request, const ChatDeltaFn &onDelta) override;
    ModelList listModels(const CancelToken &cancel) override;

    // The JSON body chat() posts (exposed for tests and for logging its size).
    QByteArray requestBody(const ChatRequest &request, const QString &model) const;

private:
    QList<HttpHeader> authHeaders() const;
    QString serviceName() const;

    const Flavor m_flavor;
    const HttpChatSettings m_settings;
    const QUrl m_baseUrl;
    std::unique_ptr<HttpTransport> m_transport;
};

} // namespace docsight
