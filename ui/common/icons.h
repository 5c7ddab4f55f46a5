#pragma once

#include <QIcon>
#include <QString>

namespace docsight::icons {

// An icon from resources/icons (":/icons/<name>.svg"). Line icons are drawn in the palette's text
// colour at paint time, so they follow light and dark palettes and stay sharp at any device pixel
// ratio; coloured icons (status, file types) keep their colours.
QIcon icon(const QString &name);

} // namespace docsight::icons
