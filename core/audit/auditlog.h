#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QString>

namespace docsight {

struct AuditEvent {
    qint64 seq = 0;
    QDateTime at;          // UTC, millisecond precision
    QString kind;          // e.g. "document.imported"
    QString subject;       // what the event is about, e.g. "document:12"
    QJsonObject payload;   // ids, hashes, counts — never raw document text, questions or keys
    QString prevHash;      // hex SHA-256 of the previous event ("0"*64 for the first)
    QString hash;          // hex SHA-256 over prevHash and the canonical encoding of this event
};

struct AuditVerification {
    bool intact = false;
    qint64 events = 0;
    QString headHash;     // hash of the last event when intact
    qint64 firstBadSeq = 0;
    QString problem;      // what is wrong with firstBadSeq, for the analyst
};

// Append-only, hash-chained audit trail stored in the library database. Each event's hash covers
// the previous event's hash and a canonical encoding of the event, so editing, deleting, inserting
// or reordering any event breaks the chain from that point. The head (last seq and hash) is also
// kept in the meta table in the same transaction, so cutting events off the end is detected too.
// Limits: someone able to rewrite the whole database can recompute the chain; the head hash printed
// by `audit verify` and in reports is the anchor to keep elsewhere.
namespace auditlog {

// Appends inside the caller's open write transaction (Library::write), so the event commits or
// rolls back together with the change it records.
bool append(QSqlDatabase &db, const QString &kind, const QString &subject, const QJsonObject &payload,
            QString *error = nullptr);

AuditVerification verify(QSqlDatabase &db);

QList<AuditEvent> events(QSqlDatabase &db, const QDateTime &from = {}, const QDateTime &to = {});

// The exact bytes hashed for an event (sorted-key compact JSON of seq, at, kind, subject, payload).
QByteArray canonicalEncoding(const AuditEvent &event);
QString computeHash(const QString &prevHash, const AuditEvent &event);
QString genesisHash();

} // namespace auditlog

} // namespace docsight
