// docsight-screenshots: the real main window over a real library, the way an analyst meets it, written out as
// PNGs so anyone can look at what a change did to the desktop. scripts/screenshots.sh runs it under Xvfb in a
// light and a dark palette at 1x and 2x.
//
// usage: docsight-screenshots --library DIR --out DIR --prefix PREFIX [--theme light|dark] [--question TEXT]
//        [--setting KEY=VALUE]...
//
// It opens the library through AppSession (the application's own start-up path, so the default window size is
// the application's), selects the first document, asks the question offline, opens the first citation, then
// saves PREFIX-screen.png (the whole screen: what is visible, clipped where the window runs off it) and
// PREFIX-window.png (the window itself). It prints whether the window fits the screen. Exit status 1 when a
// step never happened or a shot is blank.
#include "../ui/darkpalette.h"
#include "chat/answerview.h"
#include "chat/chatpanel.h"
#include "common/icons.h"
#include "library/librarymodel.h"
#include "library/librarypanel.h"
#include "shell/appsession.h"
#include "shell/mainwindow.h"
#include "viewer/documentviewer.h"

#include <cstdio>
#include <functional>

#include <QApplication>
#include <QCommandLineParser>
#include <QDeadlineTimer>
#include <QDir>
#include <QImage>
#include <QPalette>
#include <QScreen>
#include <QSet>
#include <QSettings>
#include <QStandardPaths>
#include <QStyle>
#include <QStyleFactory>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

using namespace docsight;

namespace {

// Runs the event loop until `done` holds or the time is up.
bool waitFor(const std::function<bool()> &done, int ms)
{
    QDeadlineTimer deadline(ms);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        QThread::msleep(10);
    }
    return true;
}

void settle(int ms)
{
    waitFor([] { return false; }, ms);
}

int distinctColours(const QImage &image)
{
    const QImage img = image.convertToFormat(QImage::Format_RGB32);
    QSet<QRgb> colours;
    for (int y = 0; y < img.height(); y += 3) {
        for (int x = 0; x < img.width(); x += 3) {
            colours.insert(img.pixel(x, y));
            if (colours.size() >= 64)
                return 64;
        }
    }
    return static_cast<int>(colours.size());
}

bool save(const QImage &image, const QString &path)
{
    if (image.isNull() || distinctColours(image) < 16) {
        std::fprintf(stderr, "docsight-screenshots: %s is blank\n", qPrintable(path));
        return false;
    }
    if (!image.save(path)) {
        std::fprintf(stderr, "docsight-screenshots: cannot write %s\n", qPrintable(path));
        return false;
    }
    std::printf("wrote %s (%dx%d)\n", qPrintable(QDir::toNativeSeparators(path)), image.width(), image.height());
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("OMP_THREAD_LIMIT", "1");
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption libraryOption(QStringLiteral("library"), QStringLiteral("Library folder."), QStringLiteral("DIR"));
    const QCommandLineOption outOption(QStringLiteral("out"), QStringLiteral("Folder for the PNGs."), QStringLiteral("DIR"));
    const QCommandLineOption nameOption(QStringLiteral("prefix"), QStringLiteral("File name prefix."), QStringLiteral("PREFIX"));
    const QCommandLineOption themeOption(QStringLiteral("theme"), QStringLiteral("light or dark."), QStringLiteral("THEME"),
                                         QStringLiteral("light"));
    const QCommandLineOption questionOption(QStringLiteral("question"), QStringLiteral("Asked offline."), QStringLiteral("TEXT"),
                                            QStringLiteral("How do I write my own function?"));
    const QCommandLineOption settingOption(QStringLiteral("setting"),
                                           QStringLiteral("A setting of the private settings, e.g. search/embedder=openai-compatible "
                                                          "(repeatable): the window as an analyst with that setting sees it."),
                                           QStringLiteral("KEY=VALUE"));
    parser.addOptions({libraryOption, outOption, nameOption, themeOption, questionOption, settingOption});
    parser.process(app);
    if (!parser.isSet(libraryOption) || !parser.isSet(outOption) || !parser.isSet(nameOption)) {
        std::fprintf(stderr, "usage: docsight-screenshots --library DIR --out DIR --prefix PREFIX [--theme light|dark]\n");
        return 2;
    }

    // Settings of its own, never the analyst's: a first start, as a new analyst sees it.
    QTemporaryDir settingsDir;
    QCoreApplication::setOrganizationName(QStringLiteral("DocsightScreenshots"));
    QCoreApplication::setApplicationName(QStringLiteral("docsight"));
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir.path());
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir.path());
    {
        QSettings settings;
        for (const QString &pair : parser.values(settingOption)) {
            const qsizetype eq = pair.indexOf(QLatin1Char('='));
            if (eq > 0)
                settings.setValue(pair.left(eq), pair.mid(eq + 1));
        }
    }
    qputenv("DOCSIGHT_KEYCHAIN_SERVICE", "DocsightScreenshots");
    QApplication::setWindowIcon(icons::icon(QStringLiteral("docsight")));

    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    const bool dark = parser.value(themeOption) == QLatin1String("dark");
    QApplication::setPalette(dark ? test::darkPalette() : QApplication::style()->standardPalette());

    const QString out = parser.value(outOption);
    const QString prefix = QDir(out).filePath(parser.value(nameOption));
    QDir().mkpath(out);

    AppSession session;
    MainWindow *window = nullptr;
    QObject::connect(&session, &AppSession::windowShown, &app, [&window](MainWindow *w) { window = w; });
    session.open(QDir(parser.value(libraryOption)).absolutePath());
    if (!waitFor([&] { return window && window->isVisible() && window->libraryModel()->isLoaded(); }, 30000)) {
        std::fprintf(stderr, "docsight-screenshots: the window never showed the library\n");
        return 1;
    }
    LibraryModel *model = window->libraryModel();
    if (model->rowCount() > 0) {
        // R-intro is the sample the default question is about; otherwise the first document.
        qint64 id = model->record(model->index(0, 0))->id;
        for (int row = 0; row < model->rowCount(); ++row) {
            if (model->record(model->index(row, 0))->name.startsWith(QLatin1String("R-intro")))
                id = model->record(model->index(row, 0))->id;
        }
        window->libraryPanel()->selectDocument(id);
        waitFor([&] { return window->viewer()->documentId() == id && !window->viewer()->isLoading(); }, 30000);
        ChatPanel *chat = window->chatPanel();
        chat->ask(parser.value(questionOption));
        const bool answered = waitFor([&] { return !chat->answerViews().isEmpty() && !chat->answerViews().constLast()->isStreaming(); }, 60000);
        if (answered && !chat->answerViews().constLast()->answer().citations.isEmpty())
            Q_EMIT chat->citationActivated(chat->answerViews().constLast()->answer().citations.first());
        waitFor([&] { return !window->viewer()->isLoading() && !window->viewer()->hasPendingRenders(); }, 30000);
    }
    settle(300);

    QScreen *screen = window->screen();
    const QRect available = screen->availableGeometry();
    const QRect frame = window->frameGeometry();
    std::printf("screen %dx%d at %.0fx, window %dx%d: %s\n", screen->geometry().width(), screen->geometry().height(),
                screen->devicePixelRatio(), frame.width(), frame.height(),
                available.contains(frame) ? "fits" : "DOES NOT FIT the screen");
    bool ok = save(screen->grabWindow(0).toImage(), prefix + QStringLiteral("-screen.png"));
    ok = save(window->grab().toImage(), prefix + QStringLiteral("-window.png")) && ok;
    window->close();
    return ok ? 0 : 1;
}
