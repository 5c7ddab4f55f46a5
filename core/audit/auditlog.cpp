#include "audit/auditlog.h"
#include "util/sqlerror.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>

namespace docsight {

Q_LOGGING_CATEGORY(lcAudit, "docsight.audit")

namespace {

const QString kHeadKey = QStringLiteral("audit_head");

QString timestamp(const QDateTime &at)
{
    return at.toUTC().toString(Qt::ISODateWithMs);
}

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    qCWarning(lcAudit) << "append failed:" << message;
    return false;
}

} // namespace

QString auditlog::genesisHash()
{
    return QString(64, QLatin1Char('0'));
}

QByteArray auditlog::canonicalEncoding(const AuditEvent &event)
{
    // QJsonObject keeps keys sorted and Compact output has no insignificant whitespace, so the
    // same event always encodes to the same bytes.
    QJsonObject o;
    o.insert(QStringLiteral("seq"), static_cast<double>(event.seq));
    o.insert(QStringLiteral("at"), timestamp(event.at));
    o.insert(QStringLiteral("kind"), event.kind);
    o.insert(QStringLiteral("subject"), event.subject);
    o.insert(QStringLiteral("payload"), event.payload);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QString auditlog::computeHash(const QString &prevHash, const AuditEvent &event)
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(prevHash.toLatin1());
    h.addData(QByteArrayView("\n"));
    h.addData(canonicalEncoding(event));
    return QString::fromLatin1(h.result().toHex());
}

bool auditlog::append(QSqlDatabase &db, const QString &kind, const QString &subject, const QJsonObject &payload,
                      QString *error)
{
    QSqlQuery last(db);
    if (!last.exec(QStringLiteral("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")))
        return fail(error, sqlErrorText(last.lastError()));
    AuditEvent event;
    event.prevHash = genesisHash();
    event.seq = 1;
    if (last.next()) {
        event.seq = last.value(0).toLongLong() + 1;
        event.prevHash = last.value(1).toString();
    }
    event.at = QDateTime::currentDateTimeUtc();
    event.kind = kind;
    event.subject = subject;
    event.payload = payload;
    event.hash = computeHash(event.prevHash, event);

    QSqlQuery insert(db);
    insert.prepare(QStringLiteral("INSERT INTO audit_events (seq, at, kind, subject, payload, prev_hash, hash) "
                                  "VALUES (?, ?, ?, ?, ?, ?, ?)"));
    insert.addBindValue(event.seq);
    insert.addBindValue(timestamp(event.at));
    insert.addBindValue(event.kind);
    insert.addBindValue(event.subject);
    insert.addBindValue(QString::fromUtf8(QJsonDocument(event.payload).toJson(QJsonDocument::Compact)));
    insert.addBindValue(event.prevHash);
    insert.addBindValue(event.hash);
    if (!insert.exec())
        return fail(error, sqlErrorText(insert.lastError()));

    QSqlQuery head(db);
    head.prepare(QStringLiteral("INSERT INTO meta (key, value) VALUES (?, ?) "
                                "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
    head.addBindValue(kHeadKey);
    head.addBindValue(QString(QString::number(event.seq) + QLatin1Char(':') + event.hash));
    if (!head.exec())
        return fail(error, sqlErrorText(head.lastError()));
    return true;
}

QList<AuditEvent> auditlog::events(QSqlDatabase &db, const QDateTime &from, const QDateTime &to)
{
    QList<AuditEvent> out;
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT seq, at, kind, subject, payload, prev_hash, hash FROM audit_events ORDER BY seq")))
        return out;
    while (q.next()) {
        AuditEvent e;
        e.seq = q.value(0).toLongLong();
        e.at = QDateTime::fromString(q.value(1).toString(), Qt::ISODateWithMs);
        if ((from.isValid() && e.at < from) || (to.isValid() && e.at > to))
            continue;
        e.kind = q.value(2).toString();
        e.subject = q.value(3).toString();
        e.payload = QJsonDocument::fromJson(q.value(4).toString().toUtf8()).object();
        e.prevHash = q.value(5).toString();
        e.hash = q.value(6).toString();
        out.append(e);
    }
    return out;
}

AuditVerification auditlog::verify(QSqlDatabase &db)
{
    AuditVerification result;
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT seq, at, kind, subject, payload, prev_hash, hash FROM audit_events ORDER BY seq"))) {
        result.problem = QStringLiteral("cannot read the audit trail: ") + sqlErrorText(q.lastError());
        return result;
    }
    QString prevHash = genesisHash();
    qint64 expectedSeq = 1;
    auto bad = [&result](qint64 seq, const QString &problem) {
        result.firstBadSeq = seq;
        result.problem = problem;
        return result;
    };
    while (q.next()) {
        AuditEvent e;
        e.seq = q.value(0).toLongLong();
        e.at = QDateTime::fromString(q.value(1).toString(), Qt::ISODateWithMs);
        e.kind = q.value(2).toString();
        e.subject = q.value(3).toString();
        const QJsonDocument payload = QJsonDocument::fromJson(q.value(4).toString().toUtf8());
        e.payload = payload.object();
        e.prevHash = q.value(5).toString();
        e.hash = q.value(6).toString();
        if (e.seq != expectedSeq)
            return bad(expectedSeq, QStringLiteral("event %1 is missing (next is %2): events were deleted or renumbered")
                                        .arg(expectedSeq)
                                        .arg(e.seq));
        if (!payload.isObject())
            return bad(e.seq, QStringLiteral("event %1 has an unreadable payload").arg(e.seq));
        if (e.prevHash != prevHash)
            return bad(e.seq, QStringLiteral("event %1 does not follow event %2: the chain was broken (deleted, "
                                             "inserted or reordered events)")
                                  .arg(e.seq)
                                  .arg(e.seq - 1));
        if (computeHash(prevHash, e) != e.hash)
            return bad(e.seq, QStringLiteral("event %1 was altered: its content no longer matches its hash").arg(e.seq));
        prevHash = e.hash;
        ++expectedSeq;
        ++result.events;
    }

    QSqlQuery head(db);
    head.prepare(QStringLiteral("SELECT value FROM meta WHERE key = ?"));
    head.addBindValue(kHeadKey);
    const QString recorded = head.exec() && head.next() ? head.value(0).toString() : QString();
    const QString actual = result.events == 0 ? QString() : QString::number(result.events) + QLatin1Char(':') + prevHash;
    if (recorded != actual) {
        const qint64 recordedSeq = recorded.section(QLatin1Char(':'), 0, 0).toLongLong();
        return bad(qMax<qint64>(1, qMin(recordedSeq, result.events + 1)),
                   QStringLiteral("the trail ends at event %1 but the recorded head is event %2: events were removed "
                                  "from the end or the head was altered")
                       .arg(result.events)
                       .arg(recordedSeq));
    }
    result.intact = true;
    result.headHash = result.events == 0 ? genesisHash() : prevHash;
    return result;
}

} // namespace docsight
