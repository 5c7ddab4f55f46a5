#include "llm/providerfactory.h"

#include "llm/anthropicprovider.h"
#include "llm/extractiveanswerer.h"
#include "llm/openaichatprovider.h"

namespace docsight {

QString providerKindName(ProviderKind kind)
{
    switch (kind) {
    case ProviderKind::Extractive: return QStringLiteral("extractive");
    case ProviderKind::OpenAi: return QStringLiteral("openai");
    case ProviderKind::Anthropic: return QStringLiteral("anthropic");
    case ProviderKind::OpenAiCompatible: return QStringLiteral("openai-compatible");
    }
    return {};
}

QStringList providerKindNames()
{
    return {QStringLiteral("extractive"), QStringLiteral("openai"), QStringLiteral("anthropic"),
            QStringLiteral("openai-compatible")};
}

std::optional<ProviderKind> parseProviderKind(const QString &name)
{
    for (const ProviderKind kind :
         {ProviderKind::Extractive, ProviderKind::OpenAi, ProviderKind::Anthropic, ProviderKind::OpenAiCompatible}) {
        if (name.compare(providerKindName(kind), Qt::CaseInsensitive) == 0)
            return kind;
    }
    return std::nullopt;
}

bool providerTakesKey(ProviderKind kind)
{
    return kind != ProviderKind::Extractive;
}

bool providerNeedsKey(ProviderKind kind)
{
    return kind == ProviderKind::OpenAi || kind == ProviderKind::Anthropic;
}

std::shared_ptr<ChatProvider> makeChatProvider(ProviderKind kind, const HttpChatSettings &settings)
{
    switch (kind) {
    case ProviderKind::Extractive:
        return std::make_shared<ExtractiveAnswerer>();
    case ProviderKind::OpenAi:
        return std::make_shared<OpenAiChatProvider>(OpenAiChatProvider::Flavor::OpenAi, settings);
    case ProviderKind::Anthropic:
        return std::make_shared<AnthropicProvider>(settings);
    case ProviderKind::OpenAiCompatible:
        return std::make_shared<OpenAiChatProvider>(OpenAiChatProvider::Flavor::Compatible, settings);
    }
    return {};
}

} // namespace docsight
