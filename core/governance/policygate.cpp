#include "governance/policygate.h"

#include "audit/auditlog.h"
#include "store/documentstore.h"
#include "store/library.h"
#include "store/meta.h"

#include <algorithm>
#include <array>
#include <optional>

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRegularExpression>

namespace docsight {

Q_LOGGING_CATEGORY(lcPolicy, "docsight.governance.policy")

namespace {

const QString kPolicyKey = QStringLiteral("governance.policy");

std::optional<std::array<int, 4>> parseIpv4(const QString &host)
{
    const QStringList parts = host.split(QLatin1Char('.'));
    if (parts.size() != 4)
        return std::nullopt;
    std::array<int, 4> out{};
    for (int i = 0; i < 4; ++i) {
        bool ok = false;
        out[i] = parts.at(i).toInt(&ok);
        if (!ok || out[i] < 0 || out[i] > 255 || parts.at(i).isEmpty())
            return std::nullopt;
    }
    return out;
}

QString restrictedHandlingName(RestrictedHandling h)
{
    return h == RestrictedHandling::AnswerLocally ? QStringLiteral("answer-locally") : QStringLiteral("withhold");
}

} // namespace

QString providerTrustName(ProviderTrust trust)
{
    return trust == ProviderTrust::Local ? QStringLiteral("local") : QStringLiteral("cloud");
}

QJsonObject GovernancePolicy::toJson() const
{
    QJsonArray kinds;
    for (const PiiKind k : piiKindList(redactKinds))
        kinds.append(piiKindName(k));
    return {{QStringLiteral("restricted"), restrictedHandlingName(restricted)},
            {QStringLiteral("redact_confidential"), redactConfidential},
            {QStringLiteral("redact_internal"), redactInternal},
            {QStringLiteral("redact_kinds"), kinds},
            {QStringLiteral("local_hosts"), QJsonArray::fromStringList(localHosts)},
            {QStringLiteral("cloud_hosts"), QJsonArray::fromStringList(cloudHosts)},
            {QStringLiteral("canary"), canary}};
}

GovernancePolicy GovernancePolicy::fromJson(const QJsonObject &json)
{
    GovernancePolicy p;
    if (json.value(QLatin1String("restricted")).toString() == QLatin1String("answer-locally"))
        p.restricted = RestrictedHandling::AnswerLocally;
    p.redactConfidential = json.value(QLatin1String("redact_confidential")).toBool(true);
    p.redactInternal = json.value(QLatin1String("redact_internal")).toBool(false);
    if (json.contains(QLatin1String("redact_kinds"))) {
        PiiKinds kinds;
        const QJsonArray names = json.value(QLatin1String("redact_kinds")).toArray();
        for (const QJsonValue v : names) {
            for (const PiiKind k : piiKindList()) {
                if (v.toString().compare(piiKindName(k), Qt::CaseInsensitive) == 0)
                    kinds |= k;
            }
        }
        p.redactKinds = kinds;
    }
    for (const QJsonValue v : json.value(QLatin1String("local_hosts")).toArray()) {
        const QString host = v.toString().trimmed().toLower();
        if (!host.isEmpty())
            p.localHosts << host;
    }
    for (const QJsonValue v : json.value(QLatin1String("cloud_hosts")).toArray()) {
        if (const std::optional<QString> mark = normalizeCloudMark(v.toString()))
            p.cloudHosts << *mark;
    }
    p.canary = json.value(QLatin1String("canary")).toBool(true);
    return p;
}

GovernancePolicy GovernancePolicy::load(const Library &library)
{
    QSqlDatabase db = library.connection();
    const std::optional<QString> stored = readMeta(db, kPolicyKey);
    if (!stored)
        return {};
    return fromJson(QJsonDocument::fromJson(stored->toUtf8()).object());
}

bool GovernancePolicy::save(const Library &library, QString *error) const
{
    const QJsonObject next = toJson();
    return library.write(
        [&](QSqlDatabase &db) {
            const std::optional<QString> stored = readMeta(db, kPolicyKey);
            const QJsonObject previous = stored ? QJsonDocument::fromJson(stored->toUtf8()).object() : GovernancePolicy().toJson();
            if (previous == next)
                return true;
            return writeMeta(db, kPolicyKey, QString::fromUtf8(QJsonDocument(next).toJson(QJsonDocument::Compact)), error)
                && auditlog::append(db, QStringLiteral("policy.changed"), QStringLiteral("library"),
                                    {{QStringLiteral("from"), previous}, {QStringLiteral("to"), next}}, error);
        },
        error);
}

bool isLanHost(const QString &rawHost)
{
    QString host = rawHost.trimmed().toLower();
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    if (host.isEmpty())
        return false;
    if (const auto v4 = parseIpv4(host)) {
        const auto &a = *v4;
        return a[0] == 10 || a[0] == 127 || (a[0] == 172 && a[1] >= 16 && a[1] <= 31) || (a[0] == 192 && a[1] == 168)
            || (a[0] == 169 && a[1] == 254) || (a[0] == 100 && a[1] >= 64 && a[1] <= 127);
    }
    if (host.contains(QLatin1Char(':'))) {
        // fc00::/7 unique local, fe80::/10 link-local, ::1 loopback.
        static const QRegularExpression lan6(QStringLiteral("^(f[cd][0-9a-f]{0,2}:|fe[89ab][0-9a-f]?:|::1$)"));
        return lan6.match(host).hasMatch();
    }
    static const QRegularExpression numeric(QStringLiteral("^[0-9.]+$"));
    if (numeric.match(host).hasMatch())
        return false; // an IPv4 literal that failed to parse
    if (!host.contains(QLatin1Char('.')))
        return true;  // a single-label name only resolves on the local network
    for (const QLatin1String suffix : {QLatin1String(".local"), QLatin1String(".lan"), QLatin1String(".home.arpa"),
                                       QLatin1String(".internal"), QLatin1String(".localdomain")}) {
        if (host.endsWith(suffix))
            return true;
    }
    return host == QLatin1String("localhost");
}

ClassificationSuggestion suggestClassificationFor(const std::shared_ptr<Library> &library, qint64 documentId)
{
    DocumentStore store(library);
    const std::optional<DocumentRecord> doc = store.byId(documentId);
    if (!doc)
        return {};
    ClassificationSuggestion s = suggestClassification(store.pages(documentId));
    if (s.level && *s.level <= doc->classification)
        s.level.reset();
    return s;
}

namespace {

QString stripBrackets(QString host)
{
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    return host;
}

// A host as it is written before ":port": IPv6 addresses in brackets.
QString bracketed(const QString &host)
{
    return host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(host) : host;
}

// The mark that names this address, if any: "host:port" for its port, or "host" for every port.
QString matchingCloudMark(const QUrl &url, const QStringList &marks)
{
    const QString host = stripBrackets(url.host().toLower());
    if (host.isEmpty())
        return {};
    const int defaultPort = url.scheme() == QLatin1String("https") ? 443 : url.scheme() == QLatin1String("http") ? 80 : -1;
    const int port = url.port(defaultPort);
    const QString hostForm = bracketed(host);
    for (const QString &mark : marks) {
        if (mark == host || mark == hostForm || (port > 0 && mark == hostForm + QLatin1Char(':') + QString::number(port)))
            return mark;
    }
    return {};
}

QString addressOf(const QUrl &url)
{
    const QString host = url.host().toLower();
    const QString hostForm = bracketed(host);
    return url.port() > 0 ? hostForm + QLatin1Char(':') + QString::number(url.port()) : hostForm;
}

} // namespace

bool isCloudService(const QString &providerId)
{
    return providerId == QLatin1String("openai") || providerId == QLatin1String("anthropic");
}

bool isLoopbackHost(const QString &rawHost)
{
    const QString host = stripBrackets(rawHost.trimmed().toLower());
    if (host == QLatin1String("localhost") || host.endsWith(QLatin1String(".localhost")) || host == QLatin1String("::1"))
        return true;
    const auto v4 = parseIpv4(host);
    return v4 && (*v4)[0] == 127;
}

std::optional<QString> normalizeCloudMark(const QString &text, QString *error)
{
    const auto fail = [&](const QString &why) -> std::optional<QString> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    QString t = text.trimmed().toLower();
    if (t.isEmpty())
        return fail(QStringLiteral("give a host name or address, optionally with :PORT"));
    QString host;
    int port = -1;
    if (t.contains(QLatin1String("://"))) {
        const QUrl url(t);
        if (!url.isValid() || url.host().isEmpty())
            return fail(QStringLiteral("%1 is not a valid address").arg(text.trimmed()));
        host = url.host().toLower();
        port = url.port();
    } else if (t.startsWith(QLatin1Char('['))) {
        const qsizetype close = t.indexOf(QLatin1Char(']'));
        if (close < 0)
            return fail(QStringLiteral("%1 has an opening [ without a closing ]").arg(text.trimmed()));
        host = t.mid(1, close - 1);
        const QString rest = t.mid(close + 1);
        if (!rest.isEmpty()) {
            bool ok = false;
            port = rest.startsWith(QLatin1Char(':')) ? rest.mid(1).toInt(&ok) : -1;
            if (!ok)
                return fail(QStringLiteral("%1: the port after ] must be :NUMBER").arg(text.trimmed()));
        }
    } else if (t.count(QLatin1Char(':')) == 1) {
        host = t.section(QLatin1Char(':'), 0, 0);
        bool ok = false;
        port = t.section(QLatin1Char(':'), 1).toInt(&ok);
        if (!ok)
            return fail(QStringLiteral("%1: the port must be a number").arg(text.trimmed()));
    } else {
        host = t; // a name, an IPv4 address or a bare IPv6 address
    }
    if (port != -1 && (port < 1 || port > 65535))
        return fail(QStringLiteral("%1: the port must be between 1 and 65535").arg(text.trimmed()));
    static const QRegularExpression hostChars(QStringLiteral("^[a-z0-9._:-]+$"));
    if (host.isEmpty() || !hostChars.match(host).hasMatch())
        return fail(QStringLiteral("%1 is not a host name or address").arg(text.trimmed()));
    const QString hostForm = bracketed(host);
    return port > 0 ? hostForm + QLatin1Char(':') + QString::number(port) : hostForm;
}

TrustDecision assessTrust(const ProviderProfile &provider, const GovernancePolicy &policy)
{
    const QUrl &url = provider.baseUrl;
    const QString host = url.host().toLower();
    if (host.isEmpty() && !provider.sendsDataOffDevice)
        return {ProviderTrust::Local, QStringLiteral("%1 runs on this computer").arg(provider.id)};
    if (isCloudService(provider.id)) {
        if (!host.isEmpty() && (isLoopbackHost(host) || isLanHost(host)))
            return {ProviderTrust::Cloud,
                    QStringLiteral("%1 is a cloud service, so %2 is treated as a gateway or tunnel to the cloud")
                        .arg(provider.id, addressOf(url))};
        return {ProviderTrust::Cloud, QStringLiteral("%1 is a cloud service").arg(provider.id)};
    }
    if (const QString mark = matchingCloudMark(url, policy.cloudHosts); !mark.isEmpty())
        return {ProviderTrust::Cloud, QStringLiteral("%1 is marked cloud").arg(mark)};
    if (!host.isEmpty() && isLoopbackHost(host))
        return {ProviderTrust::Local, QStringLiteral("%1 is on this computer").arg(addressOf(url))};
    if (!host.isEmpty() && policy.localHosts.contains(host, Qt::CaseInsensitive)) {
        if (isLanHost(host))
            return {ProviderTrust::Local, QStringLiteral("%1 is on the local network and marked local").arg(host)};
        return {ProviderTrust::Cloud,
                QStringLiteral("%1 is marked local but is not a local-network address, so it is treated as cloud").arg(host)};
    }
    return {ProviderTrust::Cloud, host.isEmpty() ? QStringLiteral("%1 runs off this computer").arg(provider.id)
                                                 : QStringLiteral("%1 is off this computer").arg(host)};
}

QJsonObject AnswerGovernance::toJson() const
{
    QJsonArray withheldJson;
    for (const WithheldDocument &w : withheld)
        withheldJson.append(QJsonObject{{QStringLiteral("document_id"), w.documentId},
                                        {QStringLiteral("document"), w.documentName},
                                        {QStringLiteral("classification"), classificationName(w.level)},
                                        {QStringLiteral("passages"), w.passages}});
    QJsonObject redactionJson;
    for (auto it = redactions.cbegin(); it != redactions.cend(); ++it)
        redactionJson.insert(it.key(), it.value());
    QJsonArray flags;
    for (const InjectionFlag &f : injectionFlags)
        flags.append(QJsonObject{{QStringLiteral("chunk_id"), f.chunkId},
                                 {QStringLiteral("document_id"), f.documentId},
                                 {QStringLiteral("document"), f.document},
                                 {QStringLiteral("page"), f.page},
                                 {QStringLiteral("score"), f.score},
                                 {QStringLiteral("signals"), QJsonArray::fromStringList(f.signalIds)}});
    QJsonArray sources;
    for (const qint64 id : sourceDocumentIds)
        sources.append(id);
    return {{QStringLiteral("trust"), providerTrustName(trust)},
            {QStringLiteral("trust_reason"), trustReason},
            {QStringLiteral("withheld"), withheldJson},
            {QStringLiteral("withheld_passages"), withheldPassages},
            {QStringLiteral("redactions"), redactionJson},
            {QStringLiteral("redacted_passages"), redactedPassages},
            {QStringLiteral("routed_locally"), routedLocally},
            {QStringLiteral("injection_flags"), flags},
            {QStringLiteral("leak"), QJsonObject{{QStringLiteral("withheld"), leakWithheld}, {QStringLiteral("reason"), leakReason}}},
            {QStringLiteral("budget_blocked"), budgetBlocked},
            {QStringLiteral("notices"), QJsonArray::fromStringList(notices)},
            {QStringLiteral("source_document_ids"), sources}};
}

PolicyGate::PolicyGate(GovernancePolicy policy, ProviderTrust trust, QString providerName)
    : m_policy(std::move(policy))
    , m_trust(trust)
    , m_providerName(std::move(providerName))
{
}

QHash<qint64, Classification> PolicyGate::classificationsFor(const std::shared_ptr<Library> &library,
                                                             const QList<RetrievedPassage> &passages)
{
    QHash<qint64, Classification> levels;
    DocumentStore store(library);
    for (const RetrievedPassage &p : passages) {
        if (levels.contains(p.documentId))
            continue;
        const std::optional<DocumentRecord> doc = store.byId(p.documentId);
        if (doc)
            levels.insert(p.documentId, doc->classification);
    }
    return levels;
}

QList<InjectionFlag> PolicyGate::screen(const QList<RetrievedPassage> &passages)
{
    QList<InjectionFlag> flags;
    for (const RetrievedPassage &p : passages) {
        const InjectionAssessment a = injection::assess(p.text);
        if (a.flagged)
            flags.append({p.chunkId, p.documentId, p.documentName, p.page, a.score, a.signalIds()});
    }
    return flags;
}

QString PolicyGate::withheldNotice(const QList<WithheldDocument> &withheld, const QString &providerName)
{
    int total = 0;
    QStringList parts;
    for (const WithheldDocument &w : withheld) {
        total += w.passages;
        parts << QStringLiteral("%1 (%2)").arg(w.documentName).arg(w.passages);
    }
    if (total == 0)
        return {};
    return QStringLiteral("%1 passage(s) from Restricted documents were withheld from %2, a cloud provider: %3. "
                          "Ask with a local provider to use them.")
        .arg(total)
        .arg(providerName.isEmpty() ? QStringLiteral("the provider") : providerName, parts.join(QStringLiteral(", ")));
}

GateDecision PolicyGate::apply(const QList<RetrievedPassage> &passages, const QHash<qint64, Classification> &levels) const
{
    GateDecision d;
    d.trust = m_trust;
    d.redactor = PiiRedactor(m_policy.redactKinds);
    const auto levelOf = [&](qint64 documentId) {
        // A passage whose document vanished or was never classified is treated as the strictest.
        return levels.value(documentId, Classification::Restricted);
    };

    if (m_trust == ProviderTrust::Local) {
        d.toSend = passages;
        d.originals = passages;
        d.injectionFlags = screen(passages);
        return d;
    }

    QList<RetrievedPassage> allowed;
    for (const RetrievedPassage &p : passages) {
        if (levelOf(p.documentId) < Classification::Restricted) {
            allowed.append(p);
            continue;
        }
        auto it = std::find_if(d.withheld.begin(), d.withheld.end(),
                               [&](const WithheldDocument &w) { return w.documentId == p.documentId; });
        if (it == d.withheld.end()) {
            d.withheld.append({p.documentId, p.documentName, levelOf(p.documentId), 0});
            it = d.withheld.end() - 1;
        }
        ++it->passages;
        ++d.withheldPassages;
    }

    if (d.withheldPassages > 0 && m_policy.restricted == RestrictedHandling::AnswerLocally) {
        // The caller answers with its local provider: nothing leaves the computer, nothing is withheld.
        d.routeLocally = true;
        d.toSend = passages;
        d.originals = passages;
        d.injectionFlags = screen(passages);
        d.notices << QStringLiteral("Passages from Restricted documents were found, so this question was answered by the "
                                    "local provider instead of %1.")
                         .arg(m_providerName.isEmpty() ? QStringLiteral("the cloud provider") : m_providerName);
        d.withheld.clear();
        d.withheldPassages = 0;
        return d;
    }
    if (d.withheldPassages > 0)
        d.notices << withheldNotice(d.withheld, m_providerName);

    for (const RetrievedPassage &p : std::as_const(allowed)) {
        const Classification level = levelOf(p.documentId);
        if ((level == Classification::Confidential && m_policy.redactConfidential)
            || (level == Classification::Internal && m_policy.redactInternal))
            d.redactionActive = true;
    }
    for (const RetrievedPassage &p : std::as_const(allowed)) {
        RetrievedPassage sent = p;
        // Once any passage needs redaction, all are redacted: the same address in a Public passage would
        // otherwise reveal what its placeholder hides.
        if (d.redactionActive) {
            sent.text = d.redactor.redact(p.text);
            sent.heading = d.redactor.redact(p.heading);
            if (sent.text != p.text)
                ++d.redactedPassages;
        }
        d.toSend.append(sent);
        d.originals.append(p);
    }
    if (d.redactedPassages > 0) {
        d.notices << QStringLiteral("Personal data in %1 passage(s) was replaced by placeholders before sending to %2 "
                                    "(%3 value(s)); the answer shows the originals.")
                         .arg(d.redactedPassages)
                         .arg(m_providerName.isEmpty() ? QStringLiteral("the provider") : m_providerName)
                         .arg(d.redactor.redactions().size());
    }
    d.injectionFlags = screen(d.originals);
    qCInfo(lcPolicy).noquote() << "gate:" << providerTrustName(m_trust) << "passages" << passages.size() << "sent"
                               << d.toSend.size() << "withheld" << d.withheldPassages << "redacted" << d.redactedPassages
                               << "flags" << d.injectionFlags.size();
    return d;
}

} // namespace docsight
