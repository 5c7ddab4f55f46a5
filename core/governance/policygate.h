#pragma once

#include "model/classification.h"
#include "governance/injectionguard.h"
#include "governance/classificationsuggestion.h"
#include "governance/piiredactor.h"
#include "search/hybridretriever.h"

#include <memory>
#include <optional>

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace docsight {

class Library;

// Where a provider runs. Local: the extractive answerer, a server on this computer, or one on the local
// network that the analyst marked local. Cloud: anything else.
enum class ProviderTrust { Local, Cloud };
QString providerTrustName(ProviderTrust trust); // "local", "cloud"

// What to do when a cloud provider is asked a question whose passages include Restricted documents.
enum class RestrictedHandling {
    Withhold,       // send the rest, say visibly what was withheld
    AnswerLocally,  // answer the whole question with the local provider instead
};

// The library's governance settings (kept in its meta table, so GUI and CLI obey the same rules; changes are
// audited). Defaults are the safe ones.
struct GovernancePolicy {
    RestrictedHandling restricted = RestrictedHandling::Withhold;
    bool redactConfidential = true;     // Confidential passages reach cloud providers only with PII redacted
    bool redactInternal = false;        // stricter option: Internal too
    PiiKinds redactKinds = allPiiKinds();
    QStringList localHosts;             // LAN servers the analyst marked local (private addresses/LAN names only)
    QStringList cloudHosts;             // "host" or "host:port" the analyst marked cloud, whatever the address
    bool canary = true;                 // plant a canary in the system prompt and withhold answers leaking it

    QJsonObject toJson() const;
    static GovernancePolicy fromJson(const QJsonObject &json);
    static GovernancePolicy load(const Library &library);
    // Stores the policy and audits "policy.changed" with the old and new settings, in one transaction.
    bool save(const Library &library, QString *error = nullptr) const;
};

// What the gate needs to know about a provider.
struct ProviderProfile {
    QString id;                 // "openai", "openai-compatible", ...
    QUrl baseUrl;               // empty for the extractive answerer
    bool sendsDataOffDevice = true;
};

struct TrustDecision {
    ProviderTrust trust = ProviderTrust::Cloud;
    QString reason;             // analyst-facing
};

// The rule, in order:
// 1. the extractive answerer (no address, nothing sent) is local;
// 2. a named cloud service (isCloudService: openai, anthropic) is cloud whatever its address: a loopback or LAN
//    URL for one is a gateway, proxy or SSH tunnel to the cloud, not a model on this computer;
// 3. an address the analyst marked cloud (policy.cloudHosts, "host" for any port or "host:port") is cloud;
// 4. an openai-compatible server on loopback (localhost, 127/8, ::1) is local;
// 5. one whose host is in policy.localHosts and is a local-network address (RFC 1918, link-local, unique-local
//    IPv6, CGNAT/VPN 100.64/10) or a LAN name (no dot, .local, .lan, .home.arpa, .internal) is local. A public
//    host cannot be marked local: marking api.openai.com "local" would only defeat the policy;
// 6. anything else is cloud.
TrustDecision assessTrust(const ProviderProfile &provider, const GovernancePolicy &policy);
bool isLanHost(const QString &host);
bool isLoopbackHost(const QString &host);
// Providers that are cloud services by name: "openai", "anthropic".
bool isCloudService(const QString &providerId);
// "HOST", "HOST:PORT", "[V6]:PORT" or a URL ("http://host:8080/v1") as a cloud mark, lower case, IPv6 in
// brackets when a port follows; nullopt (with an analyst-facing reason) when it is not one.
std::optional<QString> normalizeCloudMark(const QString &text, QString *error = nullptr);

// What the PII detectors suggest for a stored document (see suggestClassification), only when it is stricter
// than the document's current classification; nothing is changed. For the import summary and the GUI.
ClassificationSuggestion suggestClassificationFor(const std::shared_ptr<Library> &library, qint64 documentId);

struct WithheldDocument {
    qint64 documentId = 0;
    QString documentName;
    Classification level = Classification::Restricted;
    int passages = 0;
};

// What one request may send, and what the analyst must be told about it.
struct GateDecision {
    ProviderTrust trust = ProviderTrust::Cloud;
    QList<RetrievedPassage> toSend;     // passages the provider may see (redacted when redactionActive)
    QList<RetrievedPassage> originals;  // the same passages unredacted, index-aligned with toSend
    QList<WithheldDocument> withheld;   // by document, in order of first appearance
    int withheldPassages = 0;
    bool routeLocally = false;          // answer with the local provider: Restricted passages and AnswerLocally
    bool redactionActive = false;       // question and history must go through redactor too
    PiiRedactor redactor;               // placeholders issued for this request; restore() the answer with it
    int redactedPassages = 0;           // passages whose text changed
    QList<InjectionFlag> injectionFlags;
    QStringList notices;                // analyst-facing, shown with the answer and kept in the report
};

// What governance did to one answer, carried on Answer so the GUI, the CLI and the report can show it, and
// stored with the message. Counts and names only: never the redacted values.
struct AnswerGovernance {
    ProviderTrust trust = ProviderTrust::Local;
    QString trustReason;
    QList<WithheldDocument> withheld;   // Restricted passages not sent, by document
    int withheldPassages = 0;
    QHash<QString, int> redactions;     // kind ("EMAIL") -> distinct values replaced by placeholders
    int redactedPassages = 0;
    bool routedLocally = false;         // answered by the local provider because of Restricted passages
    QList<InjectionFlag> injectionFlags;
    bool leakWithheld = false;          // the answer leaked the canary or the system prompt and was withheld
    QString leakReason;
    bool budgetBlocked = false;         // the hard monthly budget stopped the cloud call
    QStringList notices;                // analyst-facing sentences (also in Answer::warnings)
    QList<qint64> sourceDocumentIds;    // documents of the passages considered (sent or withheld)
    qint64 conversationId = 0;          // where the exchange was stored (0 when it could not be)
    qint64 messageId = 0;               // the stored answer, for feedback

    QJsonObject toJson() const;
};

// Enforces classification against provider trust for one request: Restricted passages never reach a cloud
// provider (withheld with a notice naming how many passages of which documents, or the question is routed
// to the local provider); Confidential passages reach a cloud provider only with PII replaced by
// placeholders (when policy.redactConfidential); a document whose classification is unknown counts as
// Restricted. Every passage is also screened for injection attempts. Stateless apart from its settings.
class PolicyGate final
{
public:
    PolicyGate(GovernancePolicy policy, ProviderTrust trust, QString providerName = {});

    // levels: each document's classification (see classificationsFor).
    GateDecision apply(const QList<RetrievedPassage> &passages, const QHash<qint64, Classification> &levels) const;

    // The classifications of the passages' documents, read from the library.
    static QHash<qint64, Classification> classificationsFor(const std::shared_ptr<Library> &library,
                                                            const QList<RetrievedPassage> &passages);
    static QList<InjectionFlag> screen(const QList<RetrievedPassage> &passages);
    // "3 passages from Restricted documents were withheld from openai (cloud): contract.pdf (2), hr.docx (1)."
    static QString withheldNotice(const QList<WithheldDocument> &withheld, const QString &providerName);

    const GovernancePolicy &policy() const { return m_policy; }
    ProviderTrust trust() const { return m_trust; }

private:
    GovernancePolicy m_policy;
    ProviderTrust m_trust;
    QString m_providerName;
};

} // namespace docsight
