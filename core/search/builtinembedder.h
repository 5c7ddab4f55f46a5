#pragma once

#include "search/embedder.h"

#include <functional>
#include <vector>

#include <QString>
#include <QStringView>

namespace docsight {

// The offline embedder: feature hashing of stemmed words, word bigrams and character 3-5-grams
// (sublinear term frequency, signed hashing, L2-normalised). It needs no model file and gives the
// same vector for the same text on every machine, but it is lexical: it matches shared words and
// word pieces, not meaning.
class BuiltinEmbedder final : public Embedder
{
public:
    // How much a query word counts (e.g. its inverse document frequency in the library), keyed by
    // its Porter stem. Used for queries only; documents are embedded without it.
    using TermWeight = std::function<float(const QString &stem)>;

    explicit BuiltinEmbedder(int dimensions = 768);
    ~BuiltinEmbedder() override = default;
    Q_DISABLE_COPY_MOVE(BuiltinEmbedder)

    QString id() const override;
    int dimensions() const override { return m_dimensions; }
    QString description() const override;
    EmbedResult embed(const QStringList &texts, const CancelToken &cancel) override;

    std::vector<float> embedOne(QStringView text) const;
    std::vector<float> embedQuery(QStringView text, const TermWeight &weight) const;

    // The content words of a text as the embedder sees them: folded, stop words dropped, stemmed.
    static QStringList contentStems(QStringView text);

private:
    std::vector<float> vectorFor(QStringView text, const TermWeight *weight) const;

    int m_dimensions = 768;
};

} // namespace docsight
