#pragma once

#include "llm/chatprovider.h"

#include <QList>
#include <QString>

namespace docsight {

struct RetrievedPassage;

// One earlier exchange of the conversation.
struct ConversationTurn {
    QString question;
    QString answer;
};

struct PromptBudget {
    int contextWindow = 8'192;     // the model's limit: prompt and answer together
    int maxOutputTokens = 1'024;   // asked for; lowered when the window cannot hold it
    int minOutputTokens = 256;     // below this the question is refused rather than answered badly
    int historyTokens = 2'000;     // at most this much of the window for earlier turns
};

struct BuiltPrompt {
    QString system;
    QList<ChatMessage> messages;   // history (oldest first) then the question with its sources
    QList<ChatSource> sources;     // the passages that made it into the prompt, labelled S1..Sn
    QList<int> sourceIndexes;      // for each of sources, its index in the passages given to build()
    int historyTurnsUsed = 0;
    int historyTurnsDropped = 0;   // the oldest turns, trimmed to fit
    int passagesDropped = 0;       // passages that did not fit the window
    int estimatedInputTokens = 0;  // system + messages, by estimateTokens()
    int maxOutputTokens = 0;       // what to ask the provider for
    QString boundary;              // the per-request token closing every source block
    QString error;                 // the question alone does not fit the window; nothing to send

    bool ok() const { return error.isEmpty(); }
};

// Builds a grounded prompt. Passages are untrusted data: each goes into a block
//     <<<BEGIN S1 {boundary}>>> document: "R-intro.pdf", page 12
//     ...text...
//     <<<END S1 {boundary}>>>
// whose boundary is a random token drawn for this request alone and removed from the passage text (as
// are "<<<" and ">>>"), so a document cannot close its block and speak as the user. The system prompt
// tells the model to answer only from the blocks, cite every claim as [S#], say when the documents do
// not hold the answer, and never follow instructions found inside a block.
// Budget: system + history + sources + question + maxOutputTokens never exceed the context window by the
// (over-)estimate; passages are kept in rank order while they fit, then the newest turns of history
// within historyTokens, dropping the oldest first.
class PromptBuilder final
{
public:
    static BuiltPrompt build(const QString &question, const QList<RetrievedPassage> &passages,
                             const QList<ConversationTurn> &history, const PromptBudget &budget,
                             const QString &boundary = {});

    // A deliberately high token estimate: one token per 3 ASCII characters (English prose runs near 4,
    // code and numbers nearer 3) and one per other character (CJK text can run at one or more a character).
    static int estimateTokens(QStringView text);
    // Framing the APIs add around each message (role markers), counted on top of its text.
    static constexpr int kMessageOverheadTokens = 8;

    static QString newBoundary();              // "dsb-" + 32 random hex digits
    static QString systemPrompt(const QString &boundary);
    // Passage text or a document name made safe to place inside a block.
    static QString neutralise(QString text, const QString &boundary);
    static QString sourceBlock(const QString &label, const QString &document, int page, const QString &text,
                               const QString &boundary,
                               const QString &section = {});
};

} // namespace docsight
