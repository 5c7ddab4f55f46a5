#include "settings/providerservice.h"

#include "common/async.h"

#include "ingest/ocrengine.h"
#include "llm/providerfactory.h"

namespace docsight {

ProviderService::ProviderService(QObject *parent) : QObject(parent)
{
    m_pool.setMaxThreadCount(2);
}

ProviderService::~ProviderService()
{
    m_pool.waitForDone();
}

HttpChatSettings ProviderService::httpSettings(const ProviderSettings &provider)
{
    HttpChatSettings s;
    s.baseUrl = provider.baseUrl;
    s.defaultModel = provider.model;
    return s;
}

QString ProviderService::environmentKey(ProviderKind kind)
{
    const QString variable = SecretStore::environmentVariable(providerKindName(kind));
    if (variable.isEmpty())
        return {};
    return qEnvironmentVariable(variable.toLatin1().constData()).trimmed();
}

void ProviderService::resolve(const ProviderSettings &provider, SettingsFn done)
{
    HttpChatSettings settings = httpSettings(provider);
    if (!providerTakesKey(provider.kind)) {
        done(settings, {});
        return;
    }
    if (const QString key = environmentKey(provider.kind); !key.isEmpty()) {
        settings.apiKey = key;
        done(settings, {});
        return;
    }
    const ProviderKind kind = provider.kind;
    m_secrets.read(providerKindName(kind), this, [settings, kind, done = std::move(done)](const SecretOutcome &key) mutable {
        if (key.ok()) {
            settings.apiKey = key.secret;
            done(settings, {});
        } else if (!providerNeedsKey(kind)) {
            done(settings, {}); // local servers rarely want one
        } else if (key.status == SecretStatus::NotFound) {
            done(std::nullopt, tr("No API key for %1. Add one in Settings → Language models.").arg(providerDisplayName(kind)));
        } else {
            done(std::nullopt, tr("The API key for %1 could not be read from the keychain: %2")
                                   .arg(providerDisplayName(kind), key.message));
        }
    });
}

void ProviderService::listModels(const ProviderSettings &provider, std::function<void(const ModelList &)> done)
{
    const ProviderKind kind = provider.kind;
    resolve(provider, [this, kind, done = std::move(done)](std::optional<HttpChatSettings> settings, const QString &error) {
        if (!settings) {
            done(ModelList{{}, error});
            return;
        }
        runAsync(
            &m_pool, this,
            [kind, s = *settings] {
                const std::shared_ptr<ChatProvider> p = makeChatProvider(kind, s);
                return p ? p->listModels(CancelToken()) : ModelList{{}, QStringLiteral("unknown provider")};
            },
            done);
    });
}

void ProviderService::testConnection(const ProviderSettings &provider, std::function<void(bool, const QString &)> done)
{
    if (provider.kind == ProviderKind::Extractive) {
        done(true, tr("The extractive answerer runs on this computer; nothing to connect to."));
        return;
    }
    listModels(provider, [done = std::move(done)](const ModelList &list) {
        if (!list.error.isEmpty())
            done(false, list.error);
        else
            done(true, tr("Connected: %n model(s) available.", nullptr, static_cast<int>(list.models.size())));
    });
}

void ProviderService::keyStatus(ProviderKind kind, std::function<void(SecretStatus, bool)> done)
{
    if (!providerTakesKey(kind)) {
        done(SecretStatus::NotFound, false);
        return;
    }
    const bool fromEnvironment = !environmentKey(kind).isEmpty();
    m_secrets.read(providerKindName(kind), this, [fromEnvironment, done = std::move(done)](const SecretOutcome &key) {
        done(key.status, fromEnvironment);
    });
}

void ProviderService::storeKey(ProviderKind kind, const QString &key, std::function<void(const SecretOutcome &)> done)
{
    m_secrets.write(providerKindName(kind), key, this, std::move(done));
}

void ProviderService::removeKey(ProviderKind kind, std::function<void(const SecretOutcome &)> done)
{
    m_secrets.remove(providerKindName(kind), this, std::move(done));
}

void ProviderService::ocrLanguages(QObject *context, std::function<void(const QStringList &)> done)
{
    runAsync(&m_pool, context, [] { return ocr::availableLanguages(); }, std::move(done));
}

} // namespace docsight
