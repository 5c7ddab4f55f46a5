#include "search/openaiembedder.h"

#include "net/httptransport.h"

#include <algorithm>
#include <cmath>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

namespace docsight {

Q_LOGGING_CATEGORY(lcOpenAiEmbedder, "docsight.search.openai")

namespace {

QUrl embeddingsEndpoint(QUrl base)
{
    QString path = base.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    base.setPath(path % QStringLiteral("/embeddings"));
    return base;
}

QString hostLabel(const QUrl &url)
{
    return url.port() > 0 ? url.host() % QLatin1Char(':') % QString::number(url.port()) : url.host();
}

QString dimensionMismatch(qsizetype got, int expected)
{
    return QStringLiteral("The embedding model returned %1 dimensions, expected %2. The model behind this name "
                          "may have changed; choose the model the library was built with, or re-embed the "
                          "library.").arg(got).arg(expected);
}

} // namespace

OpenAiEmbedder::OpenAiEmbedder(OpenAiEmbedderSettings settings)
    : m_settings(std::move(settings))
    , m_endpoint(embeddingsEndpoint(m_settings.baseUrl))
    , m_transport(std::make_unique<HttpTransport>())
    , m_dimensions(std::max(0, m_settings.dimensions))
{
}

OpenAiEmbedder::~OpenAiEmbedder() = default;

QString OpenAiEmbedder::id() const
{
    return QStringLiteral("openai-compatible-") % sanitizeModelName(m_settings.model) % QLatin1Char('-')
        % QString::number(dimensions());
}

int OpenAiEmbedder::dimensions() const
{
    return m_dimensions.load();
}

QString OpenAiEmbedder::description() const
{
    return QStringLiteral("Semantic embeddings from the model \"%1\" on %2 (OpenAI-compatible API); the text "
                          "of imported documents is sent to that server.").arg(m_settings.model, hostLabel(m_endpoint));
}

QString OpenAiEmbedder::sanitizeModelName(const QString &model)
{
    QString out;
    out.reserve(model.size());
    for (const QChar c : model) {
        const bool safe = (c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('A') && c <= QLatin1Char('Z'))
            || (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('.') || c == QLatin1Char('_');
        if (safe)
            out += c;
        else if (!out.endsWith(QLatin1Char('-')))
            out += QLatin1Char('-'); // ':', '/', spaces, '-' itself: one dash per run
    }
    while (out.startsWith(QLatin1Char('-')) || out.startsWith(QLatin1Char('.')))
        out.remove(0, 1);
    while (out.endsWith(QLatin1Char('-')) || out.endsWith(QLatin1Char('.')))
        out.chop(1);
    out.truncate(80);
    return out.isEmpty() ? QStringLiteral("model") : out;
}

EmbedResult OpenAiEmbedder::embed(const QStringList &texts, const CancelToken &cancel)
{
    EmbedResult result;
    result.vectors.reserve(size_t(texts.size()));
    const qsizetype batch = std::max(1, m_settings.batchSize);
    for (qsizetype from = 0; from < texts.size(); from += batch) {
        if (cancel.isCancelled()) {
            result.vectors.clear();
            result.error = QStringLiteral("Embedding was cancelled.");
            return result;
        }
        EmbedResult part = embedBatch(texts.mid(from, batch), cancel);
        if (!part.ok()) {
            result.vectors.clear();
            result.error = part.error;
            return result;
        }
        std::move(part.vectors.begin(), part.vectors.end(), std::back_inserter(result.vectors));
    }
    return result;
}

QString OpenAiEmbedder::probeDimensions(const CancelToken &cancel)
{
    if (dimensions() > 0)
        return {};
    return embedBatch({QStringLiteral("dimension probe")}, cancel).error;
}

EmbedResult OpenAiEmbedder::embedBatch(const QStringList &texts, const CancelToken &cancel)
{
    EmbedResult result;
    QJsonArray input;
    for (const QString &t : texts) {
        // OpenAI rejects the whole request when one input is empty; a space embeds as "nothing" instead.
        input.append(t.trimmed().isEmpty() ? QStringLiteral(" ") : t);
    }
    const QJsonObject body{{QStringLiteral("model"), m_settings.model}, {QStringLiteral("input"), input}};

    HttpRequest request;
    request.method = QByteArrayLiteral("POST");
    request.url = m_endpoint;
    request.headers = {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")},
                       {QByteArrayLiteral("Accept"), QByteArrayLiteral("application/json")}};
    if (!m_settings.apiKey.isEmpty())
        request.headers.append({QByteArrayLiteral("Authorization"), "Bearer " + m_settings.apiKey.toUtf8()});
    request.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    request.policy = m_settings.policy;
    request.cancel = cancel;

    const HttpResponse response = m_transport->send(request);
    if (!response.ok()) {
        result.error = response.error == HttpError::Cancelled ? QStringLiteral("Embedding was cancelled.")
                                                              : QStringLiteral("Embedding failed: ") % response.message;
        return result;
    }

    const QString host = hostLabel(m_endpoint);
    const QJsonDocument doc = QJsonDocument::fromJson(response.body);
    const QJsonArray data = doc.object().value(QLatin1String("data")).toArray();
    if (data.size() != texts.size()) {
        result.error = QStringLiteral("Embedding failed: %1 returned %2 embeddings for %3 texts. Check that the "
                                      "model \"%4\" is an embedding model.")
                           .arg(host).arg(data.size()).arg(texts.size()).arg(m_settings.model);
        return result;
    }

    // Results may come back in any order; "index" says which input each belongs to.
    std::vector<std::vector<float>> vectors(size_t(texts.size()));
    for (qsizetype i = 0; i < data.size(); ++i) {
        const QJsonObject item = data.at(i).toObject();
        const qsizetype index = item.contains(QLatin1String("index")) ? item.value(QLatin1String("index")).toInteger(-1) : i;
        const QJsonArray values = item.value(QLatin1String("embedding")).toArray();
        if (index < 0 || index >= texts.size() || !vectors[size_t(index)].empty() || values.isEmpty()) {
            result.error = QStringLiteral("Embedding failed: %1 returned a malformed embeddings response.").arg(host);
            return result;
        }
        std::vector<float> &v = vectors[size_t(index)];
        v.reserve(size_t(values.size()));
        for (const QJsonValue &x : values) {
            const double d = x.toDouble(std::nan(""));
            if (!std::isfinite(d)) {
                result.error = QStringLiteral("Embedding failed: %1 returned a vector with invalid numbers.").arg(host);
                return result;
            }
            v.push_back(float(d));
        }
    }

    // The whole batch must agree before the first response may fix the dimensions for good.
    int expected = m_dimensions.load();
    if (expected == 0)
        expected = int(vectors.front().size());
    for (const std::vector<float> &v : vectors) {
        if (qsizetype(v.size()) != expected) {
            result.error = QStringLiteral("Embedding failed: ") % dimensionMismatch(qsizetype(v.size()), expected);
            return result;
        }
    }
    int none = 0;
    if (!m_dimensions.compare_exchange_strong(none, expected) && none != expected) {
        // Another thread's first response fixed a different size in the meantime.
        result.error = QStringLiteral("Embedding failed: ") % dimensionMismatch(expected, none);
        return result;
    }

    for (std::vector<float> &v : vectors) {
        double norm = 0;
        for (const float f : v)
            norm += double(f) * double(f);
        norm = std::sqrt(norm);
        if (norm > 0) {
            for (float &f : v)
                f = float(double(f) / norm);
        } else {
            qCWarning(lcOpenAiEmbedder) << "all-zero embedding in a batch of" << texts.size();
        }
    }
    result.vectors = std::move(vectors);
    return result;
}

} // namespace docsight
