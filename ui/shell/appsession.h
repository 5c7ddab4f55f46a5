#pragma once

#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QThreadPool>

namespace docsight {

class MainWindow;

// Which library the application has open: opens (or creates) the library folder off the GUI thread,
// shows a window for it, remembers it among the recent libraries, and switches when the window asks.
class AppSession final : public QObject
{
    Q_OBJECT

public:
    explicit AppSession(QObject *parent = nullptr);
    ~AppSession() override;

    void open(const QString &folder, const QStringList &importAfter = {});
    MainWindow *window() const;

Q_SIGNALS:
    void windowShown(docsight::MainWindow *window);

private:
    QPointer<MainWindow> m_window;
    bool m_opening = false;
    QThreadPool m_pool; // opening a library, one at a time
};

} // namespace docsight
