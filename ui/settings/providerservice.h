#pragma once

#include "governance/secretstore.h"
#include "llm/chatprovider.h"
#include "llm/streamingchat.h"
#include "settings/appsettings.h"

#include <functional>
#include <optional>

#include <QObject>
#include <QStringList>
#include <QThreadPool>

namespace docsight {

// What the UI asks of answer providers: the key from the keychain (asynchronously), the model list and
// a connection test (on a worker thread). Callbacks run on the GUI thread, and not at all once this
// object is gone. Also the Settings dialog's one other read off the GUI thread, the installed OCR languages.
class ProviderService final : public QObject
{
    Q_OBJECT

public:
    explicit ProviderService(QObject *parent = nullptr);
    ~ProviderService() override;
    Q_DISABLE_COPY_MOVE(ProviderService)

    using SettingsFn = std::function<void(std::optional<HttpChatSettings> settings, const QString &error)>;
    // The provider's HTTP settings with its key: the environment variable when set, else the keychain.
    void resolve(const ProviderSettings &provider, SettingsFn done);
    void listModels(const ProviderSettings &provider, std::function<void(const ModelList &)> done);
    void testConnection(const ProviderSettings &provider, std::function<void(bool ok, const QString &message)> done);

    // Whether a key is stored (the key itself is dropped at once) or set in the environment.
    void keyStatus(ProviderKind kind, std::function<void(SecretStatus status, bool fromEnvironment)> done);
    void storeKey(ProviderKind kind, const QString &key, std::function<void(const SecretOutcome &)> done);
    void removeKey(ProviderKind kind, std::function<void(const SecretOutcome &)> done);

    // The OCR languages installed (tessdata, read from disk); done runs only while context lives.
    void ocrLanguages(QObject *context, std::function<void(const QStringList &)> done);

    static HttpChatSettings httpSettings(const ProviderSettings &provider);
    static QString environmentKey(ProviderKind kind);

private:
    SecretStore m_secrets;
    QThreadPool m_pool; // HTTP calls can wait on timeouts: not on the shared pool
};

} // namespace docsight
