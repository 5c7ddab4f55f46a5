#pragma once

#include "commands.h"

namespace docsight::cli {

// usage: tokens, latency percentiles, errors, cost this month against the budget; sets budget and prices.
int usageCommand(const Args &args, Context &ctx);
// extract DOC --template NAME: key facts citing their passages (offline rules, or a provider under policy).
int extractCommand(const Args &args, Context &ctx);
// export-report OUT.pdf: the PDF audit report (audited).
int exportReportCommand(const Args &args, Context &ctx);
// feedback MESSAGE up|down|none [--correction TEXT]: feedback on a stored answer.
int feedbackCommand(const Args &args, Context &ctx);
// conversations: stored conversations (ids for export-report --conversation).
int conversationsCommand(const Args &args, Context &ctx);
// policy: show or change the library's governance policy (audited).
int policyCommand(const Args &args, Context &ctx);

// After an import: says (on stderr) when the PII detectors suggest a stricter classification. Changes nothing.
void noteClassificationSuggestion(Context &ctx, qint64 documentId);

// Whether the command line runs a command that lays out text and so needs a QGuiApplication.
bool commandNeedsGui(int argc, char **argv);

} // namespace docsight::cli
