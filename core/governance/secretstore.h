#pragma once

#include <chrono>
#include <functional>

#include <QString>
#include <QStringList>

class QObject;

namespace docsight {

enum class SecretStatus {
    Ok,
    NotFound,    // nothing stored under this entry
    Unavailable, // no keychain service (no Secret Service on D-Bus, no application object)
    Denied,      // the user or the system refused access
    TimedOut,    // the keychain did not answer (locked, waiting for a prompt)
    Failed,
};

struct SecretOutcome {
    SecretStatus status = SecretStatus::Failed;
    QString secret;               // reads only; never logged or put in a message
    QString message;              // analyst-facing; never contains the secret
    bool fromEnvironment = false; // apiKey() found it in an environment variable

    bool ok() const noexcept { return status == SecretStatus::Ok; }
};

// API keys in the operating system's keychain through QtKeychain (Secret Service on Linux, Keychain on
// macOS, Credential Manager on Windows): service "Docsight", one entry per provider ("openai-api-key").
// Never falls back to a plain-text file. For headless use, OPENAI_API_KEY / ANTHROPIC_API_KEY override.
//
// QtKeychain runs its jobs one at a time through a process-wide queue that is not thread-safe, so every
// job is created and run on the application's main thread; other threads get their answer back queued.
// The blocking calls run a local event loop on the calling thread until the answer arrives: from a
// worker thread they need the main thread's event loop to be running; on the main thread (the CLI) they
// need nothing else. Never call the blocking ones from a GUI slot: use the asynchronous ones there.
class SecretStore final
{
public:
    using Callback = std::function<void(const SecretOutcome &)>;

    // $DOCSIGHT_KEYCHAIN_SERVICE when set (side-by-side profiles, test isolation), else "Docsight".
    static QString defaultService();
    static QStringList providers();                          // "openai", "anthropic", "openai-compatible"
    static bool isKnownProvider(const QString &provider);
    static QString entryName(const QString &provider);       // "openai-api-key"
    static QString environmentVariable(const QString &provider); // "OPENAI_API_KEY"; empty when none

    explicit SecretStore(QString service = defaultService());
    Q_DISABLE_COPY_MOVE(SecretStore)

    QString service() const { return m_service; }

    // Asynchronous: done runs on context's thread, which needs an event loop (nothing runs when context
    // is destroyed first, on its own thread), or on the main thread when context is null.
    void read(const QString &provider, QObject *context, Callback done) const;
    void write(const QString &provider, const QString &secret, QObject *context, Callback done) const;
    void remove(const QString &provider, QObject *context, Callback done) const;

    SecretOutcome readBlocking(const QString &provider, std::chrono::milliseconds timeout = kDefaultTimeout) const;
    SecretOutcome writeBlocking(const QString &provider, const QString &secret,
                                std::chrono::milliseconds timeout = kDefaultTimeout) const;
    SecretOutcome removeBlocking(const QString &provider, std::chrono::milliseconds timeout = kDefaultTimeout) const;

    // The key a provider should use: its environment variable when set, else the keychain entry (blocking).
    SecretOutcome apiKey(const QString &provider, std::chrono::milliseconds timeout = kDefaultTimeout) const;

    static constexpr std::chrono::milliseconds kDefaultTimeout{30'000}; // room for an unlock prompt

private:
    enum class Operation { Read, Write, Remove };
    void start(Operation operation, const QString &provider, const QString &secret, QObject *context,
               Callback done) const;
    SecretOutcome runBlocking(Operation operation, const QString &provider, const QString &secret,
                              std::chrono::milliseconds timeout) const;

    const QString m_service;
};

} // namespace docsight
