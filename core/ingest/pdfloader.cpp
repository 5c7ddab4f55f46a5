#include "ingest/pdfloader.h"

namespace docsight {

// Placeholder until the adapter lands: reports the type as unsupported.
struct PdfLoader::Private {};

PdfLoader::PdfLoader() : d(std::make_unique<Private>()) {}
PdfLoader::~PdfLoader() = default;

LoadError PdfLoader::open(const QString &, const LoadOptions &)
{
    return LoadError::make(LoadError::Kind::Unsupported, QStringLiteral("pdf loader not built yet"));
}

int PdfLoader::pageCount() const { return 0; }

PageResult PdfLoader::loadPage(int, const CancelToken &)
{
    return {{}, LoadError::make(LoadError::Kind::Unsupported, QStringLiteral("pdf loader not built yet"))};
}

} // namespace docsight
