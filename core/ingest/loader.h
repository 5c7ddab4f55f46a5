#pragma once

#include "ingest/pagecontent.h"
#include "util/canceltoken.h"

#include <memory>

#include <QString>
#include <QStringList>

namespace docsight {

struct LoadOptions {
    QString password;                              // for encrypted PDFs; empty = none
    QStringList ocrLanguages{QStringLiteral("eng")}; // Tesseract language codes, joined with '+'
    int ocrDpi = 300;                              // render resolution for OCR of PDF pages
    bool forceOcr = false;                         // OCR every PDF page, ignoring its text layer
};

// Why one document (or one page) could not be read. The message is shown to the analyst as is.
struct LoadError {
    enum class Kind {
        None,
        Io,               // cannot read the file
        Unsupported,      // not a type Docsight reads
        Corrupt,          // damaged beyond what the engine can recover
        PasswordRequired, // encrypted and no (or a wrong) password given
        Empty,            // opened fine but holds no pages / no text
        OcrFailed,        // the OCR engine could not run or read the page
        TooLarge,         // over a safety limit (pages, pixels, bytes)
        DiskFull,         // the library's disk has no room left; the document resumes once it has
        Cancelled,
    };
    Kind kind = Kind::None;
    QString message;

    bool isError() const noexcept { return kind != Kind::None; }
    static LoadError make(Kind k, const QString &msg) { return LoadError{k, msg}; }
};

QString loadErrorKindName(LoadError::Kind kind);

struct PageResult {
    PageContent page;
    LoadError error;
};

// Reads one document page by page. open() first; then loadPage() for 0 <= index < pageCount().
// loadPage() must be safe to call concurrently from several threads for different pages
// (adapters serialise access to engines that are not thread-safe), so one document's pages
// can be OCR'd on every core.
class Loader
{
public:
    virtual ~Loader() = default;

    virtual LoadError open(const QString &path, const LoadOptions &options) = 0;
    virtual int pageCount() const = 0;
    virtual PageResult loadPage(int index, const CancelToken &cancel) = 0;
};

// For loaders that read the whole file in open() (DOCX, text): page `index` of the stored pages,
// or Cancelled / a missing-page error.
PageResult storedPage(const QList<PageContent> &pages, int index, const CancelToken &cancel);

// The document types Docsight reads, decided from the file's content (and its suffix for text).
enum class DocumentType { Unknown, Pdf, Image, Docx, Text };

QString documentTypeName(DocumentType type);
DocumentType detectDocumentType(const QString &path);

// A loader for the given type, or nullptr for Unknown.
std::unique_ptr<Loader> createLoader(DocumentType type);

} // namespace docsight
