#pragma once

#include "llm/answer.h"
#include "llm/promptbuilder.h"
#include "settings/appsettings.h"
#include "util/canceltoken.h"

#include <functional>
#include <memory>

#include <QObject>
#include <QThreadPool>

namespace docsight {

class DeltaSink;
class HybridRetriever;
class Library;
class ProviderService;

struct AskSettings {
    ProviderSettings provider;
    QString model;              // empty: the provider's configured model
    QList<qint64> scope;        // documents to search; empty: all
    int passages = 6;
    qint64 conversationId = 0;  // the stored conversation to continue (Answer::governance.conversationId); 0: a new one
};

// Runs one question at a time through AskService on a worker thread, with the provider's trust decided as the
// CLI decides it (assessTrust against the library's governance policy, read on the worker). Streamed text reaches the GUI
// thread by queued signal, coalesced (whatever arrived since the last delivery comes as one delta),
// so a fast provider cannot flood the event loop.
class ChatController final : public QObject
{
    Q_OBJECT

public:
    using RetrieverFn = std::function<std::shared_ptr<HybridRetriever>()>;

    ChatController(std::shared_ptr<Library> library, ProviderService *providers, RetrieverFn retriever,
                   QObject *parent = nullptr);
    ~ChatController() override;
    Q_DISABLE_COPY_MOVE(ChatController)

    bool isBusy() const { return m_busy; }
    void ask(const QString &question, const QList<ConversationTurn> &history, const AskSettings &settings);
    // Cancels the answer in flight; finished() follows with what arrived so far.
    void stop();

Q_SIGNALS:
    void busyChanged(bool busy);
    void delta(const QString &text);
    void finished(const docsight::Answer &answer);

private:
    void run(const QString &question, const QList<ConversationTurn> &history, const AskSettings &settings,
             const HttpChatSettings &http);
    void finish(const Answer &answer);

    std::shared_ptr<Library> m_library;
    ProviderService *m_providers = nullptr;
    RetrieverFn m_retriever;
    std::shared_ptr<DeltaSink> m_sink;
    CancelToken m_cancel;
    bool m_busy = false;
    // Its own thread: a slow model can stream for minutes, and must not hold one of the few shared
    // threads the library and viewer load their data on.
    QThreadPool m_pool;
};

} // namespace docsight
