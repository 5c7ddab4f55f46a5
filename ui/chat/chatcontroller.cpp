#include "chat/chatcontroller.h"

#include "common/async.h"
#include "settings/providerservice.h"
#include "settings/providertrust.h"

#include "governance/policygate.h"
#include "llm/askservice.h"
#include "llm/providerfactory.h"
#include "search/hybridretriever.h"

#include <QMutex>

namespace docsight {

// Collects streamed text on the worker; hands it to the GUI thread in one piece per event-loop turn.
class DeltaSink final : public QObject
{
    Q_OBJECT

public:
    void append(QStringView text)
    {
        bool wasEmpty = false;
        {
            QMutexLocker lock(&m_mutex);
            wasEmpty = m_buffer.isEmpty();
            m_buffer.append(text);
        }
        if (wasEmpty)
            QMetaObject::invokeMethod(this, &DeltaSink::drain, Qt::QueuedConnection);
    }

    void drain()
    {
        QString text;
        {
            QMutexLocker lock(&m_mutex);
            text.swap(m_buffer);
        }
        if (!text.isEmpty())
            Q_EMIT arrived(text);
    }

Q_SIGNALS:
    void arrived(const QString &text);

private:
    QMutex m_mutex;
    QString m_buffer;
};

ChatController::ChatController(std::shared_ptr<Library> library, ProviderService *providers, RetrieverFn retriever,
                               QObject *parent)
    : QObject(parent)
    , m_library(std::move(library))
    , m_providers(providers)
    , m_retriever(std::move(retriever))
{
    m_pool.setMaxThreadCount(1);
    m_pool.setExpiryTimeout(-1);
}

ChatController::~ChatController()
{
    m_cancel.cancel();
    m_pool.waitForDone();
}

void ChatController::ask(const QString &question, const QList<ConversationTurn> &history, const AskSettings &settings)
{
    if (m_busy)
        return;
    m_busy = true;
    m_cancel = CancelToken();
    Q_EMIT busyChanged(true);
    m_providers->resolve(settings.provider, [this, question, history, settings, cancel = m_cancel](
                                                std::optional<HttpChatSettings> http, const QString &error) {
        if (cancel.isCancelled() || !http) {
            Answer answer;
            answer.question = question;
            answer.provider = providerKindName(settings.provider.kind);
            answer.error = cancel.isCancelled() ? ChatError::Cancelled : ChatError::Configuration;
            answer.errorMessage = error;
            finish(answer);
            return;
        }
        run(question, history, settings, *http);
    });
}

void ChatController::run(const QString &question, const QList<ConversationTurn> &history, const AskSettings &settings,
                         const HttpChatSettings &http)
{
    AskRequest request;
    request.question = question;
    request.history = history;
    request.retrieval.k = settings.passages;
    request.retrieval.waitForVectorIndex = false; // a large library's first question is not kept waiting
    if (!settings.scope.isEmpty())
        request.retrieval.documentIds = settings.scope;
    request.model = settings.model.isEmpty() ? settings.provider.model : settings.model;
    request.temperature = settings.provider.temperature;
    request.maxTokens = settings.provider.maxTokens;
    request.cancel = m_cancel;
    request.conversationId = settings.conversationId;

    // The sink outlives whichever side lets go of it last; it is deleted on the GUI thread.
    m_sink = std::shared_ptr<DeltaSink>(new DeltaSink, [](DeltaSink *s) { s->deleteLater(); });
    connect(m_sink.get(), &DeltaSink::arrived, this, &ChatController::delta);

    runAsync(
        &m_pool, this,
        [library = m_library, retriever = m_retriever(), kind = settings.provider.kind, http, request, sink = m_sink] {
            const std::shared_ptr<ChatProvider> provider = makeChatProvider(kind, http);
            AskService service(library, retriever, provider);
            // A LAN server the analyst marked local is trusted as local; anything else off this computer is cloud.
            service.setProviderTrust(assessTrust({provider->id(), effectiveBaseUrl(kind, http.baseUrl), provider->sendsDataOffDevice()},
                                                 GovernancePolicy::load(*library)));
            return service.ask(request, [&sink](QStringView d) { sink->append(d); });
        },
        [this](const Answer &answer) { finish(answer); });
}

void ChatController::finish(const Answer &answer)
{
    if (m_sink) {
        m_sink->drain();
        disconnect(m_sink.get(), nullptr, this, nullptr);
        m_sink.reset();
    }
    m_busy = false;
    Q_EMIT finished(answer);
    Q_EMIT busyChanged(false);
}

void ChatController::stop()
{
    m_cancel.cancel();
}

} // namespace docsight

#include "chatcontroller.moc"
