// Reading the error a provider put in its response body, and the analyst-facing sentence for a failed
// HTTP status, scrubbed of the keys that providers echo back.
#include "net/providererror.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QRegularExpression>

namespace docsight {

namespace {

QString retriesSuffix(int retries)
{
    if (retries <= 0)
        return {};
    return retries == 1 ? QStringLiteral(" (after 1 retry)") : QStringLiteral(" (after %1 retries)").arg(retries);
}

QString withDetail(const ProviderError &error)
{
    QString m = error.message.simplified();
    if (m.isEmpty())
        return {};
    if (m.size() > 300)
        m = m.left(300) % QChar(0x2026);
    return QStringLiteral(": ") % m;
}

QString jsonText(const QJsonValue &v)
{
    if (v.isString())
        return v.toString();
    if (v.isDouble())
        return QString::number(v.toInteger());
    return {};
}

} // namespace

ProviderError parseProviderError(QByteArrayView body)
{
    ProviderError e;
    const QJsonDocument doc = QJsonDocument::fromJson(body.toByteArray());
    if (!doc.isObject())
        return e;
    const QJsonObject root = doc.object();
    const QJsonValue error = root.value(QLatin1String("error"));
    if (error.isObject()) { // OpenAI and Anthropic
        const QJsonObject o = error.toObject();
        e.message = jsonText(o.value(QLatin1String("message")));
        e.type = jsonText(o.value(QLatin1String("type")));
        e.code = jsonText(o.value(QLatin1String("code")));
    } else if (error.isString()) { // Ollama's native API
        e.message = error.toString();
    } else if (root.contains(QLatin1String("message"))) { // vLLM: {"object":"error","message",...}
        e.message = jsonText(root.value(QLatin1String("message")));
        e.type = jsonText(root.value(QLatin1String("type")));
        e.code = jsonText(root.value(QLatin1String("code")));
    } else if (root.value(QLatin1String("detail")).isString()) { // FastAPI-based servers
        e.message = root.value(QLatin1String("detail")).toString();
    }
    return e;
}

bool isQuotaExhausted(const ProviderError &error)
{
    const auto q = QLatin1String("insufficient_quota");
    return error.type == q || error.code == q
        || error.code == QLatin1String("billing_hard_limit_reached")
        || error.message.contains(QLatin1String("exceeded your current quota"), Qt::CaseInsensitive)
        || error.message.contains(QLatin1String("credit balance"), Qt::CaseInsensitive);
}

QString describeHttpStatus(int status, const ProviderError &error, const QString &host, int retries)
{
    const QString retried = retriesSuffix(retries);
    if (isQuotaExhausted(error))
        return QStringLiteral("The account used with %1 has run out of credit or quota (HTTP %2). Check the plan "
                              "and billing with the provider; retrying will not help.").arg(host).arg(status);
    switch (status) {
    case 401:
        return QStringLiteral("The server at %1 rejected the API key (HTTP 401). Check the key in the provider "
                              "settings or the environment variable.").arg(host);
    case 403:
        return QStringLiteral("The server at %1 refused access with this API key (HTTP 403)%2. Check that the key "
                              "is valid and allowed to use this model.").arg(host, withDetail(error));
    case 404:
        return QStringLiteral("The model or address was not found on %1 (HTTP 404)%2. Check the model name and "
                              "the base URL.").arg(host, withDetail(error));
    case 408:
    case 504:
        return QStringLiteral("%1 timed out while handling the request (HTTP %2)%3. Try again later.")
            .arg(host).arg(status).arg(retried);
    case 413:
        return QStringLiteral("The request was too large for %1 (HTTP 413)%2.").arg(host, withDetail(error));
    case 429:
        return QStringLiteral("%1 is rate limiting requests (HTTP 429)%2. Wait a minute and try again.")
            .arg(host, retried);
    case 529:
        return QStringLiteral("%1 is overloaded (HTTP 529)%2. Try again in a few minutes.").arg(host, retried);
    case 503:
        return QStringLiteral("%1 is temporarily unavailable (HTTP 503)%2. Try again later.").arg(host, retried);
    default:
        break;
    }
    if (status >= 500)
        return QStringLiteral("%1 had a server error (HTTP %2)%3%4. Try again later.")
            .arg(host).arg(status).arg(withDetail(error), retried);
    if (status >= 300 && status < 400)
        return QStringLiteral("%1 redirected the request elsewhere (HTTP %2). Check the base URL.").arg(host).arg(status);
    if (status >= 400)
        return QStringLiteral("%1 rejected the request (HTTP %2)%3.").arg(host).arg(status).arg(withDetail(error));
    return QStringLiteral("%1 answered with an unexpected HTTP status %2.").arg(host).arg(status);
}

QString scrubSecrets(QString text, const QList<HttpHeader> &headers)
{
    static const QRegularExpression keyShaped(QStringLiteral(R"(\bsk-[A-Za-z0-9_\-\*\.]{6,})"));
    const auto redacted = QStringLiteral("[redacted]");
    for (const HttpHeader &h : headers) {
        const QByteArray name = h.first.toLower();
        if (name != "authorization" && name != "proxy-authorization" && name != "x-api-key" && name != "api-key"
            && name != "x-goog-api-key")
            continue;
        QByteArrayList secrets{h.second.trimmed()};
        const qsizetype space = secrets.constFirst().indexOf(' ');
        if (space > 0) // "Bearer <token>": the token alone may be echoed
            secrets << secrets.constFirst().sliced(space + 1).trimmed();
        for (const QByteArray &secret : std::as_const(secrets)) {
            if (secret.size() >= 4)
                text.replace(QString::fromUtf8(secret), redacted);
        }
    }
    text.replace(keyShaped, redacted);
    return text;
}

} // namespace docsight
