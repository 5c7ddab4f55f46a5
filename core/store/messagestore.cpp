#include "store/messagestore.h"
#include "util/sqlerror.h"

#include "store/library.h"

#include "audit/auditlog.h"

#include <map>

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace docsight {

Q_LOGGING_CATEGORY(lcMessages, "docsight.store.messages")

namespace {

// SQLite stores a null QString as NULL, which NOT NULL text columns refuse.
QString nonNull(const QString &s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

QString compactJson(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QString citationsJson(const QList<StoredCitation> &citations)
{
    QJsonArray a;
    for (const StoredCitation &c : citations) {
        a.append(QJsonObject{{QStringLiteral("marker"), c.marker},
                             {QStringLiteral("chunk_id"), c.chunkId},
                             {QStringLiteral("document_id"), c.documentId},
                             {QStringLiteral("document"), c.document},
                             {QStringLiteral("page"), c.page},
                             {QStringLiteral("quote"), c.quote}});
    }
    return QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact));
}

QList<StoredCitation> parseCitations(const QString &json)
{
    QList<StoredCitation> out;
    const QJsonArray a = QJsonDocument::fromJson(json.toUtf8()).array();
    for (const QJsonValue v : a) {
        const QJsonObject o = v.toObject();
        out.append({o.value(QLatin1String("marker")).toString(), o.value(QLatin1String("chunk_id")).toInteger(),
                    o.value(QLatin1String("document_id")).toInteger(), o.value(QLatin1String("document")).toString(),
                    o.value(QLatin1String("page")).toInt(), o.value(QLatin1String("quote")).toString()});
    }
    return out;
}

const QString kMessageColumns = QStringLiteral(
    "id, conversation_id, at, question, answer, provider, model, trust, parameters, citations, governance, outcome, "
    "question_sha256, answer_sha256");

StoredMessage readMessage(const QSqlQuery &q)
{
    StoredMessage m;
    m.id = q.value(0).toLongLong();
    m.conversationId = q.value(1).toLongLong();
    m.at = QDateTime::fromString(q.value(2).toString(), Qt::ISODateWithMs);
    m.question = q.value(3).toString();
    m.answer = q.value(4).toString();
    m.provider = q.value(5).toString();
    m.model = q.value(6).toString();
    m.trust = q.value(7).toString();
    m.parameters = QJsonDocument::fromJson(q.value(8).toString().toUtf8()).object();
    m.citations = parseCitations(q.value(9).toString());
    m.governance = QJsonDocument::fromJson(q.value(10).toString().toUtf8()).object();
    m.outcome = q.value(11).toString();
    m.questionSha256 = q.value(12).toString();
    m.answerSha256 = q.value(13).toString();
    return m;
}

bool fail(QString *error, const QSqlQuery &q)
{
    if (error)
        *error = sqlErrorText(q.lastError());
    qCWarning(lcMessages).noquote() << "write failed:" << sqlErrorText(q.lastError());
    return false;
}

QString titleFor(const QString &question)
{
    const QString s = nonNull(question.simplified());
    return s.size() > 80 ? s.left(79) + QChar(0x2026) : s;
}

} // namespace

MessageStore::MessageStore(std::shared_ptr<Library> library)
    : m_library(std::move(library))
{
}

QString MessageStore::timestamp(const QDateTime &at)
{
    return at.toUTC().toString(Qt::ISODateWithMs);
}

qint64 MessageStore::create(const QString &title, QString *error)
{
    qint64 id = 0;
    m_library->write(
        [&](QSqlDatabase &db) {
            QSqlQuery q(db);
            q.prepare(QStringLiteral("INSERT INTO conversations (title, created_at, updated_at) VALUES (?, ?, ?)"));
            const QString now = timestamp(QDateTime::currentDateTimeUtc());
            q.addBindValue(titleFor(title));
            q.addBindValue(now);
            q.addBindValue(now);
            if (!q.exec())
                return fail(error, q);
            id = q.lastInsertId().toLongLong();
            return true;
        },
        error);
    return id;
}

bool MessageStore::append(QSqlDatabase &db, StoredMessage *m, QString *error)
{
    if (!m->at.isValid())
        m->at = QDateTime::currentDateTimeUtc();
    const QString at = timestamp(m->at);
    if (m->conversationId == 0) {
        QSqlQuery c(db);
        c.prepare(QStringLiteral("INSERT INTO conversations (title, created_at, updated_at) VALUES (?, ?, ?)"));
        c.addBindValue(titleFor(m->question));
        c.addBindValue(at);
        c.addBindValue(at);
        if (!c.exec())
            return fail(error, c);
        m->conversationId = c.lastInsertId().toLongLong();
    } else {
        QSqlQuery c(db);
        c.prepare(QStringLiteral("UPDATE conversations SET updated_at = ? WHERE id = ?"));
        c.addBindValue(at);
        c.addBindValue(m->conversationId);
        if (!c.exec())
            return fail(error, c);
        if (c.numRowsAffected() != 1) {
            if (error)
                *error = QStringLiteral("no conversation with id %1").arg(m->conversationId);
            return false;
        }
    }
    QSqlQuery q(db);
    q.prepare(QStringLiteral("INSERT INTO messages (conversation_id, at, question, answer, provider, model, trust, "
                             "parameters, citations, governance, outcome, question_sha256, answer_sha256) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(m->conversationId);
    q.addBindValue(at);
    q.addBindValue(nonNull(m->question));
    q.addBindValue(nonNull(m->answer));
    q.addBindValue(nonNull(m->provider));
    q.addBindValue(nonNull(m->model));
    q.addBindValue(nonNull(m->trust));
    q.addBindValue(compactJson(m->parameters));
    q.addBindValue(citationsJson(m->citations));
    q.addBindValue(compactJson(m->governance));
    q.addBindValue(nonNull(m->outcome));
    q.addBindValue(nonNull(m->questionSha256));
    q.addBindValue(nonNull(m->answerSha256));
    if (!q.exec())
        return fail(error, q);
    m->id = q.lastInsertId().toLongLong();
    return true;
}

QList<ConversationRecord> MessageStore::list() const
{
    QList<ConversationRecord> out;
    QSqlQuery q(m_library->connection());
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT c.id, c.title, c.created_at, c.updated_at, "
                               "(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id) "
                               "FROM conversations c ORDER BY c.updated_at DESC, c.id DESC")))
        return out;
    while (q.next()) {
        out.append({q.value(0).toLongLong(), q.value(1).toString(),
                    QDateTime::fromString(q.value(2).toString(), Qt::ISODateWithMs),
                    QDateTime::fromString(q.value(3).toString(), Qt::ISODateWithMs), q.value(4).toInt()});
    }
    return out;
}

std::optional<ConversationRecord> MessageStore::conversation(qint64 id) const
{
    for (const ConversationRecord &c : list()) {
        if (c.id == id)
            return c;
    }
    return std::nullopt;
}

std::optional<StoredMessage> MessageStore::message(qint64 id) const
{
    QSqlQuery q(m_library->connection());
    q.prepare(QStringLiteral("SELECT ") + kMessageColumns + QStringLiteral(" FROM messages WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return readMessage(q);
}

QList<StoredMessage> MessageStore::messages(qint64 conversationId, const QDateTime &from, const QDateTime &to) const
{
    QList<StoredMessage> out;
    QString sql = QStringLiteral("SELECT ") + kMessageColumns + QStringLiteral(" FROM messages WHERE 1");
    QVariantList binds;
    if (conversationId != 0) {
        sql += QStringLiteral(" AND conversation_id = ?");
        binds << conversationId;
    }
    if (from.isValid()) {
        sql += QStringLiteral(" AND at >= ?");
        binds << timestamp(from);
    }
    if (to.isValid()) {
        sql += QStringLiteral(" AND at < ?");
        binds << timestamp(to);
    }
    sql += QStringLiteral(" ORDER BY at, id");
    QSqlQuery q(m_library->connection());
    q.setForwardOnly(true);
    q.prepare(sql);
    for (const QVariant &b : std::as_const(binds))
        q.addBindValue(b);
    if (!q.exec())
        return out;
    while (q.next())
        out.append(readMessage(q));
    return out;
}

// --- feedback ---------------------------------------------------------------------------------------

bool MessageStore::recordFeedback(qint64 messageId, int rating, const QString &correction, QString *error)
{
    const int r = rating > 0 ? 1 : rating < 0 ? -1 : 0;
    const QString text = correction.trimmed();
    // Neither a thumb nor a correction takes the thumb back; the history of what was said stays.
    const bool cleared = r == 0 && text.isEmpty();
    return m_library->write(
        [&](QSqlDatabase &db) {
            QSqlQuery q(db);
            q.prepare(QStringLiteral("INSERT INTO feedback (message_id, at, rating, correction) VALUES (?, ?, ?, ?)"));
            q.addBindValue(messageId);
            q.addBindValue(timestamp(QDateTime::currentDateTimeUtc()));
            q.addBindValue(r);
            q.addBindValue(nonNull(text));
            if (!q.exec()) {
                if (error)
                    *error = sqlErrorText(q.lastError());
                return false;
            }
            return auditlog::append(db, QStringLiteral("answer.feedback"), QStringLiteral("message:%1").arg(messageId),
                                    {{QStringLiteral("rating"), r}, {QStringLiteral("has_correction"), !text.isEmpty()},
                                     {QStringLiteral("cleared"), cleared}},
                                    error);
        },
        error);
}

FeedbackStats MessageStore::feedback(const QDateTime &from, const QDateTime &to) const
{
    FeedbackStats f;
    QSqlDatabase db = m_library->connection();
    const QString lo = from.isValid() ? timestamp(from) : QStringLiteral("0000");
    const QString hi = to.isValid() ? timestamp(to) : QStringLiteral("9999");
    QSqlQuery answers(db);
    answers.prepare(QStringLiteral("SELECT COUNT(*) FROM messages WHERE at >= ? AND at < ?"));
    answers.addBindValue(lo);
    answers.addBindValue(hi);
    if (answers.exec() && answers.next())
        f.answers = answers.value(0).toInt();
    // The latest thumb per answer counts (an analyst may change their mind); any correction counts.
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT f.message_id, f.rating, f.correction FROM feedback f JOIN messages m ON m.id = f.message_id "
                             "WHERE m.at >= ? AND m.at < ? ORDER BY f.at, f.id"));
    q.addBindValue(lo);
    q.addBindValue(hi);
    std::map<qint64, int> latest;
    std::map<qint64, bool> corrected;
    if (q.exec()) {
        while (q.next()) {
            const qint64 id = q.value(0).toLongLong();
            const bool hasCorrection = !q.value(2).toString().isEmpty();
            if (q.value(1).toInt() != 0)
                latest[id] = q.value(1).toInt();
            else if (!hasCorrection)
                latest.erase(id); // the thumb was taken back
            if (hasCorrection)
                corrected[id] = true;
        }
    }
    for (const auto &[id, rating] : latest) {
        ++f.rated;
        (rating > 0 ? f.up : f.down) += 1;
    }
    f.corrections = static_cast<int>(corrected.size());
    if (f.rated > 0) {
        f.upRate = double(f.up) / double(f.rated);
        f.downRate = double(f.down) / double(f.rated);
    }
    if (f.answers > 0)
        f.correctionRate = double(f.corrections) / double(f.answers);
    return f;
}

} // namespace docsight
