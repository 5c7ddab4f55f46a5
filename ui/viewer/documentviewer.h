#pragma once

#include "model/passagelocation.h"
#include "store/documentstore.h"
#include "viewer/documentfind.h"

#include <memory>
#include <optional>

#include <QHash>
#include <QWidget>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QToolButton;

namespace docsight {

class DocumentReader;
class FindBar;
struct LoadedDocument;
class MessagePanel;
class PageCache;
class PageView;
class TextPagesView;

// What a citation asks the viewer to show.
struct PassageTarget : PassageLocation {
    QList<QRectF> boxes;  // page-normalised; computed from the words when empty
    QString quote;        // the cited text; when the page no longer reads it at the span (the
                          // document was read again), the viewer looks for it instead
};

// The document viewer: page images (rendered off the GUI thread, cached) in a continuous scroll with
// zoom, page navigation, rubber-band text selection and copy, find in document, and the highlighted
// passage a citation points at. Word and text files, and PDFs whose pages cannot be drawn, show their
// stored text instead. A document that failed to import shows the reason with a retry in place.
class DocumentViewer final : public QWidget
{
    Q_OBJECT

public:
    explicit DocumentViewer(std::shared_ptr<DocumentStore> store, QWidget *parent = nullptr);
    ~DocumentViewer() override;

    void showDocument(const DocumentRecord &doc);
    // Re-reads the document's pages if it is the one shown (its import progressed or finished).
    void refreshDocument(qint64 documentId);
    void showPassage(const PassageTarget &target);
    void clearDocument();
    // Passwords entered this session, so encrypted PDFs can be drawn. Kept in memory only.
    void setPassword(qint64 documentId, const QString &password);

    qint64 documentId() const;
    int currentPage() const;
    int pageCount() const;
    bool isShowingImages() const;
    int highlightPage() const;
    QList<QRectF> highlightRects() const;  // page-normalised
    QString highlightedText() const;       // the page text the highlighted passage covers
    QString noticeText() const;            // the note above the pages; empty when none is shown
    bool isLoading() const { return m_loading; }
    bool hasPendingRenders() const;
    QString selectedText() const;
    PageView *pageView() const { return m_pages; }
    QList<QAction *> viewerActions() const;

    void startFind();
    void findNext();
    void findPrevious();

Q_SIGNALS:
    void documentLoaded(qint64 documentId);
    void retryRequested(qint64 documentId);
    void passwordRequested(qint64 documentId);
    void passageShown();

private:
    void createWidgets();
    void load(qint64 documentId, std::optional<DocumentRecord> known, std::optional<PassageTarget> then);
    void apply(const LoadedDocument &loaded);
    void applyPassage(const PassageTarget &target, bool scroll = true);
    void showMessage(const QString &title, const QString &text, bool retry, bool password);
    void showText(const QString &notice);
    void setNotice(const QString &text, bool unlock = false);
    void updateNavigation();
    void updateZoomBox();
    void runFind();
    void showMatch();
    void copySelection();

    DocumentReader *m_reader = nullptr;
    PageCache *m_cache = nullptr;
    PageView *m_pages = nullptr;
    TextPagesView *m_text = nullptr;
    QStackedWidget *m_stack = nullptr;
    MessagePanel *m_message = nullptr;
    QWidget *m_noticeBar = nullptr;
    QLabel *m_notice = nullptr;
    QPushButton *m_unlock = nullptr;
    QLabel *m_title = nullptr;
    QSpinBox *m_pageSpin = nullptr;
    QLabel *m_pageTotal = nullptr;
    QComboBox *m_zoom = nullptr;
    QToolButton *m_fitWidth = nullptr;
    QToolButton *m_fitPage = nullptr;
    FindBar *m_findBar = nullptr;
    QList<QAction *> m_actions;
    QAction *m_copy = nullptr;

    std::optional<DocumentRecord> m_doc;
    QList<PageContent> m_content;
    QHash<qint64, QString> m_passwords;
    QList<FindMatch> m_matches;
    int m_matchIndex = -1;
    quint64 m_request = 0;
    quint64 m_findRequest = 0;
    bool m_loading = false;
    qint64 m_loadingId = 0;
    bool m_textMode = false;
    int m_highlightPage = 0;
    QList<QRectF> m_highlight;
    std::optional<PassageTarget> m_passage;
    std::optional<PassageTarget> m_pendingPassage; // to show once the document being loaded is in
    QString m_rendererFor;          // document id and password the page renderer was made for
};

} // namespace docsight
