#pragma once

#include "llm/streamingchat.h"

#include <memory>
#include <optional>

#include <QString>
#include <QStringList>
#include <QUrl>

namespace docsight {

class ChatProvider;

enum class ProviderKind { Extractive, OpenAi, Anthropic, OpenAiCompatible };

QString providerKindName(ProviderKind kind);                      // "extractive", "openai", ...
std::optional<ProviderKind> parseProviderKind(const QString &name);
QStringList providerKindNames();
// Whether the provider can use an API key (openai-compatible may, but needs none).
bool providerTakesKey(ProviderKind kind);
// Whether it cannot work without one.
bool providerNeedsKey(ProviderKind kind);

// The provider for a kind. settings.apiKey must come from SecretStore::apiKey(); the extractive answerer
// ignores settings.
std::shared_ptr<ChatProvider> makeChatProvider(ProviderKind kind, const HttpChatSettings &settings = {});

} // namespace docsight
