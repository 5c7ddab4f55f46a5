#pragma once

#include "util/canceltoken.h"

#include <functional>
#include <optional>

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

namespace docsight {

struct ChatMessage {
    enum class Role { User, Assistant };
    Role role = Role::User;
    QString content;
};

// A passage as the prompt labels it. Language models read it from the rendered messages; the
// extractive answerer, which cannot read a prompt, reads these.
struct ChatSource {
    QString label;    // "S1"
    QString document;
    int page = 0;
    QString text;
    QString section = {}; // the passage's section heading (a table's title and column years), may be empty
};

struct ChatRequest {
    QString model;                  // empty: the provider's default
    QString system;
    QList<ChatMessage> messages;    // user/assistant alternating, first and last from the user
    std::optional<double> temperature;
    int maxTokens = 1024;
    CancelToken cancel;
    // Ask for the reply as one JSON object (JSON mode). OpenAI-style servers get response_format with this
    // schema (not strict: the caller validates); Anthropic, which has no JSON mode, gets the reply prefilled
    // with "{", and the provider puts that brace back at the start of the text. The extractive answerer
    // ignores it.
    bool jsonReply = false;
    QJsonObject jsonSchema;         // optional; empty asks for any JSON object

    QString question;               // the last user question, unwrapped
    QList<ChatSource> sources;      // what the last message's source blocks hold, in label order
};

struct ChatUsage {
    qint64 inputTokens = 0;
    qint64 outputTokens = 0;
    bool reported = false;          // false when the provider sent no usage (tokens are then 0)
};

enum class ChatError {
    None,
    Configuration, // no key, no model, bad base URL: fixable in the settings
    Network,       // connection refused, DNS, connection lost, TLS
    Timeout,
    Http,          // the provider answered with an error status
    Protocol,      // the stream was malformed or ended before the answer was complete
    Provider,      // the provider reported an error in the middle of the stream
    Cancelled,
};

struct ChatResult {
    QString text;                   // what arrived, also when the answer failed half-way
    ChatUsage usage;
    QString model;                  // as the provider reported it (else as requested)
    QString finishReason;           // "stop", "length", "end_turn", "max_tokens", ...
    ChatError error = ChatError::None;
    QString message;                // analyst-facing; never contains a key
    int httpStatus = 0;
    int retries = 0;

    bool ok() const noexcept { return error == ChatError::None; }
    // True when the provider stopped because it reached maxTokens: the answer is cut short.
    bool truncatedByLimit() const
    {
        return finishReason == QLatin1String("length") || finishReason == QLatin1String("max_tokens");
    }
};

struct ModelList {
    QStringList models;
    QString error;                  // analyst-facing; empty on success
};

// Called with each piece of answer text as it arrives, on the thread that called chat().
using ChatDeltaFn = std::function<void(QStringView delta)>;

// A source of answers: a language model behind an HTTP API, or the built-in extractive answerer.
// chat() blocks until the answer is complete, failed or cancelled (request.cancel), streaming text to
// onDelta meanwhile, so call it from a worker thread. Implementations are thread-safe.
class ChatProvider
{
public:
    virtual ~ChatProvider() = default;
    Q_DISABLE_COPY_MOVE(ChatProvider)

    virtual QString id() const = 0;            // "openai", "anthropic", "openai-compatible", "extractive"
    virtual QString defaultModel() const = 0;  // may be empty when the server must be asked (listModels)
    // Whether the prompt leaves this computer: decides what classification may be sent.
    virtual bool sendsDataOffDevice() const = 0;
    // Tokens the model accepts, prompt and answer together; a conservative guess for unknown models.
    virtual int contextWindow(const QString &model) const = 0;

    virtual ChatResult chat(const ChatRequest &request, const ChatDeltaFn &onDelta) = 0;
    virtual ModelList listModels(const CancelToken &cancel) = 0;

protected:
    ChatProvider() = default;
};

// The context window of well-known hosted models by name prefix; nullopt when unknown.
std::optional<int> knownContextWindow(QStringView model);

} // namespace docsight
