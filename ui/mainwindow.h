#pragma once

#include <QMainWindow>

namespace docsight {

class MainWindow final : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
};

} // namespace docsight
