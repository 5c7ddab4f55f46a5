#include "settings/providertrust.h"

#include "llm/streamingchat.h"

namespace docsight {

QUrl effectiveBaseUrl(ProviderKind kind, const QUrl &configured)
{
    return configured.isEmpty() ? providerDefaultBaseUrl(kind) : configured;
}

ProviderProfile providerProfile(const ProviderSettings &provider)
{
    ProviderProfile profile;
    profile.id = providerKindName(provider.kind);
    if (provider.kind == ProviderKind::Extractive) {
        profile.sendsDataOffDevice = false;
        return profile;
    }
    profile.baseUrl = effectiveBaseUrl(provider.kind, provider.baseUrl);
    profile.sendsDataOffDevice = isCloudService(profile.id) || !isLoopbackUrl(profile.baseUrl);
    return profile;
}

} // namespace docsight
