#pragma once

#include "library/librarycontroller.h"
#include "settings/appsettings.h"

#include <memory>

#include <QMainWindow>

class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;
class QSplitter;
class QTableView;

namespace docsight {

struct Citation;
class ChatController;
class ChatPanel;
class ClassificationNotice;
class ConversationStore;
class DocumentStore;
class DocumentViewer;
class GovernanceActions;
class GovernanceController;
class IndexController;
class KeyFactsController;
class KeyFactsDialog;
class Library;
class LibraryModel;
class LibraryPanel;
class ProviderService;

// The main window: Library | Viewer | Chat in remembered splitters, menus and shortcuts, a status bar
// with the answer provider, the embedder and the indexing state, and the governance features
// (GovernanceActions: usage dashboard, audit report, classification suggestions). It shows; the controllers and core
// services do the work off the GUI thread.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(std::shared_ptr<Library> library, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Queues files and folders for import (drag-and-drop, the menus, the command line).
    void importPaths(const QStringList &paths);
    void setPasswordPrompt(LibraryController::PasswordPrompt prompt);

    std::shared_ptr<Library> library() const { return m_library; }
    IngestQueue *ingestQueue() const;
    LibraryModel *libraryModel() const;
    QTableView *documentView() const;
    LibraryPanel *libraryPanel() const { return m_libraryPanel; }
    DocumentViewer *viewer() const { return m_viewer; }
    ChatPanel *chatPanel() const { return m_chat; }
    IndexController *indexController() const { return m_index; }
    GovernanceController *governance() const { return m_governance; }
    GovernanceActions *governanceActions() const { return m_governanceActions; }
    ClassificationNotice *classificationNotice() const { return m_classificationNotice; }
    AppSettings settings() const { return m_settings; }
    void applySettings(const AppSettings &settings);

Q_SIGNALS:
    void openLibraryRequested(const QString &folder);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    void createWidgets();
    void createActions();
    void createStatusBar();
    void restoreLayout();
    void addFiles();
    void addFolder();
    void openLibrary();
    void removeSelected();
    void retrySelected();
    void showSettings();
    void showAbout();
    void showKeyFacts();
    void openCitation(const Citation &citation);
    void onImportFinished(const ImportOutcome &outcome);
    void onImporting(bool busy, int done, int total);
    void updateStatus();
    void updateSuggestions();
    void updateDocumentActions();
    void promptPasswordFor(qint64 documentId);

    std::shared_ptr<Library> m_library;
    std::shared_ptr<DocumentStore> m_store;
    AppSettings m_settings;
    LibraryController *m_libraryController = nullptr;
    ProviderService *m_providers = nullptr;
    IndexController *m_index = nullptr;
    ConversationStore *m_conversations = nullptr;
    ChatController *m_chatController = nullptr;
    GovernanceController *m_governance = nullptr;
    GovernanceActions *m_governanceActions = nullptr;
    KeyFactsController *m_keyFactsController = nullptr;
    KeyFactsDialog *m_keyFacts = nullptr;

    QSplitter *m_splitter = nullptr;
    LibraryPanel *m_libraryPanel = nullptr;
    DocumentViewer *m_viewer = nullptr;
    ChatPanel *m_chat = nullptr;
    ClassificationNotice *m_classificationNotice = nullptr;
    QMenu *m_recentMenu = nullptr;
    QList<QAction *> m_documentActions;
    QAction *m_retry = nullptr;
    QAction *m_rerunOcr = nullptr;
    QAction *m_cancel = nullptr;
    QAction *m_remove = nullptr;
    QAction *m_extractFacts = nullptr;

    QLabel *m_statusLabel = nullptr;
    QLabel *m_providerStatus = nullptr;
    QLabel *m_indexStatus = nullptr;
    QProgressBar *m_overall = nullptr;
    QPushButton *m_cancelAll = nullptr;
    qint64 m_lastViewerRefresh = 0;
};

} // namespace docsight
