#pragma once

#include "llm/answer.h"

#include <optional>

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace docsight {

// One question and what came back.
struct ChatTurn {
    QDateTime askedAt;
    QString question;
    QList<qint64> scope;   // documents searched; empty: all
    Answer answer;         // sources are not kept (their text is in the library); citations are
    int rating = 0;        // feedback the analyst gave: +1 thumbs up, -1 thumbs down, 0 none
    bool corrected = false; // a correction was sent
};

// A conversation as the chat panel shows it and saves it.
struct Conversation {
    QString id;            // file name stem, e.g. "20240521-101500-1a2b"
    QString title;         // the first question, shortened
    qint64 storedId = 0;   // the library's stored conversation (MessageStore) answers are appended to; 0: none yet
    QDateTime created;
    QDateTime updated;
    QList<ChatTurn> turns;

    bool isEmpty() const { return turns.isEmpty(); }
    static QString newId();
};

struct ConversationSummary {
    QString id;
    QString title;
    QDateTime updated;
    int turns = 0;
};

// JSON on disk, version 1. Unknown later versions are refused (nullopt) rather than misread. Governance, feedback
// and the stored conversation id were added as optional keys: files written before them read as "none".
QJsonObject conversationToJson(const Conversation &conversation);
std::optional<Conversation> conversationFromJson(const QJsonObject &json);

} // namespace docsight
