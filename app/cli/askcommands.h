#pragma once

#include "commands.h"

namespace docsight::cli {

// ask QUESTION: a cited answer from the library (streamed, or --json).
int askCommand(const Args &args, Context &ctx);
// keys set|delete|status: API keys in the system keychain; a key is never printed.
int keysCommand(const Args &args, Context &ctx);
// models: the models a provider offers.
int modelsCommand(const Args &args, Context &ctx);

} // namespace docsight::cli
