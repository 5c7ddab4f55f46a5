#pragma once

#include "governance/policygate.h"
#include "llm/answer.h"
#include "llm/chatprovider.h"
#include "llm/promptbuilder.h"
#include "search/hybridretriever.h"

#include <memory>
#include <optional>

#include <QList>
#include <QString>

class QElapsedTimer;

namespace docsight {

class Library;

struct AskRequest {
    QString question;
    QList<ConversationTurn> history;        // earlier turns, oldest first
    RetrievalOptions retrieval;             // k, documents to search
    QString model;                          // empty: the provider's default
    std::optional<double> temperature = 0.2;
    int maxTokens = 1'024;
    int historyTokens = 2'000;              // budget for earlier turns
    CancelToken cancel;
    qint64 conversationId = 0;              // stored under this conversation; 0 (or unknown) starts a new one.
                                            // With it, turns answered locally from Restricted documents are kept
                                            // out of the history a cloud provider sees.
    bool record = true;                     // false: nothing is written (no message, usage or audit event), for
                                            // measuring answers (eval), which only reads the library
};

// One question, end to end: retrieve passages, let the PolicyGate decide what the provider may see
// (Restricted documents never reach a cloud provider; Confidential ones reach it with PII replaced by
// placeholders, restored in the answer), stop cloud calls once a hard monthly budget is spent, build the
// grounded prompt with a canary, stream the answer, withhold it if it leaks the canary or the system prompt,
// resolve its citations to pages, quotes and word boxes, and record the exchange (unless the request says
// not to): the message in the conversation store, usage in the meter, and "question.answered" in the audit
// trail (hashes, ids and counts; never raw text). Blocking: run it on a worker thread; onDelta is called on that thread. Thread-safe once
// configured (the setters are for before the first question).
class AskService final
{
public:
    AskService(std::shared_ptr<Library> library, std::shared_ptr<HybridRetriever> retriever,
               std::shared_ptr<ChatProvider> provider);
    ~AskService();
    Q_DISABLE_COPY_MOVE(AskService)

    Answer ask(const AskRequest &request, const ChatDeltaFn &onDelta = {}) const;

    // The same over passages chosen elsewhere (a selection in the viewer), skipping retrieval.
    Answer answerFrom(const AskRequest &request, const QList<RetrievedPassage> &passages,
                      const ChatDeltaFn &onDelta = {}) const;

    // Where the provider runs, when the caller knows better than sendsDataOffDevice(): a LAN server the
    // analyst marked local (see assessTrust). Default: local when the provider keeps data on this computer.
    void setProviderTrust(const TrustDecision &trust);
    // Answers questions policy keeps on this computer (RestrictedHandling::AnswerLocally); default: extractive.
    void setLocalProvider(std::shared_ptr<ChatProvider> provider);

    static QString noPassagesText();
    static QString sha256Hex(const QString &text);

private:
    Answer respond(const AskRequest &request, const QList<RetrievedPassage> &passages, const ChatDeltaFn &onDelta,
                   const QElapsedTimer &timer) const;
    void attachWordBoxes(Answer *answer) const;
    bool audit(Answer *answer, const AskRequest &request, bool providerCalled) const;

    std::shared_ptr<Library> m_library;
    std::shared_ptr<HybridRetriever> m_retriever;
    std::shared_ptr<ChatProvider> m_provider;
    TrustDecision m_trust;
    std::shared_ptr<ChatProvider> m_localProvider;
};

} // namespace docsight
