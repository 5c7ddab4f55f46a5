#pragma once

#include "llm/answer.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace docsight {

// One thing governance did to an answer, as the answer view shows it.
struct GovernanceNote {
    enum class Kind { Leak, Budget, Withheld, RoutedLocally, Injection, Redaction };
    Kind kind = Kind::Injection;
    QString name;    // object name of the label ("leakNote", "withheldNote", ...), for tests and style
    QString title;   // a few words in bold: "Answer withheld"
    QString text;    // the rest, plain text
    bool severe = false; // red rather than amber
};

// What AnswerGovernance says, most serious first: a withheld leak, a budget stop, passages withheld by
// policy (how many, of which documents, why), a local answer instead of the cloud, passages that read like
// instructions, PII redacted before sending. Empty when governance had nothing to say.
QList<GovernanceNote> governanceNotes(const Answer &answer);
// Answer::warnings without the ones governanceNotes() already shows, so nothing is said twice.
QStringList remainingWarnings(const Answer &answer);
// Whether the passage (chunk) was flagged as instruction-like.
bool isInjectionFlagged(const Answer &answer, qint64 chunkId);

} // namespace docsight
