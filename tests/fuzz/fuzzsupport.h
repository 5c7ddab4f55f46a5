#pragma once

// Shared by the libFuzzer harnesses and their replay driver: the Qt application, a scratch file for
// loaders that read paths, and the promises every loader makes about the pages it returns.

#include "model/pagecontent.h"

#include <climits>
#include <cstddef>
#include <cstdint>

#include <QByteArray>
#include <QList>
#include <QString>

// Each harness defines this; libFuzzer (or fuzz_replay.cpp) calls it once per input.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace docsight {
class Loader;
}

namespace docsight::fuzz {

// A broken promise: say which, then stop the way libFuzzer and ctest both notice (SIGILL).
[[noreturn]] void fail(const char *what, const QString &detail = {});

#define DOCSIGHT_FUZZ_CHECK(condition, detail)                                                               \
    do {                                                                                                     \
        if (!(condition))                                                                                    \
            ::docsight::fuzz::fail(#condition, detail);                                                      \
    } while (false)

// A fuzz input as text: an odd first byte makes the rest UTF-16 (every code unit, lone surrogates and NUL
// included), otherwise the bytes are read as UTF-8.
QString textOf(const uint8_t *data, size_t size);

// Creates the QCoreApplication once (offscreen, quiet debug logging); harmless to call every input.
void ensureApplication();

// Writes the input to a file of the given name in a per-process scratch folder and returns its path.
QString writeScratchFile(const QByteArray &bytes, const QString &name);

// Word boxes inside the page text, page numbers as documented, and the chunker's spans inside the
// page text (chunks are what search, citations and highlights read).
void checkPages(const QList<PageContent> &pages);

// Whether a page of an opened document may fail to load: text formats promise every page; a PDF page may
// need OCR of a render of junk, which is reported, not a crash.
enum class PageErrors { Forbidden, Skipped };
// Loads the first maxPages pages of an opened loader, checks their numbers, then checkPages().
void loadAndCheckPages(Loader &loader, PageErrors errors, int maxPages = INT_MAX);

} // namespace docsight::fuzz
