#pragma once

#include "governance/policygate.h"
#include "llm/chatprovider.h"
#include "model/passagelocation.h"
#include "search/hybridretriever.h"

#include <QList>
#include <QRectF>
#include <QString>
#include <QStringList>

namespace docsight {

// One [S#] of an answer, resolved to the passage it names.
// Its location's span is the quoted sentence when exactQuote, else the whole passage.
struct Citation : PassageLocation {
    QString marker;          // "S2"
    int sourceIndex = -1;    // index in Answer::sources
    int sentence = -1;       // index in Answer::sentences of the sentence that carries the marker
    qint64 chunkId = 0;
    QString document;
    QList<QRectF> boxes;     // their rectangles, normalised to the page; empty when the page has no geometry
    QString quote;           // the cited sentence as it stands in the document, else the whole passage
    bool exactQuote = false; // the answer sentence was found word for word in the passage
};

struct AnswerSentence {
    int start = 0;           // span in Answer::text
    int end = 0;
    QStringList markers;     // valid markers it carries ("S1", "S3")
};

// What the analyst gets back for one question.
struct Answer {
    QString question;
    QString text;                    // as streamed, minus markers naming no passage
    QList<AnswerSentence> sentences;
    QList<Citation> citations;       // in order of appearance, one per marker and sentence
    QStringList unknownMarkers;      // markers naming no passage ("S9"), dropped from text
    QStringList uncitedSentences;    // substantive sentences citing nothing
    bool declined = false;           // the answer says the documents do not hold an answer
    QList<RetrievedPassage> sources; // the passages the provider was given, Answer::sources[i] is S(i+1)

    QString provider;
    QString model;
    ChatUsage usage;
    qint64 latencyMs = 0;            // question to last byte
    qint64 firstTokenMs = -1;        // question to first text; -1 when none arrived

    ChatError error = ChatError::None;
    QString errorMessage;            // analyst-facing; never contains a key
    QStringList warnings;            // e.g. answer cut at the token limit, passages withheld by policy
    AnswerGovernance governance;     // what policy withheld, redacted, flagged or blocked; where it was stored

    bool ok() const noexcept { return error == ChatError::None; }
};

} // namespace docsight
