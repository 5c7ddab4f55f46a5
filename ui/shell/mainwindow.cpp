#include "shell/mainwindow.h"

#include "chat/chatcontroller.h"
#include "chat/chatpanel.h"
#include "chat/conversationstore.h"
#include "common/icons.h"
#include "governance/classificationnotice.h"
#include "governance/governancecontroller.h"
#include "keyfacts/keyfactscontroller.h"
#include "keyfacts/keyfactsdialog.h"
#include "library/indexcontroller.h"
#include "library/librarymodel.h"
#include "library/librarypanel.h"
#include "library/reimportprompt.h"
#include "settings/providerservice.h"
#include "settings/settingsdialog.h"
#include "shell/governanceactions.h"
#include "viewer/documentviewer.h"

#include "ingest/ocrengine.h"
#include "ingest/pagerenderer.h"
#include "llm/answer.h"
#include "model/classification.h"
#include "store/documentstore.h"
#include "store/library.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

namespace docsight {
namespace {

QAction *makeAction(QObject *parent, const QString &icon, const QString &text, const QKeySequence &key = {})
{
    auto *a = new QAction(icon.isEmpty() ? QIcon() : icons::icon(icon), text, parent);
    if (!key.isEmpty())
        a->setShortcut(key);
    return a;
}

} // namespace

MainWindow::MainWindow(std::shared_ptr<Library> library, QWidget *parent)
    : QMainWindow(parent)
    , m_library(std::move(library))
    , m_store(std::make_shared<DocumentStore>(m_library))
    , m_settings(AppSettings::load())
{
    setWindowTitle(tr("%1 — Docsight").arg(QDir(m_library->rootPath()).dirName()));
    setAcceptDrops(true);
    m_libraryController = new LibraryController(m_library, m_store, this);
    m_libraryController->setImportOptions(m_settings.importOptions());
    m_libraryController->setPasswordPrompt([this](const QString &name, bool wrong) -> std::optional<QString> {
        bool ok = false;
        const QString text = wrong ? tr("That password did not open %1. Try again (the password is not stored):").arg(name)
                                   : tr("%1 is encrypted. Enter its password to read it (the password is not stored):").arg(name);
        const QString password = QInputDialog::getText(this, tr("Password Required"), text, QLineEdit::Password, {}, &ok);
        return ok ? std::optional<QString>(password) : std::nullopt;
    });
    m_providers = new ProviderService(this);
    m_index = new IndexController(m_library, this);
    m_conversations = new ConversationStore(m_library->rootPath() + QStringLiteral("/conversations"), this);
    m_chatController = new ChatController(m_library, m_providers, [index = m_index] { return index->retriever(); }, this);
    m_governance = new GovernanceController(m_library, this);
    m_keyFactsController = new KeyFactsController(m_library, m_providers, this);

    createWidgets();
    m_governanceActions = new GovernanceActions(this, m_governance, m_chat, m_chatController, m_libraryController,
                                                m_classificationNotice);
    createActions();
    createStatusBar();
    restoreLayout();

    connect(m_libraryController, &LibraryController::documentFinished, this, &MainWindow::onImportFinished);
    connect(m_libraryController, &LibraryController::importing, this, &MainWindow::onImporting);
    connect(m_libraryController, &LibraryController::passwordEntered, m_viewer, &DocumentViewer::setPassword);
    connect(m_libraryController, &LibraryController::removed, this, [this](const QList<qint64> &ids) {
        if (ids.contains(m_viewer->documentId()))
            m_viewer->clearDocument();
    });
    connect(ingestQueue(), &IngestQueue::progress, this, [this](const ImportProgress &p) {
        // Let the analyst watch a document being read, without reloading it for every page.
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (p.documentId != 0 && p.documentId == m_viewer->documentId() && now - m_lastViewerRefresh > 2000) {
            m_lastViewerRefresh = now;
            m_viewer->refreshDocument(p.documentId);
        }
    });
    connect(libraryModel(), &LibraryModel::refreshed, this, &MainWindow::updateSuggestions);
    connect(libraryModel(), &LibraryModel::refreshed, this, &MainWindow::updateDocumentActions);
    connect(m_index, &IndexController::stateChanged, this, &MainWindow::updateStatus);
    connect(m_chat, &ChatPanel::providerChanged, this, &MainWindow::updateStatus);
    connect(m_chat, &ChatPanel::citationActivated, this, &MainWindow::openCitation);
    connect(m_chat, &ChatPanel::busyChanged, this, &MainWindow::updateStatus);

    m_chat->setGovernance(m_governance);
    m_governance->loadPolicy();
    m_chat->setSettings(m_settings);
    m_chat->setConversationKey(QStringLiteral("chat/last/")
                               + QString::fromLatin1(QCryptographicHash::hash(m_library->rootPath().toUtf8(),
                                                                              QCryptographicHash::Sha1).toHex().left(16)));
    m_chat->restoreLastConversation();
    m_index->configure(m_settings);
    m_index->scheduleIndexing();
    m_libraryController->resumeInterrupted();
    updateStatus();
}

MainWindow::~MainWindow() = default;

IngestQueue *MainWindow::ingestQueue() const
{
    return m_libraryController->queue();
}

LibraryModel *MainWindow::libraryModel() const
{
    return m_libraryController->model();
}

QTableView *MainWindow::documentView() const
{
    return m_libraryPanel->table();
}

void MainWindow::setPasswordPrompt(LibraryController::PasswordPrompt prompt)
{
    m_libraryController->setPasswordPrompt(std::move(prompt));
}

void MainWindow::createWidgets()
{
    m_libraryPanel = new LibraryPanel(libraryModel());
    m_viewer = new DocumentViewer(m_store);
    m_chat = new ChatPanel(m_chatController, m_providers, m_conversations);
    m_chat->setSelectionSource([this] { return m_libraryPanel->selectedIds(); });

    m_splitter = new QSplitter(Qt::Horizontal);
    m_splitter->setObjectName(QStringLiteral("mainSplitter"));
    // Suggestions to classify a document after import sit above the library they are about.
    auto *left = new QWidget;
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->setSpacing(4);
    m_classificationNotice = new ClassificationNotice;
    leftLayout->addWidget(m_classificationNotice);
    leftLayout->addWidget(m_libraryPanel, 1);
    m_splitter->addWidget(left);
    m_splitter->addWidget(m_viewer);
    m_splitter->addWidget(m_chat);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setStretchFactor(2, 0);
    m_splitter->setSizes({440, 550, 410});
    m_splitter->setHandleWidth(6);
    setCentralWidget(m_splitter);

    connect(m_libraryPanel, &LibraryPanel::currentDocumentChanged, this, [this](const std::optional<DocumentRecord> &doc) {
        if (doc)
            m_viewer->showDocument(*doc);
        updateDocumentActions();
    });
    connect(m_libraryPanel, &LibraryPanel::selectionChanged, this, [this](int count) {
        m_chat->setSelectionCount(count);
        updateDocumentActions();
    });
    connect(m_libraryPanel, &LibraryPanel::retryRequested, m_libraryController, &LibraryController::retry);
    connect(m_viewer, &DocumentViewer::retryRequested, m_libraryController, &LibraryController::retry);
    connect(m_viewer, &DocumentViewer::passwordRequested, this, &MainWindow::promptPasswordFor);
}

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *addFiles = makeAction(this, QStringLiteral("add-file"), tr("Add &Files…"), QKeySequence::Open);
    connect(addFiles, &QAction::triggered, this, &MainWindow::addFiles);
    QAction *addFolder = makeAction(this, QStringLiteral("add-folder"), tr("Add F&older…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    connect(addFolder, &QAction::triggered, this, &MainWindow::addFolder);
    file->addAction(addFiles);
    file->addAction(addFolder);
    file->addSeparator();
    QAction *openLibrary = makeAction(this, QStringLiteral("open-library"), tr("Open &Library…"));
    connect(openLibrary, &QAction::triggered, this, &MainWindow::openLibrary);
    file->addAction(openLibrary);
    m_recentMenu = file->addMenu(tr("&Recent Libraries"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, [this] {
        m_recentMenu->clear();
        for (const QString &folder : AppSettings::recentLibraries()) {
            QAction *a = m_recentMenu->addAction(QDir::toNativeSeparators(folder));
            a->setEnabled(QDir::cleanPath(folder) != QDir::cleanPath(m_library->rootPath()));
            connect(a, &QAction::triggered, this, [this, folder] { Q_EMIT openLibraryRequested(folder); });
        }
        if (m_recentMenu->isEmpty())
            m_recentMenu->addAction(tr("None"))->setEnabled(false);
    });
    file->addSeparator();
    file->addAction(m_governanceActions->exportReportAction());
    file->addSeparator();
    QAction *settings = makeAction(this, QStringLiteral("settings"), tr("&Settings…"), QKeySequence(Qt::CTRL | Qt::Key_Comma));
    settings->setMenuRole(QAction::PreferencesRole);
    connect(settings, &QAction::triggered, this, &MainWindow::showSettings);
    file->addAction(settings);
    file->addSeparator();
    QAction *quit = makeAction(this, QString(), tr("&Quit"), QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);
    file->addAction(quit);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addActions(m_viewer->viewerActions());
    view->addSeparator();
    QAction *filter = makeAction(this, QStringLiteral("find"), tr("Filter &Library"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    connect(filter, &QAction::triggered, m_libraryPanel, &LibraryPanel::focusFilter);
    view->addAction(filter);
    view->addSeparator();
    view->addAction(m_governanceActions->usageDashboardAction());

    QMenu *document = menuBar()->addMenu(tr("&Document"));
    m_retry = makeAction(this, QStringLiteral("retry"), tr("&Retry Import"), QKeySequence(Qt::Key_F5));
    connect(m_retry, &QAction::triggered, this, &MainWindow::retrySelected);
    m_rerunOcr = makeAction(this, QStringLiteral("ocr"), tr("Re-run &OCR with Current Languages"));
    m_rerunOcr->setToolTip(tr("Read the selected documents again from their stored copies, with the OCR languages "
                              "chosen in Settings"));
    connect(m_rerunOcr, &QAction::triggered, this, [this] {
        if (const auto choice = confirmReimport(this, *libraryModel(), m_libraryPanel->selectedIds()))
            m_libraryController->reimport(choice->documentIds, choice->forceOcr);
    });
    m_cancel = makeAction(this, QStringLiteral("cancel"), tr("&Cancel Import"));
    connect(m_cancel, &QAction::triggered, this, [this] { m_libraryController->cancel(m_libraryPanel->selectedIds()); });
    m_remove = makeAction(this, QStringLiteral("remove"), tr("Re&move…"), QKeySequence::Delete);
    // Delete must not remove documents while the analyst edits a question.
    m_remove->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_remove, &QAction::triggered, this, &MainWindow::removeSelected);
    document->addActions({m_retry, m_rerunOcr, m_cancel, m_remove});
    document->addSeparator();
    m_extractFacts = makeAction(this, QStringLiteral("document"), tr("Extract &Key Facts…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
    m_extractFacts->setObjectName(QStringLiteral("extractKeyFacts"));
    m_extractFacts->setToolTip(tr("Read the invoice, contract or general facts of the selected document, each citing its passage"));
    connect(m_extractFacts, &QAction::triggered, this, &MainWindow::showKeyFacts);
    document->addAction(m_extractFacts);
    QMenu *classify = document->addMenu(tr("C&lassification"));
    const QStringList levels = classificationNames();
    for (int i = 0; i < levels.size(); ++i) {
        QAction *a = classify->addAction(levels.at(i));
        connect(a, &QAction::triggered, this, [this, i] { m_libraryController->classify(m_libraryPanel->selectedIds(), i); });
    }
    m_retry->setObjectName(QStringLiteral("retryImport"));
    m_rerunOcr->setObjectName(QStringLiteral("rerunOcr"));
    m_cancel->setObjectName(QStringLiteral("cancelImport"));
    m_remove->setObjectName(QStringLiteral("removeDocuments"));
    settings->setObjectName(QStringLiteral("showSettings"));
    m_documentActions = {m_retry, m_rerunOcr, m_cancel, m_remove};
    m_libraryPanel->table()->addActions({m_retry, m_rerunOcr, m_cancel, m_remove});
    m_libraryPanel->table()->addAction(classify->menuAction());
    m_libraryPanel->table()->addAction(m_extractFacts);

    QMenu *chat = menuBar()->addMenu(tr("&Chat"));
    QAction *askFocus = makeAction(this, QStringLiteral("chat"), tr("&Ask a Question"), QKeySequence(Qt::CTRL | Qt::Key_L));
    connect(askFocus, &QAction::triggered, m_chat, &ChatPanel::focusInput);
    chat->addAction(askFocus);
    chat->addActions(m_chat->chatActions());

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *about = makeAction(this, QStringLiteral("info"), tr("&About Docsight"));
    about->setMenuRole(QAction::AboutRole);
    about->setObjectName(QStringLiteral("about"));
    connect(about, &QAction::triggered, this, &MainWindow::showAbout);
    help->addAction(about);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);

    QToolBar *toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolbar"));
    toolbar->setMovable(false);
    toolbar->setIconSize(QSize(20, 20));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->addAction(addFiles);
    toolbar->addAction(addFolder);
    toolbar->addSeparator();
    toolbar->addAction(m_retry);
    toolbar->addAction(m_cancel);
    toolbar->addAction(m_remove);
    auto *spacer = new QWidget;
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    toolbar->addWidget(spacer);
    toolbar->addAction(settings);
    m_libraryPanel->setEmptyActions({addFiles, addFolder});
    // Window-wide so they work wherever the focus is.
    addActions(m_viewer->viewerActions());
    addActions(m_chat->chatActions());
    addActions({m_governanceActions->exportReportAction(), m_governanceActions->usageDashboardAction(), m_extractFacts});
    updateDocumentActions();
}

void MainWindow::createStatusBar()
{
    m_statusLabel = new QLabel(tr("Ready"));
    m_providerStatus = new QLabel;
    m_indexStatus = new QLabel;
    m_overall = new QProgressBar;
    m_overall->setMaximumWidth(200);
    m_overall->setMaximumHeight(16);
    m_overall->setTextVisible(false);
    m_overall->setVisible(false);
    m_cancelAll = new QPushButton(icons::icon(QStringLiteral("cancel")), tr("Cancel All"));
    m_cancelAll->setFlat(true);
    m_cancelAll->setVisible(false);
    connect(m_cancelAll, &QPushButton::clicked, ingestQueue(), &IngestQueue::cancelAll);
    statusBar()->addWidget(m_statusLabel, 1);
    statusBar()->addPermanentWidget(m_overall);
    statusBar()->addPermanentWidget(m_cancelAll);
    statusBar()->addPermanentWidget(m_indexStatus);
    statusBar()->addPermanentWidget(m_providerStatus);
}

void MainWindow::restoreLayout()
{
    const QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1400, 860);
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_splitter->restoreState(settings.value(QStringLiteral("window/splitter")).toByteArray());
    m_libraryPanel->restoreState(settings.value(QStringLiteral("window/libraryHeader")).toByteArray());
}

void MainWindow::importPaths(const QStringList &paths)
{
    m_libraryController->importPaths(paths);
}

void MainWindow::addFiles()
{
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Add Files"), QString(),
        tr("Documents (*.pdf *.docx *.png *.jpg *.jpeg *.tif *.tiff *.txt *.md);;All files (*)"));
    importPaths(files);
}

void MainWindow::addFolder()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Add Folder"));
    if (!folder.isEmpty())
        importPaths({folder});
}

void MainWindow::openLibrary()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open or Create a Library"), m_library->rootPath());
    if (!folder.isEmpty() && QDir::cleanPath(folder) != QDir::cleanPath(m_library->rootPath()))
        Q_EMIT openLibraryRequested(folder);
}

void MainWindow::removeSelected()
{
    const QList<qint64> ids = m_libraryPanel->selectedIds();
    if (ids.isEmpty())
        return;
    if (QMessageBox::question(this, tr("Remove Documents"),
                              tr("Remove %n document(s) from the library? Their pages, passages and stored copies are "
                                 "deleted; the audit trail keeps a record of the removal.",
                                 nullptr, static_cast<int>(ids.size())))
        != QMessageBox::Yes)
        return;
    m_libraryController->remove(ids);
}

void MainWindow::retrySelected()
{
    for (const qint64 id : m_libraryPanel->selectedIds()) {
        const std::optional<DocumentRecord> doc = libraryModel()->recordById(id);
        if (doc && doc->status == DocumentStatus::Failed)
            m_libraryController->retry(id);
    }
}

void MainWindow::updateDocumentActions()
{
    bool failed = false, reimportable = false, busy = false;
    const QList<qint64> ids = m_libraryPanel->selectedIds();
    for (const qint64 id : ids) {
        const std::optional<DocumentRecord> doc = libraryModel()->recordById(id);
        if (!doc)
            continue;
        failed = failed || doc->status == DocumentStatus::Failed;
        reimportable = reimportable || canReimport(*libraryModel(), id);
        busy = busy || doc->status == DocumentStatus::Queued || doc->status == DocumentStatus::Importing
               || libraryModel()->isImporting(id);
    }
    m_retry->setEnabled(failed);
    m_rerunOcr->setEnabled(reimportable);
    m_cancel->setEnabled(busy);
    m_remove->setEnabled(!ids.isEmpty());
    const std::optional<DocumentRecord> one = ids.size() == 1 ? libraryModel()->recordById(ids.constFirst()) : std::nullopt;
    m_extractFacts->setEnabled(one && one->status == DocumentStatus::Ready);
}

void MainWindow::showKeyFacts()
{
    const QList<qint64> ids = m_libraryPanel->selectedIds();
    const std::optional<DocumentRecord> doc = ids.size() == 1 ? libraryModel()->recordById(ids.constFirst()) : std::nullopt;
    if (!doc || doc->status != DocumentStatus::Ready)
        return;
    if (!m_keyFacts) {
        m_keyFacts = new KeyFactsDialog(m_keyFactsController, this);
        connect(m_keyFacts, &KeyFactsDialog::passageRequested, m_viewer, &DocumentViewer::showPassage);
    }
    m_keyFacts->setChatProvider(m_settings.provider(m_chat->currentProvider()), m_chat->currentModel());
    m_keyFacts->setDocument(doc->id, doc->name);
    m_keyFacts->show();
    m_keyFacts->raise();
    m_keyFacts->activateWindow();
}

void MainWindow::promptPasswordFor(qint64 documentId)
{
    const std::optional<DocumentRecord> doc = libraryModel()->recordById(documentId);
    if (!doc)
        return;
    // A failed document is read again with it; a readable one only needs it to draw its pages.
    m_libraryController->askPassword(documentId, doc->name, false, doc->status == DocumentStatus::Failed);
}

void MainWindow::openCitation(const Citation &citation)
{
    PassageTarget target;
    target.setLocation(citation);
    target.boxes = citation.boxes;
    target.quote = citation.quote;
    m_viewer->showPassage(target);
}

void MainWindow::onImportFinished(const ImportOutcome &outcome)
{
    if (outcome.result == ImportOutcome::Result::Imported)
        m_index->scheduleIndexing();
    if (outcome.documentId != 0 && outcome.documentId == m_viewer->documentId())
        m_viewer->refreshDocument(outcome.documentId);
    if (outcome.result == ImportOutcome::Result::Failed && outcome.errorKind != QLatin1String("password-required"))
        m_statusLabel->setText(tr("%1 could not be read: %2").arg(outcome.name, outcome.error));
}

void MainWindow::onImporting(bool busy, int done, int total)
{
    m_overall->setVisible(busy);
    m_cancelAll->setVisible(busy && total > 0);
    m_overall->setRange(0, std::max(total, 0));
    m_overall->setValue(done);
    if (busy)
        m_statusLabel->setText(total > 0 ? tr("Importing: %1 of %2 documents done").arg(done).arg(total) : tr("Looking for documents…"));
    else
        m_statusLabel->setText(tr("Import finished"));
    updateDocumentActions();
}

void MainWindow::updateStatus()
{
    const ProviderKind kind = m_chat->currentProvider();
    const QString model = m_chat->currentModel();
    m_providerStatus->setText(kind == ProviderKind::Extractive ? tr("Answers: offline extractive")
                                                               : tr("Answers: %1%2").arg(providerDisplayName(kind),
                                                                                         model.isEmpty() ? QString() : QStringLiteral(" · ") + model));
    m_providerStatus->setToolTip(kind == ProviderKind::Extractive ? tr("Answers are quoted from your documents; nothing leaves this computer.")
                                                                  : tr("Passages found for each question are sent to this provider."));
    m_indexStatus->setText(tr("Search: %1 · %2").arg(m_index->embedderName(), m_index->stateText()));
}

void MainWindow::updateSuggestions()
{
    QStringList names;
    for (int row = 0; row < libraryModel()->rowCount(); ++row)
        names.append(libraryModel()->index(row, LibraryModel::Name).data().toString());
    QStringList suggestions;
    if (names.contains(QStringLiteral("R-intro.pdf")))
        suggestions << tr("How do I write my own function in R?") << tr("How do I read data from a file into a data frame?");
    if (names.contains(QStringLiteral("shared-mime-info-spec.pdf")))
        suggestions << tr("What does a glob pattern match?") << tr("How are magic rules given a priority?");
    for (const QString &name : std::as_const(names)) {
        if (suggestions.size() >= 4)
            break;
        if (!name.startsWith(QLatin1String("R-intro")) && !name.startsWith(QLatin1String("shared-mime")))
            suggestions << tr("What does %1 say about its main subject?").arg(QFileInfo(name).completeBaseName());
    }
    m_chat->setSuggestions(suggestions.mid(0, 4));
}

void MainWindow::applySettings(const AppSettings &settings)
{
    m_settings = settings;
    m_settings.save();
    m_libraryController->setImportOptions(m_settings.importOptions());
    m_chat->setSettings(m_settings);
    m_index->configure(m_settings);
    updateStatus();
}

void MainWindow::showSettings()
{
    AppSettings current = m_settings;
    current.activeProvider = m_chat->currentProvider();
    current.activeModel = m_chat->currentModel();
    SettingsDialog dialog(current, m_providers, this, m_governance);
    if (dialog.exec() != QDialog::Accepted)
        return;
    applySettings(dialog.settings());
    if (const std::optional<GovernanceSettings> governance = dialog.governanceSettings())
        m_governance->saveSettings(*governance); // on the governance worker; the result shows in the status bar
}

void MainWindow::showAbout()
{
    QMessageBox box(this);
    box.setWindowTitle(tr("About Docsight"));
    box.setIconPixmap(icons::icon(QStringLiteral("docsight")).pixmap(64, 64));
    box.setText(tr("<h3>Docsight %1</h3><p>Ask questions of your documents and get answers that cite the passages "
                   "they rest on. Runs fully offline by default.</p>")
                    .arg(QStringLiteral(DOCSIGHT_VERSION)));
    box.setInformativeText(tr("<table><tr><td>Qt</td><td>%1 (built with %2)</td></tr>"
                              "<tr><td>Poppler</td><td>%3</td></tr><tr><td>Tesseract</td><td>%4</td></tr>"
                              "<tr><td>Library&nbsp;</td><td>%5</td></tr></table>")
                               .arg(QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR), PageRenderer::popplerVersion(),
                                    ocr::version(), QDir::toNativeSeparators(m_library->rootPath()).toHtmlEscaped()));
    box.exec();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    QStringList paths;
    const QList<QUrl> urls = event->mimeData()->urls();
    for (const QUrl &url : urls) {
        if (url.isLocalFile())
            paths.append(url.toLocalFile());
    }
    importPaths(paths);
    event->acceptProposedAction();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/splitter"), m_splitter->saveState());
    settings.setValue(QStringLiteral("window/libraryHeader"), m_libraryPanel->saveState());
    m_settings.activeProvider = m_chat->currentProvider();
    m_settings.activeModel = m_chat->currentProvider() == ProviderKind::Extractive ? QString() : m_chat->currentModel();
    m_settings.save();
    m_chatController->stop();
    m_conversations->flush();
    m_libraryController->shutdown();
    QMainWindow::closeEvent(event);
}

} // namespace docsight
