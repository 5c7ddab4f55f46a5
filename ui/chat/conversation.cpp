#include "chat/conversation.h"

#include "chat/governancejson.h"

#include <QJsonArray>
#include <QRandomGenerator>

namespace docsight {
namespace {

constexpr int kFormatVersion = 1;

QJsonArray rectsToJson(const QList<QRectF> &rects)
{
    QJsonArray out;
    for (const QRectF &r : rects)
        out.append(QJsonArray{r.x(), r.y(), r.width(), r.height()});
    return out;
}

QList<QRectF> rectsFromJson(const QJsonArray &array)
{
    QList<QRectF> out;
    for (const QJsonValue &v : array) {
        const QJsonArray a = v.toArray();
        if (a.size() == 4)
            out.append(QRectF(a.at(0).toDouble(), a.at(1).toDouble(), a.at(2).toDouble(), a.at(3).toDouble()));
    }
    return out;
}

QJsonObject citationToJson(const Citation &c)
{
    return QJsonObject{{QStringLiteral("marker"), c.marker},
                       {QStringLiteral("sourceIndex"), c.sourceIndex},
                       {QStringLiteral("sentence"), c.sentence},
                       {QStringLiteral("chunkId"), c.chunkId},
                       {QStringLiteral("documentId"), c.documentId},
                       {QStringLiteral("document"), c.document},
                       {QStringLiteral("page"), c.page},
                       {QStringLiteral("charStart"), c.charStart},
                       {QStringLiteral("charEnd"), c.charEnd},
                       {QStringLiteral("firstWord"), c.firstWord},
                       {QStringLiteral("wordCount"), c.wordCount},
                       {QStringLiteral("boxes"), rectsToJson(c.boxes)},
                       {QStringLiteral("quote"), c.quote},
                       {QStringLiteral("exactQuote"), c.exactQuote}};
}

Citation citationFromJson(const QJsonObject &o)
{
    Citation c;
    c.marker = o.value(QStringLiteral("marker")).toString();
    c.sourceIndex = o.value(QStringLiteral("sourceIndex")).toInt(-1);
    c.sentence = o.value(QStringLiteral("sentence")).toInt(-1);
    c.chunkId = o.value(QStringLiteral("chunkId")).toInteger();
    c.documentId = o.value(QStringLiteral("documentId")).toInteger();
    c.document = o.value(QStringLiteral("document")).toString();
    c.page = o.value(QStringLiteral("page")).toInt();
    c.charStart = o.value(QStringLiteral("charStart")).toInt();
    c.charEnd = o.value(QStringLiteral("charEnd")).toInt();
    c.firstWord = o.value(QStringLiteral("firstWord")).toInt();
    c.wordCount = o.value(QStringLiteral("wordCount")).toInt();
    c.boxes = rectsFromJson(o.value(QStringLiteral("boxes")).toArray());
    c.quote = o.value(QStringLiteral("quote")).toString();
    c.exactQuote = o.value(QStringLiteral("exactQuote")).toBool();
    return c;
}

QJsonObject answerToJson(const Answer &a)
{
    QJsonArray sentences;
    for (const AnswerSentence &s : a.sentences)
        sentences.append(QJsonObject{{QStringLiteral("start"), s.start},
                                     {QStringLiteral("end"), s.end},
                                     {QStringLiteral("markers"), QJsonArray::fromStringList(s.markers)}});
    QJsonArray citations;
    for (const Citation &c : a.citations)
        citations.append(citationToJson(c));
    return QJsonObject{{QStringLiteral("text"), a.text},
                       {QStringLiteral("sentences"), sentences},
                       {QStringLiteral("citations"), citations},
                       {QStringLiteral("uncited"), QJsonArray::fromStringList(a.uncitedSentences)},
                       {QStringLiteral("declined"), a.declined},
                       {QStringLiteral("provider"), a.provider},
                       {QStringLiteral("model"), a.model},
                       {QStringLiteral("inputTokens"), a.usage.inputTokens},
                       {QStringLiteral("outputTokens"), a.usage.outputTokens},
                       {QStringLiteral("latencyMs"), a.latencyMs},
                       {QStringLiteral("error"), a.ok() ? QString() : a.errorMessage},
                       {QStringLiteral("cancelled"), a.error == ChatError::Cancelled},
                       {QStringLiteral("warnings"), QJsonArray::fromStringList(a.warnings)},
                       {QStringLiteral("governance"), answerGovernanceToJson(a.governance)}};
}

QStringList stringList(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &s : v.toArray())
        out.append(s.toString());
    return out;
}

Answer answerFromJson(const QJsonObject &o)
{
    Answer a;
    a.text = o.value(QStringLiteral("text")).toString();
    for (const QJsonValue &v : o.value(QStringLiteral("sentences")).toArray()) {
        const QJsonObject s = v.toObject();
        a.sentences.append(AnswerSentence{s.value(QStringLiteral("start")).toInt(), s.value(QStringLiteral("end")).toInt(),
                                          stringList(s.value(QStringLiteral("markers")))});
    }
    for (const QJsonValue &v : o.value(QStringLiteral("citations")).toArray())
        a.citations.append(citationFromJson(v.toObject()));
    a.uncitedSentences = stringList(o.value(QStringLiteral("uncited")));
    a.declined = o.value(QStringLiteral("declined")).toBool();
    a.provider = o.value(QStringLiteral("provider")).toString();
    a.model = o.value(QStringLiteral("model")).toString();
    a.usage.inputTokens = o.value(QStringLiteral("inputTokens")).toInteger();
    a.usage.outputTokens = o.value(QStringLiteral("outputTokens")).toInteger();
    a.latencyMs = o.value(QStringLiteral("latencyMs")).toInteger();
    a.warnings = stringList(o.value(QStringLiteral("warnings")));
    a.governance = answerGovernanceFromJson(o.value(QStringLiteral("governance")).toObject());
    if (o.value(QStringLiteral("cancelled")).toBool()) {
        a.error = ChatError::Cancelled;
    } else if (const QString error = o.value(QStringLiteral("error")).toString(); !error.isEmpty()) {
        a.error = ChatError::Provider;
        a.errorMessage = error;
    }
    return a;
}

} // namespace

QString Conversation::newId()
{
    return QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss-"))
        + QString::number(QRandomGenerator::global()->bounded(0x10000), 16).rightJustified(4, QLatin1Char('0'));
}

QJsonObject conversationToJson(const Conversation &c)
{
    QJsonArray turns;
    for (const ChatTurn &t : c.turns) {
        QJsonArray scope;
        for (const qint64 id : t.scope)
            scope.append(id);
        turns.append(QJsonObject{{QStringLiteral("askedAt"), t.askedAt.toString(Qt::ISODateWithMs)},
                                 {QStringLiteral("question"), t.question},
                                 {QStringLiteral("scope"), scope},
                                 {QStringLiteral("answer"), answerToJson(t.answer)},
                                 {QStringLiteral("feedback"), QJsonObject{{QStringLiteral("rating"), t.rating},
                                                                          {QStringLiteral("corrected"), t.corrected}}}});
    }
    return QJsonObject{{QStringLiteral("version"), kFormatVersion},
                       {QStringLiteral("id"), c.id},
                       {QStringLiteral("title"), c.title},
                       {QStringLiteral("storedConversationId"), c.storedId},
                       {QStringLiteral("created"), c.created.toString(Qt::ISODateWithMs)},
                       {QStringLiteral("updated"), c.updated.toString(Qt::ISODateWithMs)},
                       {QStringLiteral("turns"), turns}};
}

std::optional<Conversation> conversationFromJson(const QJsonObject &json)
{
    if (json.value(QStringLiteral("version")).toInt() != kFormatVersion)
        return std::nullopt;
    Conversation c;
    c.id = json.value(QStringLiteral("id")).toString();
    c.title = json.value(QStringLiteral("title")).toString();
    c.storedId = json.value(QStringLiteral("storedConversationId")).toInteger();
    c.created = QDateTime::fromString(json.value(QStringLiteral("created")).toString(), Qt::ISODateWithMs);
    c.updated = QDateTime::fromString(json.value(QStringLiteral("updated")).toString(), Qt::ISODateWithMs);
    for (const QJsonValue &v : json.value(QStringLiteral("turns")).toArray()) {
        const QJsonObject o = v.toObject();
        ChatTurn t;
        t.askedAt = QDateTime::fromString(o.value(QStringLiteral("askedAt")).toString(), Qt::ISODateWithMs);
        t.question = o.value(QStringLiteral("question")).toString();
        for (const QJsonValue &id : o.value(QStringLiteral("scope")).toArray())
            t.scope.append(id.toInteger());
        t.answer = answerFromJson(o.value(QStringLiteral("answer")).toObject());
        t.answer.question = t.question;
        const QJsonObject feedback = o.value(QStringLiteral("feedback")).toObject();
        t.rating = feedback.value(QStringLiteral("rating")).toInt();
        t.corrected = feedback.value(QStringLiteral("corrected")).toBool();
        c.turns.append(t);
    }
    if (c.id.isEmpty())
        return std::nullopt;
    return c;
}

} // namespace docsight
