#include "ingest/loader.h"

#include "ingest/docxloader.h"
#include "ingest/imageloader.h"
#include "ingest/pdfloader.h"
#include "ingest/textloader.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>

namespace docsight {

LoadError StoredPagesLoader::open(const QString &path, const LoadOptions &options)
{
    QElapsedTimer timer;
    timer.start();
    m_pages.clear();
    const LoadError error = read(path, options, m_pages);
    if (error.isError())
        m_pages.clear();
    qCDebug(category()) << "open:" << loadErrorKindName(error.kind) << m_pages.size() << "pages in" << timer.elapsed()
                        << "ms";
    return error;
}

int StoredPagesLoader::pageCount() const { return int(m_pages.size()); }

PageResult StoredPagesLoader::loadPage(int index, const CancelToken &cancel)
{
    if (cancel.isCancelled())
        return {{}, LoadError::make(LoadError::Kind::Cancelled, QStringLiteral("cancelled"))};
    if (index < 0 || index >= m_pages.size()) {
        return {{}, LoadError::make(LoadError::Kind::Io, QStringLiteral("page %1 does not exist (the document has %2)")
                                                             .arg(index + 1)
                                                             .arg(m_pages.size()))};
    }
    return {m_pages.at(index), {}};
}

QString documentTypeName(DocumentType type)
{
    switch (type) {
    case DocumentType::Pdf: return QStringLiteral("pdf");
    case DocumentType::Image: return QStringLiteral("image");
    case DocumentType::Docx: return QStringLiteral("docx");
    case DocumentType::Text: return QStringLiteral("text");
    case DocumentType::Unknown: break;
    }
    return QStringLiteral("unknown");
}

DocumentType detectDocumentType(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return DocumentType::Unknown;
    const QByteArray head = file.read(1024);
    const QString suffix = QFileInfo(path).suffix().toLower();

    // Content decides for binary formats; a renamed file still opens with the right loader.
    // PDF allows junk before the header, so look in the whole first kilobyte.
    if (head.contains("%PDF-"))
        return DocumentType::Pdf;
    if (head.startsWith("\x89PNG\r\n\x1a\n") || head.startsWith("\xFF\xD8\xFF")
        || head.startsWith(QByteArrayLiteral("II*\0")) || head.startsWith(QByteArrayLiteral("MM\0*")))
        return DocumentType::Image;
    if (head.startsWith("PK\x03\x04"))
        return suffix == QLatin1String("docx") ? DocumentType::Docx : DocumentType::Unknown;
    // A password-protected .docx is an OLE compound file; the DOCX loader explains that it cannot be read.
    if (head.startsWith("\xD0\xCF\x11\xE0") && suffix == QLatin1String("docx"))
        return DocumentType::Docx;
    static const QStringList textSuffixes{QStringLiteral("txt"), QStringLiteral("text"), QStringLiteral("md"),
                                          QStringLiteral("markdown")};
    if (textSuffixes.contains(suffix))
        return DocumentType::Text;
    return DocumentType::Unknown;
}

std::unique_ptr<Loader> createLoader(DocumentType type)
{
    switch (type) {
    case DocumentType::Pdf: return std::make_unique<PdfLoader>();
    case DocumentType::Image: return std::make_unique<ImageLoader>();
    case DocumentType::Docx: return std::make_unique<DocxLoader>();
    case DocumentType::Text: return std::make_unique<TextLoader>();
    case DocumentType::Unknown: break;
    }
    return nullptr;
}

} // namespace docsight
