#include "mainwindow.h"

#include "librarymodel.h"
#include "progressdelegate.h"

#include "ingest/ocrengine.h"
#include "store/documentstore.h"
#include "store/library.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace docsight {

MainWindow::MainWindow(std::shared_ptr<Library> library, QWidget *parent)
    : QMainWindow(parent)
    , m_library(std::move(library))
    , m_store(std::make_shared<DocumentStore>(m_library))
{
    setWindowTitle(tr("Docsight — %1").arg(QDir::toNativeSeparators(m_library->rootPath())));
    setAcceptDrops(true);
    m_queue = new IngestQueue(m_library, this);
    m_model = new LibraryModel(m_store, this);
    createWidgets();
    createActions();

    connect(m_queue, &IngestQueue::progress, m_model, &LibraryModel::applyProgress);
    connect(m_queue, &IngestQueue::finished, m_model, &LibraryModel::applyOutcome);
    connect(m_queue, &IngestQueue::finished, this, &MainWindow::onImportFinished);
    connect(m_queue, &IngestQueue::overallProgress, this, &MainWindow::onOverallProgress);
    connect(m_model, &LibraryModel::refreshed, this, &MainWindow::updateEmptyState);

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    m_splitter->restoreState(settings.value(QStringLiteral("window/splitter")).toByteArray());
    if (!settings.contains(QStringLiteral("window/geometry")))
        resize(1200, 760);

    m_model->refresh();
    // Documents a crash or kill left half-read are finished now.
    (void)QtConcurrent::run([queue = m_queue] { queue->resumeInterrupted(); });
}

MainWindow::~MainWindow() = default;

void MainWindow::createWidgets()
{
    auto *left = new QWidget;
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    m_filter = new QLineEdit;
    m_filter->setPlaceholderText(tr("Filter documents (Ctrl+F)"));
    m_filter->setClearButtonEnabled(true);
    leftLayout->addWidget(m_filter);

    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(-1);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);

    m_table = new QTableView;
    m_table->setModel(m_proxy);
    m_table->setItemDelegate(new ProgressDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setSortingEnabled(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(LibraryModel::Name, QHeaderView::Stretch);
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->setColumnWidth(LibraryModel::Status, 180);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    leftLayout->addWidget(m_table);

    m_emptyState = new QLabel(tr("<h3>Your library is empty</h3><p>Drop PDFs, Word files, scans or text files here,"
                                 "<br>or use <b>File → Add Files…</b> (Ctrl+O).</p>"
                                 "<p>Everything is read on this computer: text layers, OCR for scans, and an "
                                 "offline index.</p>"));
    m_emptyState->setAlignment(Qt::AlignCenter);
    m_emptyState->setWordWrap(true);
    leftLayout->addWidget(m_emptyState);

    auto *right = new QWidget;
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    auto *pageBar = new QHBoxLayout;
    m_pageInfo = new QLabel(tr("Select a document to see the text Docsight read from it."));
    m_pageSpin = new QSpinBox;
    m_pageSpin->setPrefix(tr("Page "));
    m_pageSpin->setEnabled(false);
    pageBar->addWidget(m_pageInfo, 1);
    pageBar->addWidget(m_pageSpin);
    rightLayout->addLayout(pageBar);
    m_preview = new QPlainTextEdit;
    m_preview->setReadOnly(true);
    rightLayout->addWidget(m_preview);

    m_splitter = new QSplitter(Qt::Horizontal);
    m_splitter->addWidget(left);
    m_splitter->addWidget(right);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    setCentralWidget(m_splitter);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        const auto doc = m_model->record(m_proxy->mapToSource(m_table->currentIndex()));
        m_pageSpin->blockSignals(true);
        m_pageSpin->setRange(1, std::max(1, doc ? doc->pageCount : 1));
        m_pageSpin->setValue(1);
        m_pageSpin->setEnabled(doc && doc->pageCount > 0);
        m_pageSpin->blockSignals(false);
        showSelectedPage();
    });
    connect(m_pageSpin, &QSpinBox::valueChanged, this, &MainWindow::showSelectedPage);

    m_statusLabel = new QLabel(tr("Ready — offline"));
    m_overall = new QProgressBar;
    m_overall->setMaximumWidth(240);
    m_overall->setVisible(false);
    m_cancelAll = new QPushButton(tr("Cancel all"));
    m_cancelAll->setVisible(false);
    connect(m_cancelAll, &QPushButton::clicked, m_queue, &IngestQueue::cancelAll);
    statusBar()->addWidget(m_statusLabel, 1);
    statusBar()->addPermanentWidget(m_overall);
    statusBar()->addPermanentWidget(m_cancelAll);
}

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *addFiles = file->addAction(QIcon::fromTheme(QStringLiteral("document-open")), tr("Add &Files…"), this,
                                        &MainWindow::addFiles);
    addFiles->setShortcut(QKeySequence::Open);
    QAction *addFolder = file->addAction(QIcon::fromTheme(QStringLiteral("folder-open")), tr("Add F&older…"), this,
                                         &MainWindow::addFolder);
    addFolder->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *document = menuBar()->addMenu(tr("&Document"));
    QAction *retry = document->addAction(QIcon::fromTheme(QStringLiteral("view-refresh")), tr("&Retry Import"), this,
                                         &MainWindow::retrySelected);
    retry->setShortcut(QKeySequence(Qt::Key_F5));
    QAction *cancel = document->addAction(QIcon::fromTheme(QStringLiteral("process-stop")), tr("&Cancel Import"), this,
                                          &MainWindow::cancelSelected);
    QAction *remove = document->addAction(QIcon::fromTheme(QStringLiteral("edit-delete")), tr("Re&move…"), this,
                                          &MainWindow::removeSelected);
    remove->setShortcut(QKeySequence::Delete);
    QMenu *classify = document->addMenu(tr("C&lassification"));
    const QStringList levels = classificationNames();
    for (int i = 0; i < levels.size(); ++i)
        classify->addAction(levels.at(i), this, [this, i] { classifySelected(i); });
    QAction *find = new QAction(tr("Filter"), this);
    find->setShortcut(QKeySequence::Find);
    connect(find, &QAction::triggered, m_filter, qOverload<>(&QWidget::setFocus));
    addAction(find);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Docsight"), this, &MainWindow::showAbout);

    QToolBar *toolbar = addToolBar(tr("Library"));
    toolbar->setObjectName(QStringLiteral("libraryToolbar"));
    toolbar->addAction(addFiles);
    toolbar->addAction(addFolder);
    toolbar->addSeparator();
    toolbar->addAction(retry);
    toolbar->addAction(cancel);
    toolbar->addAction(remove);
    m_table->addActions({retry, cancel, remove});
}

void MainWindow::importPaths(const QStringList &paths)
{
    if (paths.isEmpty())
        return;
    m_statusLabel->setText(tr("Importing…"));
    // Folder walking and type sniffing read the disk: keep them off the GUI thread.
    (void)QtConcurrent::run([queue = m_queue, paths] { queue->enqueue(paths, {}); });
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

QList<qint64> MainWindow::selectedIds() const
{
    QList<qint64> ids;
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    for (const QModelIndex &row : rows)
        ids.append(m_proxy->mapToSource(row).data(LibraryModel::DocumentIdRole).toLongLong());
    return ids;
}

void MainWindow::removeSelected()
{
    const QList<qint64> ids = selectedIds();
    if (ids.isEmpty())
        return;
    if (QMessageBox::question(this, tr("Remove Documents"),
                              tr("Remove %n document(s) from the library? Their pages, passages and stored copies are "
                                 "deleted; the audit trail keeps a record of the removal.",
                                 nullptr, static_cast<int>(ids.size())))
        != QMessageBox::Yes)
        return;
    for (qint64 id : ids)
        m_queue->cancelDocument(id);
    auto *watcher = new QFutureWatcher<void>(this);
    connect(watcher, &QFutureWatcher<void>::finished, this, [this, watcher] {
        watcher->deleteLater();
        m_model->refresh();
    });
    watcher->setFuture(QtConcurrent::run([store = m_store, ids] {
        for (qint64 id : ids)
            store->remove(id);
    }));
}

void MainWindow::retrySelected()
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    for (const QModelIndex &row : rows) {
        const QModelIndex source = m_proxy->mapToSource(row);
        if (static_cast<DocumentStatus>(source.data(LibraryModel::StatusRole).toInt()) == DocumentStatus::Failed)
            m_queue->retry(source.data(LibraryModel::DocumentIdRole).toLongLong(), {});
    }
}

void MainWindow::cancelSelected()
{
    for (qint64 id : selectedIds())
        m_queue->cancelDocument(id);
}

void MainWindow::classifySelected(int level)
{
    const QList<qint64> ids = selectedIds();
    auto *watcher = new QFutureWatcher<void>(this);
    connect(watcher, &QFutureWatcher<void>::finished, this, [this, watcher] {
        watcher->deleteLater();
        m_model->refresh();
    });
    watcher->setFuture(QtConcurrent::run([store = m_store, ids, level] {
        for (qint64 id : ids)
            store->setClassification(id, static_cast<Classification>(level));
    }));
}

void MainWindow::onImportFinished(const ImportOutcome &outcome)
{
    if (outcome.result == ImportOutcome::Result::Failed && outcome.errorKind == QLatin1String("password-required")
        && outcome.documentId != 0) {
        bool ok = false;
        const QString password = QInputDialog::getText(
            this, tr("Password Required"),
            tr("%1 is encrypted. Enter its password to read it (the password is not stored):").arg(outcome.name),
            QLineEdit::Password, QString(), &ok);
        if (ok && !password.isEmpty()) {
            ImportOptions options;
            options.password = password;
            m_queue->retry(outcome.documentId, options);
        }
    }
}

void MainWindow::onOverallProgress(int done, int total)
{
    const bool busy = done < total;
    m_overall->setVisible(busy);
    m_cancelAll->setVisible(busy);
    m_overall->setRange(0, total);
    m_overall->setValue(done);
    m_statusLabel->setText(busy ? tr("Importing: %1 of %2 documents done").arg(done).arg(total)
                                : tr("Import finished — offline"));
}

void MainWindow::showSelectedPage()
{
    const auto doc = m_model->record(m_proxy->mapToSource(m_table->currentIndex()));
    if (!doc) {
        m_preview->clear();
        return;
    }
    const int pageNumber = m_pageSpin->value();
    const quint64 request = ++m_previewRequest;
    auto *watcher = new QFutureWatcher<std::optional<PageContent>>(this);
    connect(watcher, &QFutureWatcher<std::optional<PageContent>>::finished, this, [this, watcher, request, doc] {
        watcher->deleteLater();
        if (request != m_previewRequest)
            return; // the analyst moved on
        const std::optional<PageContent> page = watcher->result();
        if (!page) {
            m_pageInfo->setText(doc->status == DocumentStatus::Failed ? tr("%1 could not be read: %2").arg(doc->name, doc->error)
                                                                      : tr("%1: page not read yet").arg(doc->name));
            m_preview->clear();
            return;
        }
        QString info = tr("%1 — page %2 of %3, %4").arg(doc->name).arg(page->number).arg(doc->pageCount)
                           .arg(page->source == PageSource::Ocr ? tr("OCR (confidence %1%)").arg(qRound(page->ocrConfidence))
                                                                : page->source == PageSource::TextLayer ? tr("text layer")
                                                                                                        : tr("text"));
        m_pageInfo->setText(info);
        m_preview->setPlainText(page->text);
    });
    watcher->setFuture(QtConcurrent::run([store = m_store, id = doc->id, pageNumber] { return store->page(id, pageNumber); }));
}

void MainWindow::updateEmptyState()
{
    m_emptyState->setVisible(m_model->isEmpty());
    m_table->setVisible(!m_model->isEmpty());
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Docsight"),
                       tr("<h3>Docsight %1</h3><p>Ask questions of your documents, offline.</p>"
                          "<p>Qt %2<br>Tesseract %3<br>Library: %4</p>")
                           .arg(QStringLiteral(DOCSIGHT_VERSION), QString::fromLatin1(qVersion()), OcrEngine::version(),
                                QDir::toNativeSeparators(m_library->rootPath())));
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
    settings.setValue(QStringLiteral("window/splitter"), m_splitter->saveState());
    // Pages read so far are committed; an interrupted document resumes on the next start.
    m_queue->shutdown();
    QMainWindow::closeEvent(event);
}

} // namespace docsight
