#pragma once

#include "util/canceltoken.h"

#include <functional>
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

// What an embedder may be given. Governance decides it (embeddingGateFor in governance/policygate.h); the
// search layer only applies it. The default lets everything through unchanged: an embedder on this computer.
struct EmbeddingGate {
    QStringList withheldClassifications;   // passages of documents so classified are never given to it
    // Applied to each passage before it is sent (PII redaction); returns true when it changed the text.
    std::function<bool(const QString &classification, QString &input)> prepare;
    QString reason;                        // analyst-facing: why this gate, e.g. "api.example.com is cloud"

    bool isOpen() const { return withheldClassifications.isEmpty() && !prepare; }
};

// Turns text into vectors for similarity search. Implementations are thread-safe.
class Embedder
{
public:
    virtual ~Embedder() = default;
    Q_DISABLE_COPY_MOVE(Embedder)

    // Stable identity, safe as a file name: name, dimensions and version, e.g. "builtin-hash-v1-768".
    // Vectors from different ids are never mixed.
    virtual QString id() const = 0;
    virtual int dimensions() const = 0;
    // One honest sentence for the UI (the built-in one says it is lexical).
    virtual QString description() const = 0;
    virtual EmbedResult embed(const QStringList &texts, const CancelToken &cancel) = 0;

protected:
    Embedder() = default;
};

} // namespace docsight
