#pragma once

#include "search/embedder.h"

#include "net/httppolicy.h"

#include <atomic>
#include <chrono>
#include <memory>

#include <QUrl>

namespace docsight {

class HttpTransport;

struct OpenAiEmbedderSettings {
    QUrl baseUrl;            // up to and including /v1, e.g. http://localhost:11434/v1
    QString model;           // e.g. "nomic-embed-text", "text-embedding-3-small"
    QString apiKey;          // empty for local servers: then no Authorization header is sent
    int batchSize = 64;      // texts per request
    int dimensions = 0;      // 0: learned from the first response

    // Chat's policy except for the embedder's own values, kept as they were: 300 s per batch (CPU-only
    // local servers are slow, but a batch is bounded, unlike an answer), and since a batch can simply be
    // sent again, one retry more than chat with half its backoff.
    HttpPolicy policy{.timeout = std::chrono::milliseconds(300'000), .maxRetries = 3,
                      .backoffBase = std::chrono::milliseconds(500), .backoffCap = std::chrono::milliseconds(8'000)};
};

// Embeddings from any server speaking OpenAI's POST {base}/embeddings: OpenAI, Ollama, LM Studio,
// llama.cpp server, vLLM. Sends texts in batches, retries transient failures, returns L2-normalised vectors
// and rejects responses whose size does not match (a model swapped behind the same name would otherwise
// silently mix incomparable vectors into the index). Thread-safe.
class OpenAiEmbedder final : public Embedder
{
public:
    explicit OpenAiEmbedder(OpenAiEmbedderSettings settings);
    ~OpenAiEmbedder() override;
    Q_DISABLE_COPY_MOVE(OpenAiEmbedder)

    // "openai-compatible-<model>-<dimensions>". While the dimensions are still unknown (not given, nothing
    // embedded yet) it ends in "-0": call probeDimensions() first when the id must be final.
    QString id() const override;
    int dimensions() const override;
    QString description() const override;
    EmbedResult embed(const QStringList &texts, const CancelToken &cancel) override;

    // Embeds one short text to learn the dimensions. Returns an analyst-facing error, empty on success.
    QString probeDimensions(const CancelToken &cancel);

    // Model names made safe for file names: "nomic-embed-text:latest" -> "nomic-embed-text-latest".
    static QString sanitizeModelName(const QString &model);

private:
    EmbedResult embedBatch(const QStringList &texts, const CancelToken &cancel);

    const OpenAiEmbedderSettings m_settings;
    const QUrl m_endpoint;
    std::unique_ptr<HttpTransport> m_transport;
    std::atomic_int m_dimensions{0};
};

} // namespace docsight
