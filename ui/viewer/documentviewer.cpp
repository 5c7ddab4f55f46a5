#include "viewer/documentviewer.h"

#include "common/icons.h"
#include "viewer/documentreader.h"
#include "viewer/findbar.h"
#include "viewer/messagepanel.h"
#include "viewer/pagecache.h"
#include "viewer/pageview.h"
#include "viewer/textpagesview.h"

#include "ingest/pagerenderer.h"

#include <utility>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace docsight {
namespace {

DocumentType typeOf(const QString &name)
{
    for (const DocumentType t : {DocumentType::Pdf, DocumentType::Image, DocumentType::Docx, DocumentType::Text}) {
        if (documentTypeName(t) == name)
            return t;
    }
    return DocumentType::Unknown;
}

QToolButton *toolButton(QAction *action)
{
    auto *b = new QToolButton;
    b->setDefaultAction(action);
    b->setAutoRaise(true);
    return b;
}

} // namespace

DocumentViewer::DocumentViewer(std::shared_ptr<DocumentStore> store, QWidget *parent)
    : QWidget(parent)
{
    m_reader = new DocumentReader(std::move(store), this);
    m_cache = new PageCache(this);
    createWidgets();
    const QSettings settings;
    const QString zoom = settings.value(QStringLiteral("viewer/zoom"), QStringLiteral("fit-width")).toString();
    if (zoom == QLatin1String("fit-page"))
        m_pages->setZoom(PageView::ZoomMode::FitPage);
    else if (zoom != QLatin1String("fit-width"))
        m_pages->setZoom(PageView::ZoomMode::Custom, zoom.toDouble() > 0 ? zoom.toDouble() : 100.0);
    clearDocument();
}

DocumentViewer::~DocumentViewer()
{
    QSettings settings;
    const PageView::ZoomMode mode = m_pages->zoomMode();
    settings.setValue(QStringLiteral("viewer/zoom"), mode == PageView::ZoomMode::FitWidth ? QStringLiteral("fit-width")
                                                     : mode == PageView::ZoomMode::FitPage
                                                         ? QStringLiteral("fit-page")
                                                         : QString::number(qRound(m_pages->zoomPercent())));
}

void DocumentViewer::createWidgets()
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    const auto action = [this](const QString &icon, const QString &text, const QKeySequence &key, auto slot) {
        auto *a = new QAction(icons::icon(icon), text, this);
        if (!key.isEmpty())
            a->setShortcut(key);
        connect(a, &QAction::triggered, this, slot);
        m_actions.append(a);
        return a;
    };
    QAction *previous = action(QStringLiteral("page-up"), tr("Previous Page"), QKeySequence(), [this] {
        m_pages->goToPage(currentPage() - 1);
        m_text->goToPage(currentPage() - 1);
    });
    QAction *next = action(QStringLiteral("page-down"), tr("Next Page"), QKeySequence(), [this] {
        const int page = currentPage() + 1;
        m_pages->goToPage(page);
        m_text->goToPage(page);
    });
    QAction *zoomOut = action(QStringLiteral("zoom-out"), tr("Zoom Out"), QKeySequence::ZoomOut, [this] { m_pages->zoomBy(1 / 1.2); });
    QAction *zoomIn = action(QStringLiteral("zoom-in"), tr("Zoom In"), QKeySequence::ZoomIn, [this] { m_pages->zoomBy(1.2); });
    QAction *fitWidth = action(QStringLiteral("fit-width"), tr("Fit Width"), QKeySequence(Qt::CTRL | Qt::Key_2),
                               [this] { m_pages->setZoom(PageView::ZoomMode::FitWidth); });
    QAction *fitPage = action(QStringLiteral("fit-page"), tr("Fit Page"), QKeySequence(Qt::CTRL | Qt::Key_3),
                              [this] { m_pages->setZoom(PageView::ZoomMode::FitPage); });
    action(QString(), tr("Actual Size"), QKeySequence(Qt::CTRL | Qt::Key_0),
           [this] { m_pages->setZoom(PageView::ZoomMode::Custom, 100); });
    fitWidth->setCheckable(true);
    fitPage->setCheckable(true);
    QAction *find = action(QStringLiteral("find"), tr("Find in Document…"), QKeySequence::Find, &DocumentViewer::startFind);
    action(QString(), tr("Find Next"), QKeySequence::FindNext, &DocumentViewer::findNext);
    action(QString(), tr("Find Previous"), QKeySequence::FindPrevious, &DocumentViewer::findPrevious);
    m_copy = new QAction(icons::icon(QStringLiteral("copy")), tr("Copy Selected Text"), this);
    m_copy->setShortcut(QKeySequence::Copy);
    m_copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_copy->setEnabled(false);
    connect(m_copy, &QAction::triggered, this, &DocumentViewer::copySelection);

    // Title and navigation.
    auto *bar = new QWidget;
    bar->setObjectName(QStringLiteral("viewerBar"));
    auto *barLayout = new QHBoxLayout(bar);
    barLayout->setContentsMargins(8, 4, 4, 4);
    barLayout->setSpacing(2);
    m_title = new QLabel;
    m_title->setTextFormat(Qt::PlainText);
    m_title->setMinimumWidth(40);
    QFont titleFont = m_title->font();
    titleFont.setWeight(QFont::DemiBold);
    m_title->setFont(titleFont);
    barLayout->addWidget(m_title, 1);
    barLayout->addWidget(toolButton(previous));
    m_pageSpin = new QSpinBox;
    m_pageSpin->setAccessibleName(tr("Page"));
    m_pageSpin->setButtonSymbols(QAbstractSpinBox::NoButtons);
    m_pageSpin->setAlignment(Qt::AlignRight);
    m_pageSpin->setKeyboardTracking(false);
    connect(m_pageSpin, &QSpinBox::valueChanged, this, [this](int page) {
        if (page != currentPage()) {
            m_pages->goToPage(page);
            m_text->goToPage(page);
        }
    });
    barLayout->addWidget(m_pageSpin);
    m_pageTotal = new QLabel;
    barLayout->addWidget(m_pageTotal);
    barLayout->addWidget(toolButton(next));
    barLayout->addSpacing(8);
    barLayout->addWidget(toolButton(zoomOut));
    m_zoom = new QComboBox;
    m_zoom->setEditable(true);
    m_zoom->setInsertPolicy(QComboBox::NoInsert);
    m_zoom->setAccessibleName(tr("Zoom"));
    m_zoom->addItem(tr("Fit Width"), -1);
    m_zoom->addItem(tr("Fit Page"), -2);
    for (const int p : {50, 75, 100, 125, 150, 200, 300, 400})
        m_zoom->addItem(QStringLiteral("%1%").arg(p), p);
    m_zoom->setMinimumContentsLength(6);
    connect(m_zoom, &QComboBox::activated, this, [this](int index) {
        const int value = m_zoom->itemData(index).toInt();
        if (value == -1)
            m_pages->setZoom(PageView::ZoomMode::FitWidth);
        else if (value == -2)
            m_pages->setZoom(PageView::ZoomMode::FitPage);
        else
            m_pages->setZoom(PageView::ZoomMode::Custom, value);
        updateZoomBox();
    });
    connect(m_zoom->lineEdit(), &QLineEdit::editingFinished, this, [this] {
        bool ok = false;
        const double value = m_zoom->lineEdit()->text().remove(QLatin1Char('%')).trimmed().toDouble(&ok);
        if (ok && value > 0)
            m_pages->setZoom(PageView::ZoomMode::Custom, value);
        updateZoomBox();
    });
    barLayout->addWidget(m_zoom);
    barLayout->addWidget(toolButton(zoomIn));
    m_fitWidth = toolButton(fitWidth);
    m_fitPage = toolButton(fitPage);
    barLayout->addWidget(m_fitWidth);
    barLayout->addWidget(m_fitPage);
    barLayout->addSpacing(8);
    barLayout->addWidget(toolButton(find));
    layout->addWidget(bar);

    m_findBar = new FindBar;
    connect(m_findBar, &FindBar::textChanged, this, &DocumentViewer::runFind);
    connect(m_findBar, &FindBar::next, this, &DocumentViewer::findNext);
    connect(m_findBar, &FindBar::previous, this, &DocumentViewer::findPrevious);
    connect(m_findBar, &FindBar::closed, this, [this] {
        m_matches.clear();
        m_pages->setFindMatches({});
        m_pages->setCurrentMatch(0, {});
        m_text->setFindMatches({}, -1);
    });
    m_findBar->hide();
    layout->addWidget(m_findBar);

    // Notices ("showing the text because…").
    m_noticeBar = new QWidget;
    m_noticeBar->setAutoFillBackground(true);
    m_noticeBar->setBackgroundRole(QPalette::ToolTipBase);
    auto *noticeLayout = new QHBoxLayout(m_noticeBar);
    noticeLayout->setContentsMargins(8, 4, 8, 4);
    m_notice = new QLabel;
    m_notice->setWordWrap(true);
    m_notice->setForegroundRole(QPalette::ToolTipText);
    m_unlock = new QPushButton(tr("Enter Password…"));
    connect(m_unlock, &QPushButton::clicked, this, [this] {
        if (m_doc)
            Q_EMIT passwordRequested(m_doc->id);
    });
    noticeLayout->addWidget(m_notice, 1);
    noticeLayout->addWidget(m_unlock);
    m_noticeBar->hide();
    layout->addWidget(m_noticeBar);

    m_message = new MessagePanel;
    connect(m_message, &MessagePanel::retryClicked, this, [this] {
        if (m_doc)
            Q_EMIT retryRequested(m_doc->id);
    });
    connect(m_message, &MessagePanel::passwordClicked, this, [this] {
        if (m_doc)
            Q_EMIT passwordRequested(m_doc->id);
    });

    m_pages = new PageView(m_cache);
    m_text = new TextPagesView;
    m_stack = new QStackedWidget;
    m_stack->addWidget(m_message);
    m_stack->addWidget(m_pages);
    m_stack->addWidget(m_text);
    layout->addWidget(m_stack, 1);

    connect(m_pages, &PageView::currentPageChanged, this, &DocumentViewer::updateNavigation);
    connect(m_text, &TextPagesView::currentPageChanged, this, &DocumentViewer::updateNavigation);
    connect(m_pages, &PageView::zoomChanged, this, &DocumentViewer::updateZoomBox);
    connect(m_pages, &PageView::selectionChanged, m_copy, &QAction::setEnabled);
    connect(m_text, &QPlainTextEdit::copyAvailable, m_copy, &QAction::setEnabled);
    connect(m_cache, &PageCache::failed, this, [this](int page, int kind, const QString &message) {
        if (static_cast<LoadError::Kind>(kind) == LoadError::Kind::PasswordRequired)
            showText(tr("This PDF is encrypted: enter its password to see its pages. Meanwhile, here is the text "
                        "Docsight read from it."));
        else
            setNotice(tr("Page %1 could not be drawn: %2").arg(page).arg(message));
    });
    addAction(m_copy);
    m_pages->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_pages->addAction(m_copy);
    updateZoomBox();
}

QList<QAction *> DocumentViewer::viewerActions() const
{
    return m_actions;
}

qint64 DocumentViewer::documentId() const
{
    return m_doc ? m_doc->id : 0;
}

int DocumentViewer::currentPage() const
{
    return m_textMode ? m_text->currentPage() : m_pages->currentPage();
}

int DocumentViewer::pageCount() const
{
    return m_textMode ? static_cast<int>(m_content.size()) : m_pages->pageCount();
}

bool DocumentViewer::hasPendingRenders() const
{
    return m_cache->pendingCount() > 0;
}

bool DocumentViewer::isShowingImages() const
{
    return m_stack->currentWidget() == m_pages;
}

int DocumentViewer::highlightPage() const
{
    return m_highlightPage;
}

QList<QRectF> DocumentViewer::highlightRects() const
{
    return m_highlight;
}

QString DocumentViewer::highlightedText() const
{
    if (!m_passage)
        return {};
    for (const PageContent &p : std::as_const(m_content)) {
        if (p.number == m_passage->page)
            return p.text.mid(m_passage->charStart, m_passage->charEnd - m_passage->charStart);
    }
    return {};
}

QString DocumentViewer::noticeText() const
{
    return m_noticeBar->isHidden() ? QString() : m_notice->text();
}

QString DocumentViewer::selectedText() const
{
    return m_textMode ? m_text->textCursor().selectedText().replace(QChar::ParagraphSeparator, QLatin1Char('\n'))
                      : m_pages->selectedText();
}

void DocumentViewer::copySelection()
{
    const QString text = selectedText();
    if (!text.isEmpty())
        QApplication::clipboard()->setText(text);
}

void DocumentViewer::setPassword(qint64 documentId, const QString &password)
{
    m_passwords.insert(documentId, password);
    if (m_doc && m_doc->id == documentId)
        load(documentId, m_doc, std::nullopt);
}

void DocumentViewer::clearDocument()
{
    ++m_request;
    m_doc.reset();
    m_pendingPassage.reset();
    m_content.clear();
    m_loading = false;
    m_textMode = false;
    m_highlightPage = 0;
    m_highlight.clear();
    m_cache->setRenderer(0, nullptr);
    m_rendererFor.clear();
    m_passage.reset();
    m_pages->clear();
    m_text->clearPages();
    m_title->clear();
    showMessage(tr("No document open"),
                tr("Select a document in the library to read it here, or click a source such as [S1] in an answer to "
                   "see the passage it quotes, highlighted on its page."),
                false, false);
    updateNavigation();
}

void DocumentViewer::showDocument(const DocumentRecord &doc)
{
    if (m_loading && m_loadingId == doc.id)
        return; // already on its way (perhaps with a passage to highlight)
    if (m_doc && m_doc->id == doc.id && m_doc->status == doc.status && m_doc->storedPages == doc.storedPages)
        return;
    load(doc.id, doc, std::nullopt);
}

void DocumentViewer::refreshDocument(qint64 documentId)
{
    // A load in flight may have read the pages before they changed: this one supersedes it (and
    // keeps the passage it was to show).
    if (m_doc && m_doc->id == documentId)
        load(documentId, m_doc, std::nullopt);
    else if (m_loading && m_loadingId == documentId)
        load(documentId, std::nullopt, std::nullopt);
}

void DocumentViewer::showPassage(const PassageTarget &target)
{
    if (m_doc && m_doc->id == target.documentId && !m_loading) {
        applyPassage(target);
        return;
    }
    load(target.documentId, std::nullopt, target);
}

void DocumentViewer::load(qint64 documentId, std::optional<DocumentRecord> known, std::optional<PassageTarget> then)
{
    const quint64 request = ++m_request;
    if (then)
        m_pendingPassage = then;
    else if (m_pendingPassage && m_pendingPassage->documentId != documentId)
        m_pendingPassage.reset();
    m_loading = true;
    m_loadingId = documentId;
    if (!m_doc || m_doc->id != documentId) {
        m_title->setText(known ? known->name : tr("Opening…"));
        m_matches.clear();
        m_findBar->setCountText({});
    }
    m_reader->load(documentId, this, [this, request](const LoadedDocument &loaded) {
        if (request != m_request)
            return; // the analyst moved on, or a newer load of the same document supersedes this one
        m_loading = false;
        const bool reload = m_doc && loaded.doc && m_doc->id == loaded.doc->id;
        apply(loaded);
        if (m_pendingPassage && m_doc && m_pendingPassage->documentId == m_doc->id)
            applyPassage(*std::exchange(m_pendingPassage, std::nullopt));
        else if (reload && m_passage)
            applyPassage(*m_passage, false); // the pages were read again: find the passage in them
        if (m_doc)
            Q_EMIT documentLoaded(m_doc->id);
    });
}

void DocumentViewer::apply(const LoadedDocument &loaded)
{
    if (!loaded.doc) {
        clearDocument();
        showMessage(tr("Document not found"), tr("It is no longer in the library."), false, false);
        return;
    }
    const bool sameDocument = m_doc && m_doc->id == loaded.doc->id;
    m_doc = loaded.doc;
    m_content = loaded.pages;
    m_title->setText(m_doc->name);
    m_title->setToolTip(m_doc->originalPath);
    setNotice({});
    if (!sameDocument) {
        m_passage.reset();
        m_highlightPage = 0;
        m_highlight.clear();
        m_pages->setHighlight(0, {});
        m_pages->setFindMatches({});
        m_pages->setCurrentMatch(0, {});
    }

    if (m_doc->status == DocumentStatus::Failed) {
        const bool password = m_doc->errorKind == QLatin1String("password-required");
        showMessage(tr("%1 could not be read").arg(m_doc->name), m_doc->error, !password, password);
        return;
    }
    if (m_content.isEmpty()) {
        const bool reading = m_doc->status != DocumentStatus::Ready;
        showMessage(reading ? tr("Reading %1…").arg(m_doc->name) : tr("%1 has no pages").arg(m_doc->name),
                    reading ? tr("Its pages appear here once they are read.") : m_doc->error, false, false);
        return;
    }
    const DocumentType type = typeOf(m_doc->type);
    if (!PageRenderer::hasPageImages(type)) {
        showText({});
    } else {
        m_textMode = false;
        // A new renderer for another document, or for this one with a password now.
        const QString rendererFor = QString::number(m_doc->id) + QLatin1Char('/') + m_passwords.value(m_doc->id);
        if (rendererFor != m_rendererFor) {
            m_rendererFor = rendererFor;
            m_cache->setRenderer(m_doc->id, std::make_shared<PageRenderer>(loaded.path, type, m_passwords.value(m_doc->id)));
        }
        const int oldPage = sameDocument ? m_pages->currentPage() : 0;
        m_pages->setPages(m_content, m_doc->pageCount);
        m_stack->setCurrentWidget(m_pages);
        if (!sameDocument)
            m_pages->goToPage(1);
        else if (oldPage > 0)
            m_pages->goToPage(oldPage);
    }
    if (m_doc->status != DocumentStatus::Ready)
        setNotice(tr("Still reading this document: %1 of %2 pages so far.").arg(m_content.size()).arg(m_doc->pageCount));
    else if (!m_doc->error.isEmpty())
        setNotice(m_doc->error);
    if (!m_findBar->text().isEmpty() && m_findBar->isVisible())
        runFind();
    updateNavigation();
}

void DocumentViewer::showText(const QString &notice)
{
    m_textMode = true;
    m_text->setPages(m_content);
    m_stack->setCurrentWidget(m_text);
    setNotice(notice, !notice.isEmpty());
    if (m_passage)
        m_text->setHighlight(m_passage->page, m_passage->charStart, m_passage->charEnd);
    updateNavigation();
}

void DocumentViewer::setNotice(const QString &text, bool unlock)
{
    m_notice->setText(text);
    m_unlock->setVisible(unlock);
    m_noticeBar->setVisible(!text.isEmpty());
}

void DocumentViewer::showMessage(const QString &title, const QString &text, bool retry, bool password)
{
    m_textMode = false;
    m_message->setMessage(title, text, retry, password);
    m_stack->setCurrentWidget(m_message);
    updateNavigation();
}

void DocumentViewer::applyPassage(const PassageTarget &cited, bool scroll)
{
    PassageTarget target = cited;
    bool gone = false;
    if (!target.quote.trimmed().isEmpty() && !m_content.isEmpty()) {
        const FindMatch recorded{target.page, target.charStart, target.charEnd - target.charStart};
        if (const auto now = locateQuote(m_content, recorded, target.quote)) {
            if (now->page != recorded.page || now->start != recorded.start || now->length != recorded.length) {
                // Read again since the citation was made: the recorded words and boxes are stale.
                target.page = now->page;
                target.charStart = now->start;
                target.charEnd = now->start + now->length;
                target.firstWord = 0;
                target.wordCount = 0;
                target.boxes.clear();
            }
        } else {
            gone = true;
            target.charStart = target.charEnd = 0;
            target.firstWord = target.wordCount = 0;
            target.boxes.clear();
        }
    }
    const QString staleNotice = tr("The cited text is no longer in this document: it was read again after the answer "
                                   "was written. Showing the page it was on.");
    if (gone)
        setNotice(staleNotice);
    else if (m_notice->text() == staleNotice)
        setNotice({});

    const PageContent *page = nullptr;
    for (const PageContent &p : std::as_const(m_content)) {
        if (p.number == target.page)
            page = &p;
    }
    QList<QRectF> rects = target.boxes;
    if (rects.isEmpty() && page && target.wordCount > 0)
        rects = wordRectsForRange(*page, target.firstWord, target.wordCount);
    if (rects.isEmpty() && page)
        rects = wordRectsForSpan(*page, target.charStart, target.charEnd);
    m_passage = target;
    m_highlightPage = target.page;
    m_highlight = rects;
    if (m_textMode) {
        m_text->setHighlight(target.page, target.charStart, target.charEnd);
    } else if (m_stack->currentWidget() == m_pages) {
        m_pages->setHighlight(target.page, rects);
        double top = -1;
        for (const QRectF &r : std::as_const(rects))
            top = top < 0 ? r.top() : std::min(top, r.top());
        if (scroll)
            m_pages->goToPage(target.page, top);
    }
    updateNavigation();
    Q_EMIT passageShown();
}

void DocumentViewer::updateNavigation()
{
    const bool paged = m_stack->currentWidget() != m_message;
    const int count = paged ? pageCount() : 0;
    m_pageSpin->blockSignals(true);
    m_pageSpin->setRange(count > 0 ? 1 : 0, std::max(count, 0));
    m_pageSpin->setValue(paged ? currentPage() : 0);
    m_pageSpin->setEnabled(count > 1);
    m_pageSpin->blockSignals(false);
    m_pageTotal->setText(count > 0 ? tr("of %1").arg(count) : QString());
    const bool images = isShowingImages();
    updateZoomBox();
    for (QWidget *w : {static_cast<QWidget *>(m_zoom), static_cast<QWidget *>(m_fitWidth), static_cast<QWidget *>(m_fitPage)})
        w->setEnabled(images);
}

void DocumentViewer::updateZoomBox()
{
    m_zoom->lineEdit()->setText(m_pages->pageCount() > 0 ? QStringLiteral("%1%").arg(qRound(m_pages->zoomPercent())) : QString());
    m_fitWidth->defaultAction()->setChecked(m_pages->zoomMode() == PageView::ZoomMode::FitWidth);
    m_fitPage->defaultAction()->setChecked(m_pages->zoomMode() == PageView::ZoomMode::FitPage);
}

} // namespace docsight
