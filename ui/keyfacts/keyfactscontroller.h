#pragma once

#include "llm/keyfacts.h"
#include "settings/appsettings.h"
#include "util/canceltoken.h"

#include <memory>
#include <optional>

#include <QObject>
#include <QThreadPool>

namespace docsight {

class Library;
class ProviderService;

// One key-fact extraction as the dialog asks for it.
struct KeyFactsRequest {
    qint64 documentId = 0;
    FactTemplate templ = FactTemplate::Invoice;
    std::optional<ProviderSettings> provider;  // nullopt (or the extractive answerer): the offline rules only
    QString model;                             // empty: the provider's configured model
};

// Runs KeyFactExtractor for the GUI on its own worker thread, one extraction at a time. With a provider, the
// key is resolved through ProviderService (never read on the GUI thread) and the provider's trust is decided
// on the worker as the chat and the CLI decide it (assessTrust against the library's policy), so the policy
// gate, metering and auditing in core apply unchanged. finished() arrives on the GUI thread, and not at all
// once the controller is gone.
class KeyFactsController final : public QObject
{
    Q_OBJECT

public:
    KeyFactsController(std::shared_ptr<Library> library, ProviderService *providers, QObject *parent = nullptr);
    ~KeyFactsController() override;
    Q_DISABLE_COPY_MOVE(KeyFactsController)

    bool isBusy() const { return m_busy; }
    void extract(const KeyFactsRequest &request);
    // Stops a model call in flight; finished() follows with cancelled set.
    void cancel();

Q_SIGNALS:
    void busyChanged(bool busy);
    void finished(const docsight::ExtractionResult &result, bool cancelled);

private:
    void run(const KeyFactsRequest &request, std::optional<HttpChatSettings> http);
    void finish(const ExtractionResult &result);

    std::shared_ptr<Library> m_library;
    ProviderService *m_providers = nullptr;
    CancelToken m_cancel;
    bool m_busy = false;
    // Its own thread: a model can take a minute, and must not hold the chat's or the library's threads.
    QThreadPool m_pool;
};

} // namespace docsight
