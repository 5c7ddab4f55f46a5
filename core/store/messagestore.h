#pragma once

#include <memory>
#include <optional>

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QString>

namespace docsight {

class Library;

// One quoted passage of an answer, as the report shows it.
struct StoredCitation {
    QString marker;         // "S2"
    qint64 chunkId = 0;
    qint64 documentId = 0;
    QString document;
    int page = 0;
    QString quote;
};

// One question and its answer, as the analyst saw them (PII restored, withheld answers as withheld).
struct StoredMessage {
    qint64 id = 0;
    qint64 conversationId = 0;
    QDateTime at;                 // UTC
    QString question;
    QString answer;
    QString provider;
    QString model;
    QString trust;                // "local" / "cloud"
    QJsonObject parameters;       // temperature, max_tokens, k, ...
    QList<StoredCitation> citations;
    QJsonObject governance;       // withheld documents, redaction counts, injection flags, leak, notices
    QString outcome;              // "answered", "declined", "failed", "withheld", "blocked", "cancelled"
    QString questionSha256;
    QString answerSha256;
};

struct FeedbackStats {
    int answers = 0;              // answers given in the period
    int rated = 0;                // answers whose latest feedback is a thumb
    int up = 0;
    int down = 0;
    int corrections = 0;          // answers with a correction
    double upRate = 0;            // up / rated
    double downRate = 0;          // down / rated
    double correctionRate = 0;    // corrections / answers
};

struct ConversationRecord {
    qint64 id = 0;
    QString title;
    QDateTime createdAt;
    QDateTime updatedAt;
    int messages = 0;
};

// Conversations and their messages in the library database, so an audit report can show what was asked and
// answered (the audit trail itself only holds hashes). Written by AskService for every question, whichever
// front end asked it (ui/ConversationStore keeps the chat panel's own JSON copy). Thread-safe: each thread
// uses its own connection.
class MessageStore final
{
public:
    explicit MessageStore(std::shared_ptr<Library> library);

    // A new conversation titled after its first question (clipped); returns its id, 0 on failure.
    qint64 create(const QString &title, QString *error = nullptr);
    // Appends inside the caller's write transaction (Library::write), so the message commits together with
    // its audit event. Creates the conversation when message->conversationId is 0. Fills id and at.
    static bool append(QSqlDatabase &db, StoredMessage *message, QString *error = nullptr);

    QList<ConversationRecord> list() const;
    std::optional<ConversationRecord> conversation(qint64 id) const;
    std::optional<StoredMessage> message(qint64 id) const;
    // Messages in time order; conversationId 0 means all; from/to (UTC) bound the time when valid.
    QList<StoredMessage> messages(qint64 conversationId = 0, const QDateTime &from = {}, const QDateTime &to = {}) const;

    // Feedback on an answer. rating: +1 thumbs up, -1 thumbs down, 0 none (a correction alone; with no
    // correction either, the answer's thumb is taken back). Audited ("answer.feedback") without the
    // correction's text.
    bool recordFeedback(qint64 messageId, int rating, const QString &correction, QString *error = nullptr);
    // Ratings and corrections of the answers given between from and to (UTC; open-ended when invalid).
    FeedbackStats feedback(const QDateTime &from, const QDateTime &to) const;

    static QString timestamp(const QDateTime &at); // ISO 8601 UTC with milliseconds, sortable as text

private:
    std::shared_ptr<Library> m_library;
};

} // namespace docsight
