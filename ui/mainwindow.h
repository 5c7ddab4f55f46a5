#pragma once

#include "ingest/ingestqueue.h"

#include <memory>

#include <QMainWindow>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QSpinBox;
class QSplitter;
class QTableView;

namespace docsight {

class DocumentStore;
class Library;
class LibraryModel;

// The main window: the library (documents, import progress, drag-and-drop, retry, remove) and a
// page text preview. Shows; the IngestQueue and DocumentStore do the work off the GUI thread.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(std::shared_ptr<Library> library, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Queues files and folders for import (used by drag-and-drop, the menus and the command line).
    void importPaths(const QStringList &paths);
    IngestQueue *ingestQueue() const { return m_queue; }
    LibraryModel *libraryModel() const { return m_model; }
    QTableView *documentView() const { return m_table; }

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void createWidgets();
    void addFiles();
    void addFolder();
    void removeSelected();
    void retrySelected();
    void cancelSelected();
    void classifySelected(int level);
    void showAbout();
    void onImportFinished(const ImportOutcome &outcome);
    void onOverallProgress(int done, int total);
    void showSelectedPage();
    void updateEmptyState();
    QList<qint64> selectedIds() const;

    std::shared_ptr<Library> m_library;
    std::shared_ptr<DocumentStore> m_store;
    IngestQueue *m_queue = nullptr;
    LibraryModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QSplitter *m_splitter = nullptr;
    QTableView *m_table = nullptr;
    QLineEdit *m_filter = nullptr;
    QLabel *m_emptyState = nullptr;
    QPlainTextEdit *m_preview = nullptr;
    QSpinBox *m_pageSpin = nullptr;
    QLabel *m_pageInfo = nullptr;
    QLabel *m_statusLabel = nullptr;
    QProgressBar *m_overall = nullptr;
    QPushButton *m_cancelAll = nullptr;
    quint64 m_previewRequest = 0;
};

} // namespace docsight
