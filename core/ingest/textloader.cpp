#include "ingest/textloader.h"

#include <algorithm>
#include <optional>

#include <QFile>
#include <QLoggingCategory>
#include <QStringDecoder>

#include "ingest/pagecutter.h"

namespace docsight {

namespace {

Q_LOGGING_CATEGORY(lcText, "docsight.ingest.text")

// Beyond this a "text file" is a log dump or a mistake; reading it would only stall the import.
constexpr qint64 kMaxFileBytes = qint64(200) * 1024 * 1024;
// Plain text has no pages. Without form feeds we cut ~3000-character pages at blank lines, so a
// citation points to a passage an analyst can find at a glance.
constexpr qsizetype kMaxPageChars = 3000;

// Windows tools sometimes write UTF-16 without a BOM. Text that is mostly ASCII then has a NUL in
// every other byte, which no 8-bit encoding produces.
std::optional<QStringConverter::Encoding> guessBomlessUtf16(const QByteArray &data)
{
    const qsizetype probe = qMin<qsizetype>(data.size(), 4096) & ~qsizetype(1);
    if (probe < 4)
        return std::nullopt;
    qsizetype evenZeros = 0;
    qsizetype oddZeros = 0;
    for (qsizetype i = 0; i < probe; i += 2) {
        evenZeros += data.at(i) == '\0';
        oddZeros += data.at(i + 1) == '\0';
    }
    const qsizetype pairs = probe / 2;
    if (oddZeros * 10 >= pairs * 4 && evenZeros == 0)
        return QStringConverter::Utf16LE;
    if (evenZeros * 10 >= pairs * 4 && oddZeros == 0)
        return QStringConverter::Utf16BE;
    return std::nullopt;
}

QString decode(const QByteArray &data, const char **encodingName)
{
    std::optional<QStringConverter::Encoding> encoding = QStringConverter::encodingForData(data); // BOMs only
    if (!encoding)
        encoding = guessBomlessUtf16(data);
    if (encoding) {
        // The decoder drops the BOM itself.
        *encodingName = QStringConverter::nameForEncoding(*encoding);
        QStringDecoder decoder(*encoding);
        return decoder.decode(data);
    }

    QStringDecoder utf8(QStringConverter::Utf8, QStringConverter::Flag::Stateless);
    QString text = utf8.decode(data);
    if (!utf8.hasError()) {
        *encodingName = "UTF-8";
        return text;
    }

    // Not UTF-8: most likely a Western Windows code page. Windows-1252 is Latin-1 plus curly quotes,
    // dashes and the euro sign in 0x80-0x9F; Qt knows it only when built with ICU.
    QStringDecoder cp1252("windows-1252");
    if (cp1252.isValid()) {
        *encodingName = "windows-1252";
        return cp1252.decode(data);
    }
    *encodingName = "ISO-8859-1";
    return QString::fromLatin1(data);
}

// A .txt that is really an executable or an archive decodes "fine" as Windows-1252 into noise that
// would then be indexed. Real text, even a log with colour codes, has few control characters.
bool looksBinary(QStringView text)
{
    const QStringView probe = text.left(8192);
    qsizetype controls = 0;
    for (const QChar c : probe) {
        const char16_t u = c.unicode();
        controls += u < 0x20 && u != u'\t' && u != u'\n' && u != u'\r' && u != u'\f' && u != 0x1b;
    }
    return controls * 10 > probe.size();
}

} // namespace

LoadError TextLoader::read(const QString &path, const LoadOptions &, QList<PageContent> &pages)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return LoadError::make(LoadError::Kind::Io, QStringLiteral("cannot read the file: %1").arg(file.errorString()));
    const auto tooLarge = [] {
        return LoadError::make(LoadError::Kind::TooLarge,
                               QStringLiteral("the file is larger than %1 MB").arg(kMaxFileBytes / (1024 * 1024)));
    };
    if (file.size() > kMaxFileBytes)
        return tooLarge();
    // Read one byte past the limit: the size of a pipe or a growing file cannot be trusted.
    const QByteArray data = file.read(kMaxFileBytes + 1);
    if (file.error() != QFileDevice::NoError)
        return LoadError::make(LoadError::Kind::Io, QStringLiteral("cannot read the file: %1").arg(file.errorString()));
    if (data.size() > kMaxFileBytes)
        return tooLarge();

    const char *encodingName = "";
    QString text = decode(data, &encodingName);
    if (looksBinary(text)) {
        return LoadError::make(LoadError::Kind::Unsupported,
                               QStringLiteral("this is not a text file: it holds binary data"));
    }
    text.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
    text.replace(u'\r', u'\n');
    text.remove(QChar::Null); // stray NULs would end the text early in C APIs down the line

    QStringList pageTexts;
    if (text.contains(u'\f')) {
        // Form feeds are the pages of whatever printed this (pdftotext, man, enscript). Keep them
        // as they are, empty ones included, so page N here is page N of the original.
        const QStringList pieces = text.split(u'\f');
        for (const QString &piece : pieces)
            pageTexts.append(trimBlankLines(piece));
        while (!pageTexts.isEmpty() && pageTexts.last().isEmpty())
            pageTexts.removeLast(); // a trailing form feed ends the last page, it does not start one
    } else {
        pageTexts = cutIntoPages(text, kMaxPageChars, PageEdges::KeepIndentation);
    }
    qCDebug(lcText) << "decoded" << data.size() << "bytes as" << encodingName << "into" << pageTexts.size() << "pages";

    const bool hasText =
        std::any_of(pageTexts.cbegin(), pageTexts.cend(), [](const QString &t) { return !t.isEmpty(); });
    if (!hasText)
        return LoadError::make(LoadError::Kind::Empty, QStringLiteral("the file contains no text"));
    for (const QString &pageText : std::as_const(pageTexts)) {
        PageContent page;
        page.number = int(pages.size()) + 1;
        page.text = pageText;
        page.source = PageSource::Plain;
        pages.append(page);
    }
    return {};
}

const QLoggingCategory &TextLoader::category() const { return lcText(); }

} // namespace docsight
