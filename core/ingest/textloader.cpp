#include "ingest/textloader.h"

namespace docsight {

// Placeholder until the adapter lands: reports the type as unsupported.
struct TextLoader::Private {};

TextLoader::TextLoader() : d(std::make_unique<Private>()) {}
TextLoader::~TextLoader() = default;

LoadError TextLoader::open(const QString &, const LoadOptions &)
{
    return LoadError::make(LoadError::Kind::Unsupported, QStringLiteral("text loader not built yet"));
}

int TextLoader::pageCount() const { return 0; }

PageResult TextLoader::loadPage(int, const CancelToken &)
{
    return {{}, LoadError::make(LoadError::Kind::Unsupported, QStringLiteral("text loader not built yet"))};
}

} // namespace docsight
