#include "shell/appsession.h"

#include "shell/mainwindow.h"

#include "store/library.h"

#include <QApplication>
#include <QDir>
#include <QFutureWatcher>
#include <QMessageBox>
#include <QtConcurrent/QtConcurrentRun>

namespace docsight {
namespace {

struct Opened {
    std::shared_ptr<Library> library;
    QString error;
};

} // namespace

AppSession::AppSession(QObject *parent) : QObject(parent) {}

MainWindow *AppSession::window() const
{
    return m_window;
}

AppSession::~AppSession()
{
    delete m_window;
}

void AppSession::open(const QString &folder, const QStringList &importAfter)
{
    if (m_opening)
        return;
    m_opening = true;
    auto *watcher = new QFutureWatcher<Opened>(this);
    connect(watcher, &QFutureWatcher<Opened>::finished, this, [this, watcher, folder, importAfter] {
        watcher->deleteLater();
        m_opening = false;
        const Opened opened = watcher->result();
        if (!opened.library) {
            QMessageBox::critical(m_window, tr("Docsight"),
                                  tr("Cannot open the library %1:\n%2").arg(QDir::toNativeSeparators(folder), opened.error));
            if (!m_window)
                QCoreApplication::exit(1);
            return;
        }
        MainWindow::rememberLibrary(opened.library->rootPath());
        // The old window saves its layout as it closes; the new one restores it.
        const bool quitOnLast = QGuiApplication::quitOnLastWindowClosed();
        QGuiApplication::setQuitOnLastWindowClosed(false);
        if (m_window) {
            m_window->close();
            m_window->deleteLater();
        }
        m_window = new MainWindow(opened.library);
        m_window->setAttribute(Qt::WA_DeleteOnClose, false);
        connect(m_window, &MainWindow::openLibraryRequested, this, [this](const QString &f) { open(f); });
        m_window->show();
        QGuiApplication::setQuitOnLastWindowClosed(quitOnLast);
        m_window->importPaths(importAfter);
        Q_EMIT windowShown(m_window);
    });
    // Opening creates or migrates the database: not on the GUI thread.
    watcher->setFuture(QtConcurrent::run([folder] {
        Opened o;
        o.library = Library::open(folder, &o.error);
        return o;
    }));
}

} // namespace docsight
