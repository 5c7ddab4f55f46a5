#pragma once

#include "cliargs.h"

#include <memory>
#include <optional>

#include <QList>
#include <QTextStream>

namespace docsight {
class Library;
}

namespace docsight::cli {

// Exit codes shared by every command.
enum Exit { Ok = 0, Failed = 1, Usage = 2, LibraryError = 3 };

struct Context {
    std::shared_ptr<Library> library;
    QTextStream &out;
    QTextStream &err;
};

// Passages an answer is grounded on unless --k says otherwise; eval answers from as many.
inline constexpr int kAskDefaultK = 6;

int importCommand(const Args &args, Context &ctx);
int reimportCommand(const Args &args, Context &ctx);
int listCommand(const Args &args, Context &ctx);
int textCommand(const Args &args, Context &ctx);
int removeCommand(const Args &args, Context &ctx);
int classifyCommand(const Args &args, Context &ctx);
int auditCommand(const Args &args, Context &ctx);
int searchCommand(const Args &args, Context &ctx);
int evalCommand(const Args &args, Context &ctx);

// The ids of a --docs list ("3,R-intro.pdf"): each reference names exactly one document; otherwise
// *ok is false, having said which reference did not. No list: std::nullopt (all documents).
std::optional<QList<qint64>> resolveDocuments(const Context &ctx, const QString &list, bool *ok);

// Embeds what import added (with --embedder's choice) so the library is searchable by meaning as
// well as by keyword. Returns false, having said why, when that failed.
bool indexForSearch(const Args &args, Context &ctx);

} // namespace docsight::cli
