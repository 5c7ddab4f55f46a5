// TextLoader on arbitrary bytes: encoding detection (BOMs, BOM-less UTF-16, legacy 8-bit), page
// cutting at form feeds and blank lines, then the chunker on the pages it returns.

#include "fuzzsupport.h"

#include "ingest/loader.h"
#include "ingest/textloader.h"

using namespace docsight;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz::ensureApplication();
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const QString path = fuzz::writeScratchFile(bytes, QStringLiteral("input.txt"));
    (void)detectDocumentType(path);

    TextLoader loader;
    const LoadError error = loader.open(path, {});
    DOCSIGHT_FUZZ_CHECK(!error.isError() || loader.pageCount() == 0, error.message);
    fuzz::loadAndCheckPages(loader, fuzz::PageErrors::Forbidden);
    return 0;
}
