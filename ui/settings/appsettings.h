#pragma once

#include "ingest/ingestqueue.h"
#include "llm/providerfactory.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace docsight {

// How one answer provider is configured. Never holds a key: keys live in the keychain (SecretStore).
struct ProviderSettings {
    ProviderKind kind = ProviderKind::Extractive;
    bool enabled = false;
    QUrl baseUrl;              // empty: the provider's public endpoint
    QString model;             // empty: the provider's default
    double temperature = 0.2;
    int maxTokens = 1024;
};

enum class EmbedderChoice { Builtin, OpenAiCompatible };

// Everything the settings dialog edits, persisted in QSettings. Keys are never part of it.
struct AppSettings {
    QList<ProviderSettings> providers;   // one per ProviderKind, in providerKinds() order
    ProviderKind activeProvider = ProviderKind::Extractive;
    QString activeModel;                 // the chat panel's pick; empty: the provider's configured model

    EmbedderChoice embedder = EmbedderChoice::Builtin;
    QUrl embedderBaseUrl;
    QString embedderModel;

    QStringList ocrLanguages{QStringLiteral("eng")};
    int chunkChars = 1000;
    int passages = 6;                    // passages retrieved per question

    static AppSettings load();
    void save() const;

    // The libraries opened, most recent first (File → Recent Libraries), and the one to open next start.
    // Not part of load() and save(): a window's copy of the settings never writes back a stale list.
    static QStringList recentLibraries();
    static void rememberLibrary(const QString &folder);

    ProviderSettings provider(ProviderKind kind) const;
    void setProvider(const ProviderSettings &settings);
    QList<ProviderKind> enabledProviders() const; // the extractive answerer is always available
    ImportOptions importOptions() const;
};

QList<ProviderKind> providerKinds();
QString providerDisplayName(ProviderKind kind);   // "OpenAI", "Extractive (offline)", ...
QUrl providerDefaultBaseUrl(ProviderKind kind);    // shown as a placeholder

} // namespace docsight
