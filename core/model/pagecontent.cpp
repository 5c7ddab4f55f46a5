#include "model/pagecontent.h"

namespace docsight {

QString pageSourceName(PageSource source)
{
    switch (source) {
    case PageSource::TextLayer: return QStringLiteral("text-layer");
    case PageSource::Ocr: return QStringLiteral("ocr");
    case PageSource::Plain: return QStringLiteral("plain");
    }
    return QStringLiteral("plain");
}

PageSource pageSourceFromName(const QString &name)
{
    if (name == QLatin1String("text-layer"))
        return PageSource::TextLayer;
    if (name == QLatin1String("ocr"))
        return PageSource::Ocr;
    return PageSource::Plain;
}

} // namespace docsight
