#pragma once

#include "util/canceltoken.h"

#include <vector>

#include <QList>
#include <QString>
#include <QStringList>

namespace docsight {

struct EmbedResult {
    std::vector<std::vector<float>> vectors; // one L2-normalised vector per input text, in input order
    QString error;                           // analyst-facing; never contains a key

    bool ok() const noexcept { return error.isEmpty(); }
};

// Turns text into vectors for similarity search. Implementations are thread-safe.
class Embedder
{
public:
    virtual ~Embedder() = default;

    // Stable identity, safe as a file name: name, dimensions and version, e.g. "builtin-hash-v1-768".
    // Vectors from different ids are never mixed.
    virtual QString id() const = 0;
    virtual int dimensions() const = 0;
    // One honest sentence for the UI (the built-in one says it is lexical).
    virtual QString description() const = 0;
    virtual EmbedResult embed(const QStringList &texts, const CancelToken &cancel) = 0;
};

} // namespace docsight
