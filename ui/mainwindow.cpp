#include "mainwindow.h"

namespace docsight {

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent) {}

} // namespace docsight
