#include "keyfacts/keyfactscontroller.h"

#include "common/async.h"
#include "settings/providerservice.h"
#include "settings/providertrust.h"

#include "governance/policygate.h"
#include "llm/keyfactextractor.h"
#include "llm/providerfactory.h"

namespace docsight {

KeyFactsController::KeyFactsController(std::shared_ptr<Library> library, ProviderService *providers, QObject *parent)
    : QObject(parent)
    , m_library(std::move(library))
    , m_providers(providers)
{
    m_pool.setMaxThreadCount(1);
}

KeyFactsController::~KeyFactsController()
{
    m_cancel.cancel();
    m_pool.waitForDone();
}

void KeyFactsController::extract(const KeyFactsRequest &request)
{
    if (m_busy)
        return;
    m_busy = true;
    m_cancel = CancelToken();
    Q_EMIT busyChanged(true);
    if (!request.provider || request.provider->kind == ProviderKind::Extractive) {
        run(request, std::nullopt);
        return;
    }
    m_providers->resolve(*request.provider, [this, request, cancel = m_cancel](std::optional<HttpChatSettings> http,
                                                                               const QString &error) {
        if (cancel.isCancelled() || !http) {
            ExtractionResult r;
            r.templ = request.templ;
            r.documentId = request.documentId;
            r.error = error;
            finish(r);
            return;
        }
        run(request, http);
    });
}

void KeyFactsController::run(const KeyFactsRequest &request, std::optional<HttpChatSettings> http)
{
    const std::optional<ProviderKind> kind = request.provider ? std::optional(request.provider->kind) : std::nullopt;
    runAsync(
        &m_pool, this,
        [library = m_library, request, http, kind, cancel = m_cancel] {
            ExtractionSettings settings;
            if (http && kind) {
                settings.provider = makeChatProvider(*kind, *http);
                // As the chat worker decides: a LAN server the analyst marked local is local, anything else off
                // this computer is cloud, and core's policy gate acts on that.
                settings.trust = assessTrust({settings.provider->id(), effectiveBaseUrl(*kind, http->baseUrl),
                                              settings.provider->sendsDataOffDevice()},
                                             GovernancePolicy::load(*library))
                                     .trust;
                settings.model = request.model.isEmpty() ? http->defaultModel : request.model;
            }
            return KeyFactExtractor(library, settings).extract(request.documentId, request.templ, cancel);
        },
        [this](const ExtractionResult &result) { finish(result); });
}

void KeyFactsController::finish(const ExtractionResult &result)
{
    const bool cancelled = m_cancel.isCancelled();
    m_busy = false;
    Q_EMIT finished(result, cancelled);
    Q_EMIT busyChanged(false);
}

void KeyFactsController::cancel()
{
    m_cancel.cancel();
}

} // namespace docsight
