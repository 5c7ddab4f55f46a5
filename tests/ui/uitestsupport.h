#pragma once

// Shared by the UI tests: isolated settings, the main window over a fresh library, screenshots into the
// build folder, and "is it blank?".
#include "chat/chatpanel.h"
#include "library/librarymodel.h"
#include "settings/appsettings.h"
#include "shell/mainwindow.h"
#include "store/library.h"

#include <memory>

#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QImage>
#include <QSet>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
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

// Clicks a widget like a user, once it has been laid out: a widget just added to a visible window is
// 0x0 until its layout runs, and a click on it would be lost. False when it never got a size.
inline bool clickWhenLaidOut(QWidget *widget)
{
    if (!widget || !QTest::qWaitFor([widget] { return widget->isVisible() && !widget->size().isEmpty(); }, 5000))
        return false;
    QTest::mouseClick(widget, Qt::LeftButton);
    return true;
}

// A library in a temporary folder with the main window over it, shown and loaded: where most UI tests
// start. Settings are isolated in the same folder.
struct WindowFixture {
    QTemporaryDir dir;
    std::shared_ptr<Library> library;
    std::unique_ptr<MainWindow> window;

    // Empty on success, else what went wrong.
    QString open(const QSize &size = QSize(1400, 900))
    {
        if (!dir.isValid())
            return QStringLiteral("no temporary folder");
        isolateSettings(dir);
        QString error;
        library = Library::open(dir.filePath(QStringLiteral("library")), &error);
        if (!library)
            return error;
        window = std::make_unique<MainWindow>(library);
        window->resize(size);
        window->show();
        if (!QTest::qWaitForWindowExposed(window.get()))
            return QStringLiteral("the main window was never exposed");
        if (!QTest::qWaitFor([this] { return window->libraryModel()->isLoaded(); }, 10000))
            return QStringLiteral("the library list never loaded");
        return {};
    }

    void close()
    {
        if (window)
            window->close();
        window.reset();
    }

    // Picks a provider in the chat panel, enabling an HTTP one at baseUrl with the given model first.
    bool useProvider(ProviderKind kind, const QUrl &baseUrl = {}, const QString &model = QStringLiteral("test-model"))
    {
        AppSettings settings = window->settings();
        if (kind != ProviderKind::Extractive) {
            ProviderSettings p = settings.provider(kind);
            p.enabled = true;
            p.baseUrl = baseUrl;
            p.model = model;
            settings.setProvider(p);
            window->applySettings(settings);
        }
        auto *picker = window->chatPanel()->findChildren<QComboBox *>().value(0);
        const int index = picker ? picker->findData(static_cast<int>(kind)) : -1;
        if (index < 0)
            return false;
        picker->setCurrentIndex(index);
        Q_EMIT picker->activated(index);
        return window->chatPanel()->currentProvider() == kind;
    }
};

} // namespace docsight::test
