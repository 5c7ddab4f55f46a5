#include "library/indexcontroller.h"

#include "common/async.h"

#include "governance/embeddinggate.h"
#include "governance/policygate.h"
#include "search/builtinembedder.h"
#include "search/embeddingstore.h"
#include "search/hybridretriever.h"
#include "search/indexer.h"
#include "search/openaiembedder.h"

#include <QTimer>

namespace docsight {
namespace {

// An Indexer lives on the GUI thread but runs on a worker; whichever side lets go last must not delete
// it under the other.
std::shared_ptr<Indexer> makeIndexer(const std::shared_ptr<Library> &library, const std::shared_ptr<Embedder> &embedder)
{
    return std::shared_ptr<Indexer>(new Indexer(library, embedder), [](Indexer *i) { i->deleteLater(); });
}

struct PrepareResult {
    std::shared_ptr<Embedder> http;
    QString error;
};

} // namespace

IndexController::IndexController(std::shared_ptr<Library> library, QObject *parent)
    : QObject(parent)
    , m_library(std::move(library))
{
    m_pool.setMaxThreadCount(1);
    m_pool.setExpiryTimeout(-1);
    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(800);
    connect(m_debounce, &QTimer::timeout, this, &IndexController::start);
    const auto builtin = std::make_shared<BuiltinEmbedder>();
    useEmbedders({builtin}, builtin);
}

IndexController::~IndexController()
{
    for (const auto &indexer : std::as_const(m_running))
        indexer->cancel();
    m_pool.waitForDone();
}

void IndexController::useEmbedders(QList<std::shared_ptr<Embedder>> all, std::shared_ptr<Embedder> chosen)
{
    m_embedders = std::move(all);
    m_chosen = std::move(chosen);
    m_retriever = std::make_shared<HybridRetriever>(m_library, m_embedders);
    // A large library's vector index takes seconds to verify and load: it opens while the analyst
    // reads, and questions asked meanwhile are answered by keyword search (ChatController).
    m_retriever->openInBackground();
}

bool IndexController::isBusy() const
{
    return m_debounce->isActive() || !m_running.isEmpty() || m_state == State::Preparing;
}

QString IndexController::embedderName() const
{
    return m_chosen ? m_chosen->id() : QString();
}

QString IndexController::stateText() const
{
    switch (m_state) {
    case State::Idle:
        if (m_withheld > 0)
            return tr("Search index up to date; %n Restricted passage(s) are found by keyword only (the embedding "
                      "server is not on this computer)", nullptr, m_withheld);
        return tr("Search index up to date");
    case State::Preparing: return tr("Connecting to the embedding server…");
    case State::Indexing:
        return m_total > 0 ? tr("Indexing passages %1 of %2").arg(m_done).arg(m_total) : tr("Indexing passages…");
    case State::Failed: return tr("Indexing failed: %1 (keyword search still works)").arg(m_message);
    }
    return {};
}

void IndexController::setState(State state, const QString &message)
{
    m_state = state;
    m_message = message;
    Q_EMIT stateChanged();
}

void IndexController::configure(const AppSettings &settings)
{
    const QString wanted = settings.embedder == EmbedderChoice::Builtin
                               ? QStringLiteral("builtin")
                               : settings.embedderBaseUrl.toString() + QLatin1Char('|') + settings.embedderModel;
    if (wanted == m_configured)
        return;
    m_configured = wanted;
    ++m_generation;
    for (const auto &indexer : std::as_const(m_running))
        indexer->cancel();
    const auto builtin = std::make_shared<BuiltinEmbedder>();
    m_httpUrl = settings.embedder == EmbedderChoice::Builtin ? QUrl() : settings.embedderBaseUrl;
    if (settings.embedder == EmbedderChoice::Builtin) {
        useEmbedders({builtin}, builtin);
        scheduleIndexing();
        return;
    }
    OpenAiEmbedderSettings http;
    http.baseUrl = settings.embedderBaseUrl;
    http.model = settings.embedderModel;
    http.apiKey = qEnvironmentVariable("DOCSIGHT_EMBEDDINGS_API_KEY");
    setState(State::Preparing);
    // Its id names its dimensions, which only the server knows: ask before storing anything under it.
    runAsync(
        &m_pool, this,
        [http] {
            auto embedder = std::make_shared<OpenAiEmbedder>(http);
            PrepareResult r;
            r.error = embedder->probeDimensions(CancelToken());
            if (r.error.isEmpty())
                r.http = embedder;
            return r;
        },
        [this, builtin, generation = m_generation](const PrepareResult &r) {
            if (generation != m_generation)
                return;
            if (!r.error.isEmpty()) {
                useEmbedders({builtin}, builtin);
                setState(State::Failed, tr("the embedding server cannot be used: %1").arg(r.error));
                return;
            }
            useEmbedders({builtin, r.http}, r.http);
            start();
        });
}

void IndexController::scheduleIndexing()
{
    m_debounce->start();
}

void IndexController::start()
{
    if (!m_running.isEmpty()) {
        m_again = true;
        return;
    }
    m_again = false;
    // Index with the embedder search uses now (so new passages are found at once), then with the chosen
    // one, which becomes the active embedder when it is complete.
    QList<std::shared_ptr<Indexer>> indexers;
    for (const auto &embedder : std::as_const(m_embedders)) {
        if (embedder != m_chosen)
            indexers.append(makeIndexer(m_library, embedder));
    }
    indexers.append(makeIndexer(m_library, m_chosen));
    // An embedding server off this computer gets what the policy lets it see, as answer providers do; the
    // policy is read now, so a change in Settings → Governance applies from the next run.
    std::optional<TrustDecision> cloud;
    if (!m_httpUrl.isEmpty() && !dynamic_cast<BuiltinEmbedder *>(m_chosen.get())) {
        const GovernancePolicy policy = GovernancePolicy::load(*m_library);
        const TrustDecision trust = assessTrust({QStringLiteral("openai-compatible"), m_httpUrl, true}, policy);
        if (trust.trust == ProviderTrust::Cloud) {
            indexers.last()->setGate(embeddingGateFor(trust, policy));
            cloud = trust;
        }
    }
    m_running = indexers;
    m_done = 0;
    m_total = 0;
    for (const auto &indexer : std::as_const(indexers)) {
        connect(indexer.get(), &Indexer::progress, this, [this](int done, int total) {
            m_done = done;
            m_total = total;
            if (total > 0 && done < total)
                setState(State::Indexing);
        });
    }
    setState(State::Indexing);
    struct Outcome {
        QString error;
        int withheld = 0;
    };
    runAsync(
        &m_pool, this,
        [indexers, cloud, library = m_library, url = m_httpUrl, embedderId = m_chosen->id()] {
            Outcome outcome;
            for (const auto &indexer : indexers) {
                QString error;
                const bool ok = indexer->run(&error);
                if (cloud && indexer == indexers.last()) {
                    outcome.withheld = indexer->stats().withheld;
                    QString auditError;
                    if (!auditEmbeddingRun(*library, embedderId, url, *cloud, indexer->stats(), &auditError))
                        qWarning("the audit trail could not record the embedding run: %s", qPrintable(auditError));
                }
                if (!ok) {
                    outcome.error = error.isEmpty() ? QStringLiteral("stopped") : error;
                    return outcome;
                }
            }
            return outcome;
        },
        [this, generation = m_generation](const Outcome &outcome) {
            m_running.clear();
            if (generation == m_generation) {
                m_withheld = outcome.withheld;
                setState(outcome.error.isEmpty() ? State::Idle : State::Failed, outcome.error);
            }
            if (m_again || generation != m_generation)
                start();
        });
}

} // namespace docsight
