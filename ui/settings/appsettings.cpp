#include "settings/appsettings.h"

#include <algorithm>

#include <QSettings>

namespace docsight {
namespace {

constexpr int kMaxRecent = 8;
// Where the recent libraries have always been kept, so an existing list carries over.
constexpr QLatin1String kRecentKey("library/recent");

QString group(ProviderKind kind)
{
    return QStringLiteral("providers/") + providerKindName(kind);
}

} // namespace

QList<ProviderKind> providerKinds()
{
    return {ProviderKind::Extractive, ProviderKind::OpenAi, ProviderKind::Anthropic, ProviderKind::OpenAiCompatible};
}

QString providerDisplayName(ProviderKind kind)
{
    switch (kind) {
    case ProviderKind::Extractive: return QObject::tr("Extractive (offline)");
    case ProviderKind::OpenAi: return QObject::tr("OpenAI");
    case ProviderKind::Anthropic: return QObject::tr("Anthropic");
    case ProviderKind::OpenAiCompatible: return QObject::tr("Local server (OpenAI-compatible)");
    }
    return {};
}

QUrl providerDefaultBaseUrl(ProviderKind kind)
{
    switch (kind) {
    case ProviderKind::OpenAi: return QUrl(QStringLiteral("https://api.openai.com/v1"));
    case ProviderKind::Anthropic: return QUrl(QStringLiteral("https://api.anthropic.com/v1"));
    case ProviderKind::OpenAiCompatible: return QUrl(QStringLiteral("http://localhost:11434/v1"));
    case ProviderKind::Extractive: break;
    }
    return {};
}

AppSettings AppSettings::load()
{
    QSettings s;
    AppSettings a;
    for (const ProviderKind kind : providerKinds()) {
        ProviderSettings p;
        p.kind = kind;
        const QString g = group(kind);
        p.enabled = kind == ProviderKind::Extractive || s.value(g + QStringLiteral("/enabled"), false).toBool();
        p.baseUrl = QUrl(s.value(g + QStringLiteral("/baseUrl")).toString());
        p.model = s.value(g + QStringLiteral("/model")).toString();
        p.temperature = std::clamp(s.value(g + QStringLiteral("/temperature"), 0.2).toDouble(), 0.0, 2.0);
        p.maxTokens = std::clamp(s.value(g + QStringLiteral("/maxTokens"), 1024).toInt(), 64, 32'000);
        a.providers.append(p);
    }
    a.activeProvider = parseProviderKind(s.value(QStringLiteral("chat/provider")).toString()).value_or(ProviderKind::Extractive);
    if (!a.provider(a.activeProvider).enabled)
        a.activeProvider = ProviderKind::Extractive;
    a.activeModel = s.value(QStringLiteral("chat/model")).toString();
    a.embedder = s.value(QStringLiteral("search/embedder")).toString() == QLatin1String("openai-compatible")
                     ? EmbedderChoice::OpenAiCompatible
                     : EmbedderChoice::Builtin;
    a.embedderBaseUrl = QUrl(s.value(QStringLiteral("search/embedderBaseUrl")).toString());
    a.embedderModel = s.value(QStringLiteral("search/embedderModel")).toString();
    a.passages = std::clamp(s.value(QStringLiteral("search/passages"), 6).toInt(), 1, 30);
    a.ocrLanguages = s.value(QStringLiteral("import/ocrLanguages"), QStringList{QStringLiteral("eng")}).toStringList();
    if (a.ocrLanguages.isEmpty())
        a.ocrLanguages = {QStringLiteral("eng")};
    a.chunkChars = std::clamp(s.value(QStringLiteral("import/chunkChars"), 1000).toInt(), 200, 4000);
    return a;
}

void AppSettings::save() const
{
    QSettings s;
    for (const ProviderSettings &p : providers) {
        const QString g = group(p.kind);
        s.setValue(g + QStringLiteral("/enabled"), p.enabled);
        s.setValue(g + QStringLiteral("/baseUrl"), p.baseUrl.toString());
        s.setValue(g + QStringLiteral("/model"), p.model);
        s.setValue(g + QStringLiteral("/temperature"), p.temperature);
        s.setValue(g + QStringLiteral("/maxTokens"), p.maxTokens);
    }
    s.setValue(QStringLiteral("chat/provider"), providerKindName(activeProvider));
    s.setValue(QStringLiteral("chat/model"), activeModel);
    s.setValue(QStringLiteral("search/embedder"),
               embedder == EmbedderChoice::OpenAiCompatible ? QStringLiteral("openai-compatible") : QStringLiteral("builtin"));
    s.setValue(QStringLiteral("search/embedderBaseUrl"), embedderBaseUrl.toString());
    s.setValue(QStringLiteral("search/embedderModel"), embedderModel);
    s.setValue(QStringLiteral("search/passages"), passages);
    s.setValue(QStringLiteral("import/ocrLanguages"), ocrLanguages);
    s.setValue(QStringLiteral("import/chunkChars"), chunkChars);
}

QStringList AppSettings::recentLibraries()
{
    return QSettings().value(kRecentKey).toStringList();
}

void AppSettings::rememberLibrary(const QString &folder)
{
    QSettings s;
    QStringList recent = s.value(kRecentKey).toStringList();
    recent.removeAll(folder);
    recent.prepend(folder);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    s.setValue(kRecentKey, recent);
    s.setValue(QStringLiteral("library/last"), folder); // read by planStartup (shell/startupplan)
}

ProviderSettings AppSettings::provider(ProviderKind kind) const
{
    for (const ProviderSettings &p : providers) {
        if (p.kind == kind)
            return p;
    }
    ProviderSettings p;
    p.kind = kind;
    p.enabled = kind == ProviderKind::Extractive;
    return p;
}

void AppSettings::setProvider(const ProviderSettings &settings)
{
    for (ProviderSettings &p : providers) {
        if (p.kind == settings.kind) {
            p = settings;
            return;
        }
    }
    providers.append(settings);
}

QList<ProviderKind> AppSettings::enabledProviders() const
{
    QList<ProviderKind> out;
    for (const ProviderKind kind : providerKinds()) {
        if (kind == ProviderKind::Extractive || provider(kind).enabled)
            out.append(kind);
    }
    return out;
}

ImportOptions AppSettings::importOptions() const
{
    ImportOptions options;
    options.ocrLanguages = ocrLanguages;
    options.chunking.targetChars = chunkChars;
    options.chunking.overlapChars = std::min(options.chunking.overlapChars, chunkChars / 4);
    return options;
}

} // namespace docsight
