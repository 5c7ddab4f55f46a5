#include "shell/appsession.h"

#include "common/async.h"
#include "settings/appsettings.h"
#include "shell/mainwindow.h"

#include "store/library.h"

#include <QApplication>
#include <QDir>
#include <QMessageBox>

namespace docsight {
namespace {

struct Opened {
    std::shared_ptr<Library> library;
    QString error;
};

} // namespace

AppSession::AppSession(QObject *parent) : QObject(parent)
{
    m_pool.setMaxThreadCount(1);
}

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
    // Opening creates or migrates the database: not on the GUI thread.
    runAsync(
        &m_pool, this,
        [folder] {
            Opened o;
            o.library = Library::open(folder, &o.error);
            return o;
        },
        [this, folder, importAfter](const Opened &opened) {
            m_opening = false;
            if (!opened.library) {
                QMessageBox::critical(m_window, tr("Docsight"),
                                      tr("Cannot open the library %1:\n%2").arg(QDir::toNativeSeparators(folder), opened.error));
                if (!m_window)
                    QCoreApplication::exit(1);
                return;
            }
            AppSettings::rememberLibrary(opened.library->rootPath());
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
}

} // namespace docsight
