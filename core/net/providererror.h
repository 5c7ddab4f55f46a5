#pragma once

// What a provider's error response says, and the analyst-facing sentence for a failed HTTP status.

#include "net/httptransport.h"

#include <QByteArrayView>
#include <QList>
#include <QString>

namespace docsight {

// The error a provider put in its response body. OpenAI style {"error":{"message","type","code"}} and
// Anthropic style {"type":"error","error":{"type","message"}}; all empty when the body is neither.
struct ProviderError {
    QString message;
    QString type;
    QString code;
};
ProviderError parseProviderError(QByteArrayView body);

// True for the body of a 429 that will not clear by waiting (billing or quota exhausted).
bool isQuotaExhausted(const ProviderError &error);

// One analyst-facing sentence for a failed HTTP status, e.g. "The server at api.openai.com rejected the
// API key (HTTP 401). ...". retries is mentioned when non-zero. Secrets are not scrubbed here: use
// scrubSecrets on anything that may echo a request header.
QString describeHttpStatus(int status, const ProviderError &error, const QString &host, int retries);

// Replaces, in text, every secret carried by the headers (Authorization, Proxy-Authorization, x-api-key,
// api-key, x-goog-api-key values, also the token after "Bearer ") and anything shaped like an API key
// ("sk-...", "sk-ant-...") with "[redacted]". Providers echo (masked) keys in their error messages.
QString scrubSecrets(QString text, const QList<HttpHeader> &headers);

} // namespace docsight
