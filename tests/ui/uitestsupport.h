#pragma once

// Shared by the UI tests: isolated settings, screenshots into the build folder, and "is it blank?".
#include <QCoreApplication>
#include <QDir>
#include <QImage>
#include <QSet>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QWidget>

namespace docsight::test {

// Settings go to a temporary folder so a test never reads or writes the analyst's.
inline void isolateSettings(const QTemporaryDir &dir)
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("DocsightTest"));
    QCoreApplication::setApplicationName(QStringLiteral("docsight-ui-test"));
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir.filePath(QStringLiteral("settings")));
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir.filePath(QStringLiteral("settings")));
    QSettings().clear();
    // Keys must never be looked up in a real keychain by a test.
    qputenv("DOCSIGHT_KEYCHAIN_SERVICE", "DocsightUiTest");
}

// How many different colours an image holds (stops counting at `limit`).
inline int distinctColours(const QImage &image, int limit = 64)
{
    const QImage img = image.convertToFormat(QImage::Format_RGB32);
    QSet<QRgb> colours;
    for (int y = 0; y < img.height(); y += 2) {
        const auto *line = reinterpret_cast<const QRgb *>(img.constScanLine(y));
        for (int x = 0; x < img.width(); x += 2) {
            colours.insert(line[x]);
            if (colours.size() >= limit)
                return limit;
        }
    }
    return static_cast<int>(colours.size());
}

// Grabs the widget into <build>/tests/ui/screenshots/<name>.png; returns the image.
inline QImage saveScreenshot(QWidget *widget, const QString &name)
{
    const QImage image = widget->grab().toImage();
    const QString folder = QCoreApplication::applicationDirPath() + QStringLiteral("/screenshots");
    QDir().mkpath(folder);
    image.save(folder + QLatin1Char('/') + name + QStringLiteral(".png"));
    return image;
}

} // namespace docsight::test
