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
    QList<PageContent> pages;
    const CancelToken cancel;
    for (int i = 0; i < loader.pageCount(); ++i) {
        PageResult r = loader.loadPage(i, cancel);
        DOCSIGHT_FUZZ_CHECK(!r.error.isError(), r.error.message);
        DOCSIGHT_FUZZ_CHECK(r.page.number == i + 1, QString::number(r.page.number));
        pages.append(std::move(r.page));
    }
    fuzz::checkPages(pages);
    return 0;
}
