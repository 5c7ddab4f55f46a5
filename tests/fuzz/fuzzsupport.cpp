#include "fuzzsupport.h"

#include "ingest/chunker.h"
#include "ingest/loader.h"

#include <algorithm>
#include <cstdio>
#include <memory>

#include <QCoreApplication>
#include <QFile>
#include <QTemporaryDir>

namespace docsight::fuzz {

void fail(const char *what, const QString &detail)
{
    std::fprintf(stderr, "fuzz check failed: %s %s\n", what, qPrintable(detail));
    std::fflush(stderr);
    __builtin_trap();
}

void ensureApplication()
{
    static const std::unique_ptr<QCoreApplication> app = [] {
        qputenv("QT_QPA_PLATFORM", "offscreen");
        // Loaders log every repaired defect; millions of inputs would drown the fuzzer's own output.
        if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
            qputenv("QT_LOGGING_RULES", "docsight.*.debug=false;docsight.*.warning=false;qt.*=false");
        qputenv("OMP_THREAD_LIMIT", "1");
        static int argc = 1;
        static char name[] = "docsight-fuzz";
        static char *argv[] = {name, nullptr};
        return std::make_unique<QCoreApplication>(argc, argv);
    }();
}

QString writeScratchFile(const QByteArray &bytes, const QString &name)
{
    static const QTemporaryDir dir;
    DOCSIGHT_FUZZ_CHECK(dir.isValid(), dir.errorString());
    const QString path = dir.filePath(name);
    QFile file(path);
    DOCSIGHT_FUZZ_CHECK(file.open(QIODevice::WriteOnly | QIODevice::Truncate), file.errorString());
    DOCSIGHT_FUZZ_CHECK(file.write(bytes) == bytes.size(), file.errorString());
    return path;
}

void checkPages(const QList<PageContent> &pages)
{
    for (const PageContent &page : pages) {
        DOCSIGHT_FUZZ_CHECK(page.number >= 1, QString::number(page.number));
        // The chunker finds a chunk's words by binary search, so they must come in text order.
        for (qsizetype i = 1; i < page.words.size(); ++i) {
            DOCSIGHT_FUZZ_CHECK(page.words.at(i - 1).start <= page.words.at(i).start,
                                QStringLiteral("page %1: word %2 starts before word %3").arg(page.number).arg(i).arg(i - 1));
        }
        for (const WordBox &w : page.words) {
            DOCSIGHT_FUZZ_CHECK(w.start >= 0 && w.length >= 0 && qsizetype(w.start) + w.length <= page.text.size(),
                                QStringLiteral("page %1: word at %2+%3 of %4 characters")
                                    .arg(page.number)
                                    .arg(w.start)
                                    .arg(w.length)
                                    .arg(page.text.size()));
        }
    }
    const QList<Chunk> chunks = Chunker().chunk(pages);
    for (const Chunk &c : chunks) {
        const auto page = std::find_if(pages.cbegin(), pages.cend(), [&](const PageContent &p) { return p.number == c.page; });
        DOCSIGHT_FUZZ_CHECK(page != pages.cend(), QStringLiteral("chunk on page %1, which was not loaded").arg(c.page));
        DOCSIGHT_FUZZ_CHECK(c.charStart >= 0 && c.charStart <= c.charEnd && c.charEnd <= page->text.size(),
                            QStringLiteral("chunk [%1, %2) of a %3-character page").arg(c.charStart).arg(c.charEnd).arg(page->text.size()));
        DOCSIGHT_FUZZ_CHECK(c.text == QStringView(page->text).sliced(c.charStart, c.charEnd - c.charStart),
                            QStringLiteral("chunk text differs from the page text at [%1, %2)").arg(c.charStart).arg(c.charEnd));
        DOCSIGHT_FUZZ_CHECK(c.firstWord >= 0 && c.wordCount >= 0 && c.firstWord + c.wordCount <= page->words.size(),
                            QStringLiteral("chunk words %1+%2 of %3").arg(c.firstWord).arg(c.wordCount).arg(page->words.size()));
    }
}

void loadAndCheckPages(Loader &loader, PageErrors errors, int maxPages)
{
    QList<PageContent> pages;
    const CancelToken cancel;
    for (int i = 0; i < std::min(loader.pageCount(), maxPages); ++i) {
        PageResult r = loader.loadPage(i, cancel);
        if (r.error.isError()) {
            DOCSIGHT_FUZZ_CHECK(errors == PageErrors::Skipped, r.error.message);
            continue;
        }
        DOCSIGHT_FUZZ_CHECK(r.page.number == i + 1, QString::number(r.page.number));
        pages.append(std::move(r.page));
    }
    checkPages(pages);
}

QString textOf(const uint8_t *data, size_t size)
{
    // Odd first byte: the rest as UTF-16, to reach every code unit (lone surrogates and NUL included).
    if (size > 0 && (data[0] & 1) != 0) {
        const qsizetype units = qsizetype((size - 1) / 2);
        QString s(units, Qt::Uninitialized);
        for (qsizetype i = 0; i < units; ++i)
            s[i] = QChar(char16_t(data[1 + 2 * i] | (data[2 + 2 * i] << 8)));
        return s;
    }
    return QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
}

} // namespace docsight::fuzz
