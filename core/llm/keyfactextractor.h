#pragma once

#include "governance/policygate.h"
#include "llm/keyfacts.h"
#include "util/canceltoken.h"

#include <memory>

#include <QList>
#include <QString>
#include <QStringList>

namespace docsight {

class ChatProvider;
class Library;

struct ExtractionSettings {
    std::shared_ptr<ChatProvider> provider;       // null: the offline rules only
    ProviderTrust trust = ProviderTrust::Cloud;   // from assessTrust(); decides what the provider may see
    QString model;                                // empty: the provider's default
    int maxTokens = 1'024;
    bool rulesFillGaps = true;                    // fields the model left out are read by the rules
};

// Key facts of one document, each citing its passage (document, page, quote). With a provider: the document's
// chunks go to the model inside delimited blocks with a JSON schema to fill; the reply is parsed and validated
// (fields of the template only, dates/amounts/currencies of the right shape, a source label the request used,
// a quote found in that passage); what fails is dropped and, when nothing valid is left, the offline rules
// answer instead. The same governance as questions applies: a Restricted document never goes to a cloud
// provider, a Confidential one only with PII replaced by placeholders (restored locally), a spent hard budget
// stops the call; usage is metered and each extraction audited ("document.facts_extracted", counts only).
// Blocking (HTTP, SQL): run it on a worker thread. Thread-safe.
class KeyFactExtractor final
{
public:
    explicit KeyFactExtractor(std::shared_ptr<Library> library, ExtractionSettings settings = {});

    ExtractionResult extract(qint64 documentId, FactTemplate templ, const CancelToken &cancel = {}) const;

    // The instructions and the JSON shape the model is asked for.
    static QString systemPrompt(FactTemplate templ, const QString &boundary);
    static QString jsonSchema(FactTemplate templ);
    // Validates a model's reply against the template and the sources it was given. Invalid entries are
    // dropped with a reason in errors. Each fact's FactSource carries page, document and quote of its source,
    // and in chunkId the index of that source in sources (the caller maps it to the chunk).
    static QList<KeyFact> parseModelReply(const QString &reply, FactTemplate templ, const QList<ChatSource> &sources,
                                          QStringList *errors);

private:
    std::shared_ptr<Library> m_library;
    ExtractionSettings m_settings;
};

} // namespace docsight
