#pragma once

#include "settings/appsettings.h"

#include "governance/policygate.h"

namespace docsight {

// What the trust decision needs to know about a configured provider, without building it: the address it
// will really call (the public endpoint when none is set) and whether that leaves this computer. The chat
// worker decides with the provider it built (same answer); the chat pane uses this to show it in advance.
ProviderProfile providerProfile(const ProviderSettings &provider);
QUrl effectiveBaseUrl(ProviderKind kind, const QUrl &configured);

} // namespace docsight
