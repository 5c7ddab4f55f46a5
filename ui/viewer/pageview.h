#pragma once

#include "model/pagecontent.h"

#include <QAbstractScrollArea>
#include <QHash>
#include <QList>
#include <QRectF>

namespace docsight {

class PageCache;

// Pages of one document in a continuous vertical scroll, drawn from PageCache (rendered off the GUI
// thread at the current zoom and device pixel ratio), with overlays in page-normalised coordinates:
// find matches, the current match, a cited passage, and a rubber-band word selection whose text comes
// from the word boxes.
class PageView final : public QAbstractScrollArea
{
    Q_OBJECT

public:
    enum class ZoomMode { FitWidth, FitPage, Custom };

    explicit PageView(PageCache *cache, QWidget *parent = nullptr);

    // pages: what the library holds (text, word boxes, sizes); pageCount may be larger while importing.
    void setPages(const QList<PageContent> &pages, int pageCount);
    void clear();
    int pageCount() const { return static_cast<int>(m_pages.size()); }
    const PageContent &page(int number) const { return m_pages.at(number - 1); }

    void setZoom(ZoomMode mode, double percent = 100.0);
    void zoomBy(double factor);
    ZoomMode zoomMode() const { return m_zoomMode; }
    double zoomPercent() const;

    int currentPage() const { return m_currentPage; }
    // Scrolls so that y (0..1 down the page) sits a third of the way down the view.
    void goToPage(int number, double y = -1.0);

    void setHighlight(int page, const QList<QRectF> &rects);
    int highlightPage() const { return m_highlightPage; }
    QList<QRectF> highlightRects() const { return m_highlight; }

    void setFindMatches(const QHash<int, QList<QRectF>> &matches);
    void setCurrentMatch(int page, const QList<QRectF> &rects);

    bool hasSelection() const { return !m_selection.isEmpty(); }
    QString selectedText() const;
    void clearSelection();
    // Selects the words whose boxes meet `rect` (page-normalised) on page `number`: what a rubber band does.
    void selectWords(int number, const QRectF &rect);

Q_SIGNALS:
    void currentPageChanged(int page);
    void zoomChanged();
    void selectionChanged(bool hasSelection);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void relayout();
    QRectF pageRectInView(int index) const;     // in viewport pixels
    int pageAt(const QPointF &viewPos) const;   // 0-based index, -1 in a gap
    void updateCurrentPage();
    void requestVisible();
    void updateSelection();
    void paintOverlay(QPainter &p, const QRectF &page, const QList<QRectF> &rects, const QColor &fill,
                      const QColor &border) const;

    PageCache *m_cache = nullptr;
    QList<PageContent> m_pages;
    QList<bool> m_stored;            // whether the library holds the page yet
    QList<QRectF> m_layout;          // page rects in content pixels
    QSizeF m_contentSize;
    double m_scale = 1.0;            // device-independent pixels per point
    double m_customPercent = 100.0;
    ZoomMode m_zoomMode = ZoomMode::FitWidth;
    int m_currentPage = 0;
    bool m_programmaticScroll = false;

    int m_highlightPage = 0;
    QList<QRectF> m_highlight;
    QHash<int, QList<QRectF>> m_matches;
    int m_currentMatchPage = 0;
    QList<QRectF> m_currentMatch;

    QPoint m_pressPos;               // content pixels
    QRect m_band;                    // content pixels, while dragging
    bool m_dragging = false;
    QHash<int, QList<int>> m_selection; // page -> indexes into its words, in order
};

} // namespace docsight
