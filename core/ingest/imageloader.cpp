#include "ingest/imageloader.h"

namespace docsight {

// Placeholder until the adapter lands: reports the type as unsupported.
struct ImageLoader::Private {};

ImageLoader::ImageLoader() : d(std::make_unique<Private>()) {}
ImageLoader::~ImageLoader() = default;

LoadError ImageLoader::open(const QString &, const LoadOptions &)
{
    return LoadError::make(LoadError::Kind::Unsupported, QStringLiteral("image loader not built yet"));
}

int ImageLoader::pageCount() const { return 0; }

PageResult ImageLoader::loadPage(int, const CancelToken &)
{
    return {{}, LoadError::make(LoadError::Kind::Unsupported, QStringLiteral("image loader not built yet"))};
}

} // namespace docsight
