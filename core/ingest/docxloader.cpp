#include "ingest/docxloader.h"

namespace docsight {

// Placeholder until the adapter lands: reports the type as unsupported.
struct DocxLoader::Private {};

DocxLoader::DocxLoader() : d(std::make_unique<Private>()) {}
DocxLoader::~DocxLoader() = default;

LoadError DocxLoader::open(const QString &, const LoadOptions &)
{
    return LoadError::make(LoadError::Kind::Unsupported, QStringLiteral("docx loader not built yet"));
}

int DocxLoader::pageCount() const { return 0; }

PageResult DocxLoader::loadPage(int, const CancelToken &)
{
    return {{}, LoadError::make(LoadError::Kind::Unsupported, QStringLiteral("docx loader not built yet"))};
}

} // namespace docsight
