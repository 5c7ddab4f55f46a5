#include "search/builtinembedder.h"

#include "search/textanalysis.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <QLoggingCategory>
#include <QtConcurrent/QtConcurrentMap>

namespace docsight {

Q_LOGGING_CATEGORY(lcBuiltinEmbedder, "docsight.search.builtinembedder")

namespace {

// Relative weight of each feature kind. Whole words carry the topic; bigrams reward phrases; the
// character n-grams let inflections, compounds and OCR slips still meet ("cumulative"/"cumsum").
constexpr float kWordWeight = 1.0f;
constexpr float kBigramWeight = 0.7f;
constexpr float kCharGramWeight = 0.25f;
constexpr qsizetype kMaxGramWordLength = 30; // longer "words" are ids, hashes or URLs

enum class Kind : quint8 { Word = 1, Bigram = 2, CharGram = 3 };

struct Feature {
    quint64 hash = 0;
    float weight = 0.0f;
};

constexpr quint64 kFnvOffset = 14695981039346656037ull;
constexpr quint64 kFnvPrime = 1099511628211ull;

quint64 fnvStep(quint64 h, quint16 unit)
{
    h ^= unit & 0xffu;
    h *= kFnvPrime;
    h ^= unit >> 8;
    h *= kFnvPrime;
    return h;
}

quint64 fnv(Kind kind, QStringView text, quint64 h = kFnvOffset)
{
    h = fnvStep(h, static_cast<quint16>(kind));
    for (const QChar c : text)
        h = fnvStep(h, c.unicode());
    return h;
}

// Spreads FNV's weak low bits before they pick a dimension and a sign.
quint64 mix(quint64 x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

bool keepToken(QStringView token)
{
    if (token.size() >= 2)
        return true;
    // A single Latin letter or digit is noise ("x", "2"); a single ideograph is a word.
    return token.size() == 1 && token.front().unicode() >= 0x2e80;
}

struct Word {
    QStringView folded;
    QString stem;
};

QList<Word> contentWords(const QString &folded)
{
    QList<Word> words;
    const QList<QStringView> tokens = searchTokens(folded);
    words.reserve(tokens.size());
    for (const QStringView token : tokens) {
        if (!keepToken(token) || isStopWord(token))
            continue;
        words.append({token, porterStem(token)});
    }
    return words;
}

void addCharGrams(QStringView word, float weight, std::vector<Feature> &features)
{
    if (word.size() > kMaxGramWordLength)
        return;
    // The word padded with boundary marks, so prefixes and suffixes are features of their own.
    const qsizetype length = word.size() + 2;
    const auto unitAt = [&](qsizetype p) -> quint16 {
        if (p == 0)
            return u'<';
        if (p == length - 1)
            return u'>';
        return word.at(p - 1).unicode();
    };
    for (qsizetype start = 0; start + 3 <= length; ++start) {
        quint64 h = fnvStep(kFnvOffset, static_cast<quint16>(Kind::CharGram));
        for (qsizetype n = 1; n <= 5 && start + n <= length; ++n) {
            h = fnvStep(h, unitAt(start + n - 1));
            if (n >= 3)
                features.push_back({h, weight * kCharGramWeight});
        }
    }
}

} // namespace

BuiltinEmbedder::BuiltinEmbedder(int dimensions) : m_dimensions(std::clamp(dimensions, 64, 4096)) {}

QString BuiltinEmbedder::id() const
{
    return QStringLiteral("builtin-hash-v1-%1").arg(m_dimensions);
}

QString BuiltinEmbedder::description() const
{
    return QStringLiteral("Built-in offline embedder: hashes words, word pairs and word pieces. It finds passages "
                          "that share vocabulary with the question, not ones that only mean the same thing.");
}

EmbedResult BuiltinEmbedder::embed(const QStringList &texts, const CancelToken &cancel)
{
    EmbedResult result;
    result.vectors.resize(static_cast<size_t>(texts.size()));
    std::vector<qsizetype> indices(static_cast<size_t>(texts.size()));
    std::iota(indices.begin(), indices.end(), qsizetype(0));
    const auto work = [&](qsizetype i) {
        if (!cancel.isCancelled())
            result.vectors[static_cast<size_t>(i)] = embedOne(texts.at(i));
    };
    // Embedding is pure CPU work on independent texts; big batches use every core.
    if (texts.size() >= 16)
        QtConcurrent::blockingMap(indices, work);
    else
        std::for_each(indices.begin(), indices.end(), work);
    if (cancel.isCancelled()) {
        result.vectors.clear();
        result.error = QStringLiteral("cancelled");
    }
    return result;
}

std::vector<float> BuiltinEmbedder::embedOne(QStringView text) const
{
    return vectorFor(text, nullptr);
}

std::vector<float> BuiltinEmbedder::embedQuery(QStringView text, const TermWeight &weight) const
{
    return vectorFor(text, weight ? &weight : nullptr);
}

QStringList BuiltinEmbedder::contentStems(QStringView text)
{
    const QString folded = foldForSearch(text);
    QStringList stems;
    for (const Word &w : contentWords(folded))
        stems.append(w.stem);
    return stems;
}

std::vector<float> BuiltinEmbedder::vectorFor(QStringView text, const TermWeight *weight) const
{
    const QString folded = foldForSearch(text);
    const QList<Word> words = contentWords(folded);

    std::vector<Feature> features;
    features.reserve(static_cast<size_t>(words.size()) * 20);
    std::vector<float> wordWeights(static_cast<size_t>(words.size()), 1.0f);
    for (qsizetype i = 0; i < words.size(); ++i) {
        const Word &w = words.at(i);
        const float ww = weight ? std::max(0.0f, (*weight)(w.stem)) : 1.0f;
        wordWeights[static_cast<size_t>(i)] = ww;
        features.push_back({fnv(Kind::Word, w.stem), ww * kWordWeight});
        if (i > 0) {
            const quint64 h = fnv(Kind::Bigram, w.stem, fnvStep(fnv(Kind::Bigram, words.at(i - 1).stem), u' '));
            const float bw = std::sqrt(ww * wordWeights[static_cast<size_t>(i - 1)]);
            features.push_back({h, bw * kBigramWeight});
        }
        addCharGrams(w.folded, ww, features);
    }

    std::vector<float> vector(static_cast<size_t>(m_dimensions), 0.0f);
    if (features.empty())
        return vector;
    // Sublinear term frequency: a word said ten times is not ten times as relevant.
    std::sort(features.begin(), features.end(), [](const Feature &a, const Feature &b) { return a.hash < b.hash; });
    for (size_t i = 0; i < features.size();) {
        size_t end = i;
        float maxWeight = 0.0f;
        while (end < features.size() && features[end].hash == features[i].hash) {
            maxWeight = std::max(maxWeight, features[end].weight);
            ++end;
        }
        const float tf = 1.0f + std::log(static_cast<float>(end - i));
        const quint64 h = mix(features[i].hash);
        const auto dim = static_cast<size_t>((h & 0xffffffffu) % static_cast<quint64>(m_dimensions));
        const float sign = (h >> 63) ? -1.0f : 1.0f;
        vector[dim] += sign * maxWeight * tf;
        i = end;
    }
    double norm = 0.0;
    for (const float v : vector)
        norm += static_cast<double>(v) * v;
    if (norm > 0.0) {
        const auto scale = static_cast<float>(1.0 / std::sqrt(norm));
        for (float &v : vector)
            v *= scale;
    }
    return vector;
}

} // namespace docsight
