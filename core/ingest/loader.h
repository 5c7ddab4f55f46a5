#pragma once

#include "model/loaderror.h"
#include "model/pagecontent.h"
#include "util/canceltoken.h"

#include <memory>

#include <QList>
#include <QLoggingCategory>
#include <QString>
#include <QStringList>

namespace docsight {

struct LoadOptions {
    QString password;                              // for encrypted PDFs; empty = none
    QStringList ocrLanguages{QStringLiteral("eng")}; // Tesseract language codes, joined with '+'
    int ocrDpi = 300;                              // render resolution for OCR of PDF pages
    bool forceOcr = false;                         // OCR every PDF page, ignoring its text layer
};

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
    Q_DISABLE_COPY_MOVE(Loader)

    virtual LoadError open(const QString &path, const LoadOptions &options) = 0;
    virtual int pageCount() const = 0;
    virtual PageResult loadPage(int index, const CancelToken &cancel) = 0;

protected:
    Loader() = default;
};

// A loader that reads the whole file in open() (DOCX, text): read() fills the pages once and loadPage()
// hands them out; they are only read after open(), so concurrent loadPage() calls need no lock.
class StoredPagesLoader : public Loader
{
public:
    LoadError open(const QString &path, const LoadOptions &options) final;
    int pageCount() const final;
    PageResult loadPage(int index, const CancelToken &cancel) final;

protected:
    StoredPagesLoader() = default;
    // Reads the whole file into pages (empty on entry); on an error open() drops what was read.
    virtual LoadError read(const QString &path, const LoadOptions &options, QList<PageContent> &pages) = 0;
    // The format's logging category, for open()'s timing line.
    virtual const QLoggingCategory &category() const = 0;

private:
    QList<PageContent> m_pages;
};

// The document types Docsight reads, decided from the file's content (and its suffix for text).
enum class DocumentType { Unknown, Pdf, Image, Docx, Text };

QString documentTypeName(DocumentType type);
DocumentType detectDocumentType(const QString &path);

// A loader for the given type, or nullptr for Unknown.
std::unique_ptr<Loader> createLoader(DocumentType type);

} // namespace docsight
