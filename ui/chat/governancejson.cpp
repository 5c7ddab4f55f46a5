#include "chat/governancejson.h"

#include <QJsonArray>

namespace docsight {
namespace {

QStringList strings(const QJsonValue &value)
{
    QStringList out;
    for (const QJsonValue &v : value.toArray())
        out.append(v.toString());
    return out;
}

} // namespace

QJsonObject answerGovernanceToJson(const AnswerGovernance &governance)
{
    QJsonObject json = governance.toJson();
    json.insert(QStringLiteral("conversation_id"), governance.conversationId);
    json.insert(QStringLiteral("message_id"), governance.messageId);
    return json;
}

AnswerGovernance answerGovernanceFromJson(const QJsonObject &json)
{
    AnswerGovernance g;
    g.trust = json.value(QStringLiteral("trust")).toString() == QLatin1String("cloud") ? ProviderTrust::Cloud : ProviderTrust::Local;
    g.trustReason = json.value(QStringLiteral("trust_reason")).toString();
    for (const QJsonValue &v : json.value(QStringLiteral("withheld")).toArray()) {
        const QJsonObject o = v.toObject();
        WithheldDocument w;
        w.documentId = o.value(QStringLiteral("document_id")).toInteger();
        w.documentName = o.value(QStringLiteral("document")).toString();
        w.level = parseClassification(o.value(QStringLiteral("classification")).toString()).value_or(Classification::Restricted);
        w.passages = o.value(QStringLiteral("passages")).toInt();
        g.withheld.append(w);
    }
    g.withheldPassages = json.value(QStringLiteral("withheld_passages")).toInt();
    const QJsonObject redactions = json.value(QStringLiteral("redactions")).toObject();
    for (auto it = redactions.constBegin(); it != redactions.constEnd(); ++it)
        g.redactions.insert(it.key(), it.value().toInt());
    g.redactedPassages = json.value(QStringLiteral("redacted_passages")).toInt();
    g.routedLocally = json.value(QStringLiteral("routed_locally")).toBool();
    for (const QJsonValue &v : json.value(QStringLiteral("injection_flags")).toArray()) {
        const QJsonObject o = v.toObject();
        g.injectionFlags.append({o.value(QStringLiteral("chunk_id")).toInteger(), o.value(QStringLiteral("document_id")).toInteger(),
                                 o.value(QStringLiteral("document")).toString(), o.value(QStringLiteral("page")).toInt(),
                                 o.value(QStringLiteral("score")).toDouble(), strings(o.value(QStringLiteral("signals")))});
    }
    const QJsonObject leak = json.value(QStringLiteral("leak")).toObject();
    g.leakWithheld = leak.value(QStringLiteral("withheld")).toBool();
    g.leakReason = leak.value(QStringLiteral("reason")).toString();
    g.budgetBlocked = json.value(QStringLiteral("budget_blocked")).toBool();
    g.notices = strings(json.value(QStringLiteral("notices")));
    for (const QJsonValue &v : json.value(QStringLiteral("source_document_ids")).toArray())
        g.sourceDocumentIds.append(v.toInteger());
    g.conversationId = json.value(QStringLiteral("conversation_id")).toInteger();
    g.messageId = json.value(QStringLiteral("message_id")).toInteger();
    return g;
}

} // namespace docsight
