#include "viewer/pageview.h"

#include "viewer/pagecache.h"

#include <algorithm>
#include <cmath>

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>

namespace docsight {
namespace {

constexpr int kMargin = 16;
constexpr int kGap = 12;
constexpr double kPointsToPixels = 96.0 / 72.0; // 100 % is the page's real size on a 96 dpi screen
constexpr double kMinPercent = 10;
constexpr double kMaxPercent = 800;
const QSizeF kA4(595.28, 841.89);

QRectF mapToPage(const QRectF &normalised, const QRectF &page)
{
    return QRectF(page.x() + normalised.x() * page.width(), page.y() + normalised.y() * page.height(),
                  normalised.width() * page.width(), normalised.height() * page.height());
}

// Word boxes of one passage joined into one box per line, so a highlight reads as marked-up text rather
// than a row of separate boxes.
QList<QRectF> joinLines(const QList<QRectF> &words)
{
    QList<QRectF> out;
    for (const QRectF &w : words) {
        if (!out.isEmpty()) {
            QRectF &last = out.last();
            const double overlap = std::min(last.bottom(), w.bottom()) - std::max(last.top(), w.top());
            const double height = std::min(last.height(), w.height());
            if (overlap > 0.5 * height && w.left() >= last.left() && w.left() - last.right() < 2.5 * height) {
                last = last.united(w);
                continue;
            }
        }
        out.append(w);
    }
    return out;
}

} // namespace

PageView::PageView(PageCache *cache, QWidget *parent)
    : QAbstractScrollArea(parent)
    , m_cache(cache)
{
    setFrameShape(QFrame::NoFrame);
    viewport()->setCursor(Qt::IBeamCursor);
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
    setFocusPolicy(Qt::StrongFocus);
    verticalScrollBar()->setSingleStep(40);
    horizontalScrollBar()->setSingleStep(40);
    connect(m_cache, &PageCache::rendered, viewport(), qOverload<>(&QWidget::update));
}

void PageView::setPages(const QList<PageContent> &pages, int pageCount)
{
    const int count = std::max<int>(pageCount, static_cast<int>(pages.size()));
    m_pages.clear();
    m_stored.clear();
    // Pages not read yet take the size of the nearest page before them (or A4) until they arrive.
    QSizeF last = kA4;
    for (const PageContent &p : pages) {
        if (!p.sizePoints.isEmpty()) {
            last = p.sizePoints;
            break;
        }
    }
    QHash<int, int> byNumber;
    for (int i = 0; i < pages.size(); ++i)
        byNumber.insert(pages.at(i).number, i);
    for (int n = 1; n <= count; ++n) {
        const auto it = byNumber.constFind(n);
        PageContent p = it != byNumber.cend() ? pages.at(*it) : PageContent{};
        p.number = n;
        if (p.sizePoints.isEmpty())
            p.sizePoints = last;
        last = p.sizePoints;
        m_pages.append(p);
        m_stored.append(it != byNumber.cend());
    }
    clearSelection();
    relayout();
    updateCurrentPage();
    requestVisible();
    viewport()->update();
}

void PageView::clear()
{
    m_pages.clear();
    m_stored.clear();
    m_layout.clear();
    m_highlight.clear();
    m_highlightPage = 0;
    m_matches.clear();
    m_currentMatch.clear();
    m_currentPage = 0;
    clearSelection();
    relayout();
    viewport()->update();
}

double PageView::zoomPercent() const
{
    return m_scale / kPointsToPixels * 100.0;
}

void PageView::setZoom(ZoomMode mode, double percent)
{
    m_zoomMode = mode;
    if (mode == ZoomMode::Custom)
        m_customPercent = std::clamp(percent, kMinPercent, kMaxPercent);
    relayout();
    requestVisible();
    viewport()->update();
    Q_EMIT zoomChanged();
}

void PageView::zoomBy(double factor)
{
    setZoom(ZoomMode::Custom, zoomPercent() * factor);
}

void PageView::relayout()
{
    // Keep what is at the top of the view there across the change.
    const int anchorIndex = pageAt(QPointF(viewport()->width() / 2.0, 0));
    double anchorFraction = 0;
    if (anchorIndex >= 0 && anchorIndex < m_layout.size()) {
        const QRectF r = m_layout.at(anchorIndex);
        anchorFraction = (verticalScrollBar()->value() - r.top()) / std::max(1.0, r.height());
    }

    const double viewW = std::max(50, viewport()->width());
    const double viewH = std::max(50, viewport()->height());
    double maxW = 1, maxH = 1;
    for (const PageContent &p : std::as_const(m_pages)) {
        maxW = std::max(maxW, p.sizePoints.width());
        maxH = std::max(maxH, p.sizePoints.height());
    }
    const double fitWidth = (viewW - 2 * kMargin) / maxW;
    switch (m_zoomMode) {
    case ZoomMode::FitWidth: m_scale = fitWidth; break;
    case ZoomMode::FitPage: m_scale = std::min(fitWidth, (viewH - 2 * kMargin) / maxH); break;
    case ZoomMode::Custom: m_scale = m_customPercent / 100.0 * kPointsToPixels; break;
    }
    m_scale = std::clamp(m_scale, kMinPercent / 100.0 * kPointsToPixels, kMaxPercent / 100.0 * kPointsToPixels);

    const double contentW = std::max(viewW, maxW * m_scale + 2 * kMargin);
    m_layout.clear();
    double y = kMargin;
    for (const PageContent &p : std::as_const(m_pages)) {
        const double w = std::round(p.sizePoints.width() * m_scale);
        const double h = std::round(p.sizePoints.height() * m_scale);
        m_layout.append(QRectF(std::round((contentW - w) / 2), y, w, h));
        y += h + kGap;
    }
    m_contentSize = QSizeF(contentW, m_pages.isEmpty() ? 0 : y - kGap + kMargin);

    m_programmaticScroll = true;
    horizontalScrollBar()->setRange(0, std::max(0, qRound(m_contentSize.width() - viewW)));
    horizontalScrollBar()->setPageStep(qRound(viewW));
    verticalScrollBar()->setRange(0, std::max(0, qRound(m_contentSize.height() - viewH)));
    verticalScrollBar()->setPageStep(qRound(viewH * 0.9));
    if (anchorIndex >= 0 && anchorIndex < m_layout.size()) {
        const QRectF r = m_layout.at(anchorIndex);
        verticalScrollBar()->setValue(qRound(r.top() + anchorFraction * r.height()));
    }
    m_programmaticScroll = false;
}

QRectF PageView::pageRectInView(int index) const
{
    return m_layout.at(index).translated(-horizontalScrollBar()->value(), -verticalScrollBar()->value());
}

int PageView::pageAt(const QPointF &viewPos) const
{
    const double y = viewPos.y() + verticalScrollBar()->value();
    // Layout is sorted by y: binary search, then the page whose span (with the gap below it) holds y.
    const auto it = std::upper_bound(m_layout.cbegin(), m_layout.cend(), y,
                                     [](double value, const QRectF &r) { return value < r.top(); });
    if (it == m_layout.cbegin())
        return m_layout.isEmpty() ? -1 : 0;
    return static_cast<int>(std::distance(m_layout.cbegin(), it)) - 1;
}

void PageView::goToPage(int number, double y)
{
    if (number < 1 || number > m_layout.size())
        return;
    const QRectF r = m_layout.at(number - 1);
    const double target = y >= 0 ? r.top() + y * r.height() - viewport()->height() / 3.0 : r.top() - kMargin / 2.0;
    m_programmaticScroll = true;
    verticalScrollBar()->setValue(qRound(target));
    if (r.width() > viewport()->width())
        horizontalScrollBar()->setValue(qRound(r.left() + (r.width() - viewport()->width()) / 2));
    m_programmaticScroll = false;
    if (m_currentPage != number) {
        m_currentPage = number;
        Q_EMIT currentPageChanged(number);
    }
    requestVisible();
    viewport()->update();
}

void PageView::updateCurrentPage()
{
    int page = m_layout.isEmpty() ? 0 : pageAt(QPointF(0, viewport()->height() / 3.0)) + 1;
    // At the very end the last pages may never reach the reading line.
    if (!m_layout.isEmpty() && verticalScrollBar()->value() >= verticalScrollBar()->maximum()
        && verticalScrollBar()->maximum() > 0 && pageRectInView(static_cast<int>(m_layout.size()) - 1).top() >= 0)
        page = std::max(page, static_cast<int>(m_layout.size()));
    if (page != m_currentPage) {
        m_currentPage = page;
        Q_EMIT currentPageChanged(page);
    }
}

void PageView::requestVisible()
{
    if (m_layout.isEmpty())
        return;
    const double dpr = devicePixelRatioF();
    const QRectF view(viewport()->rect());
    QSet<int> wanted;
    int first = -1, last = -1;
    for (int i = std::max(0, pageAt(QPointF(0, 0))); i < m_layout.size(); ++i) {
        const QRectF r = pageRectInView(i);
        if (r.top() > view.bottom())
            break;
        if (r.intersects(view)) {
            first = first < 0 ? i : first;
            last = i;
        }
    }
    if (first < 0)
        return;
    // What is visible first, then one page either side so paging feels instant.
    QList<int> order;
    for (int i = first; i <= last; ++i)
        order.append(i);
    if (last + 1 < m_layout.size())
        order.append(last + 1);
    if (first > 0)
        order.append(first - 1);
    for (const int i : order) {
        if (!m_stored.at(i))
            continue;
        wanted.insert(i + 1);
        m_cache->request(i + 1, qRound(m_layout.at(i).width() * dpr));
    }
    m_cache->retainOnly(wanted);
}

void PageView::paintOverlay(QPainter &p, const QRectF &page, const QList<QRectF> &rects, const QColor &fill,
                            const QColor &border) const
{
    p.setPen(border.isValid() ? QPen(border, 1.5) : Qt::NoPen);
    p.setBrush(fill);
    for (const QRectF &r : rects)
        p.drawRoundedRect(mapToPage(r, page).adjusted(-1.5, -1, 1.5, 1), 2, 2);
}

void PageView::paintEvent(QPaintEvent *)
{
    QPainter p(viewport());
    const QPalette pal = palette();
    const bool dark = pal.color(QPalette::Window).lightness() < 128;
    p.fillRect(viewport()->rect(), dark ? pal.color(QPalette::Window).darker(130) : pal.color(QPalette::Window).darker(112));
    if (m_layout.isEmpty())
        return;
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    const double dpr = devicePixelRatioF();
    const QRectF view(viewport()->rect());
    const QColor accent = pal.color(QPalette::Highlight);
    QColor highlightFill(255, 196, 0, 90);
    QColor highlightBorder(230, 140, 0, 230);
    QColor selectionFill = accent;
    selectionFill.setAlpha(80);

    for (int i = std::max(0, pageAt(QPointF(0, 0))); i < m_layout.size(); ++i) {
        const QRectF r = pageRectInView(i);
        if (r.top() > view.bottom())
            break;
        if (!r.intersects(view))
            continue;
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(0, 0, 0, dark ? 90 : 35));
        p.drawRect(r.adjusted(-1, -1, 2, 3));
        p.fillRect(r, Qt::white);
        const int number = i + 1;
        if (!m_stored.at(i)) {
            p.setPen(QColor(120, 120, 120));
            p.drawText(r, Qt::AlignCenter, tr("Page %1 is being read…").arg(number));
            continue;
        }
        QImage img = m_cache->image(number, qRound(r.width() * dpr));
        if (!img.isNull()) {
            img.setDevicePixelRatio(dpr);
            p.drawImage(r.topLeft(), img);
        } else if (const QImage stand = m_cache->bestAvailable(number); !stand.isNull()) {
            p.drawImage(r, stand);
        }
        if (const auto it = m_matches.constFind(number); it != m_matches.cend())
            paintOverlay(p, r, *it, QColor(255, 235, 59, 110), QColor());
        if (m_currentMatchPage == number)
            paintOverlay(p, r, joinLines(m_currentMatch), QColor(255, 152, 0, 120), QColor(230, 100, 0));
        if (m_highlightPage == number)
            paintOverlay(p, r, joinLines(m_highlight), highlightFill, highlightBorder);
        if (const auto sel = m_selection.constFind(number); sel != m_selection.cend()) {
            QList<QRectF> rects;
            for (const int w : *sel)
                rects.append(m_pages.at(i).words.at(w).rect);
            paintOverlay(p, r, rects, selectionFill, QColor());
        }
    }
    if (m_dragging && !m_band.isEmpty()) {
        QColor band = accent;
        band.setAlpha(40);
        p.setPen(QPen(accent, 1, Qt::DashLine));
        p.setBrush(band);
        p.drawRect(m_band.translated(-horizontalScrollBar()->value(), -verticalScrollBar()->value()));
    }
}

void PageView::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    relayout();
    requestVisible();
    if (m_zoomMode != ZoomMode::Custom)
        Q_EMIT zoomChanged();
}

void PageView::scrollContentsBy(int, int)
{
    if (!m_programmaticScroll)
        updateCurrentPage();
    requestVisible();
    viewport()->update();
}

void PageView::setHighlight(int page, const QList<QRectF> &rects)
{
    m_highlightPage = page;
    m_highlight = rects;
    viewport()->update();
}

void PageView::setFindMatches(const QHash<int, QList<QRectF>> &matches)
{
    m_matches = matches;
    viewport()->update();
}

void PageView::setCurrentMatch(int page, const QList<QRectF> &rects)
{
    m_currentMatchPage = page;
    m_currentMatch = rects;
    viewport()->update();
}

void PageView::clearSelection()
{
    const bool had = !m_selection.isEmpty();
    m_selection.clear();
    viewport()->update();
    if (had)
        Q_EMIT selectionChanged(false);
}

void PageView::selectWords(int number, const QRectF &rect)
{
    m_selection.clear();
    if (number >= 1 && number <= m_pages.size()) {
        const QList<WordBox> &words = m_pages.at(number - 1).words;
        for (int w = 0; w < words.size(); ++w) {
            if (words.at(w).rect.intersects(rect))
                m_selection[number].append(w);
        }
    }
    viewport()->update();
    Q_EMIT selectionChanged(hasSelection());
}

void PageView::updateSelection()
{
    m_selection.clear();
    for (int i = 0; i < m_layout.size(); ++i) {
        const QRectF r = m_layout.at(i);
        if (!r.intersects(m_band) || !m_stored.at(i))
            continue;
        const QRectF band((m_band.x() - r.x()) / r.width(), (m_band.y() - r.y()) / r.height(), m_band.width() / r.width(),
                          m_band.height() / r.height());
        const QList<WordBox> &words = m_pages.at(i).words;
        for (int w = 0; w < words.size(); ++w) {
            if (words.at(w).rect.intersects(band))
                m_selection[i + 1].append(w);
        }
    }
}

QString PageView::selectedText() const
{
    QList<int> pages = m_selection.keys();
    std::sort(pages.begin(), pages.end());
    QString out;
    for (const int number : std::as_const(pages)) {
        const PageContent &page = m_pages.at(number - 1);
        if (!out.isEmpty())
            out.append(QLatin1String("\n\n"));
        const WordBox *previous = nullptr;
        for (const int w : m_selection.value(number)) {
            const WordBox &word = page.words.at(w);
            if (previous) {
                // Keep the page's own line breaks between the selected words.
                const qsizetype gapStart = previous->start + previous->length;
                const QStringView gap = QStringView(page.text).mid(gapStart, std::max<qsizetype>(0, word.start - gapStart));
                out.append(gap.contains(QLatin1Char('\n')) ? QLatin1Char('\n') : QLatin1Char(' '));
            }
            out.append(QStringView(page.text).mid(word.start, word.length));
            previous = &word;
        }
    }
    return out;
}

void PageView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QAbstractScrollArea::mousePressEvent(event);
        return;
    }
    m_pressPos = event->position().toPoint() + QPoint(horizontalScrollBar()->value(), verticalScrollBar()->value());
    m_band = QRect();
    m_dragging = true;
    clearSelection();
}

void PageView::mouseMoveEvent(QMouseEvent *event)
{
    if (!m_dragging)
        return;
    const QPoint pos = event->position().toPoint() + QPoint(horizontalScrollBar()->value(), verticalScrollBar()->value());
    m_band = QRect(m_pressPos, pos).normalized();
    updateSelection();
    viewport()->update();
}

void PageView::mouseReleaseEvent(QMouseEvent *event)
{
    if (!m_dragging || event->button() != Qt::LeftButton)
        return;
    m_dragging = false;
    m_band = QRect();
    viewport()->update();
    Q_EMIT selectionChanged(hasSelection());
}

void PageView::wheelEvent(QWheelEvent *event)
{
    if (event->modifiers() & Qt::ControlModifier) {
        const int delta = event->angleDelta().y();
        if (delta != 0)
            zoomBy(delta > 0 ? 1.1 : 1 / 1.1);
        event->accept();
        return;
    }
    QAbstractScrollArea::wheelEvent(event);
}

void PageView::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Home: goToPage(1); return;
    case Qt::Key_End: goToPage(pageCount()); return;
    case Qt::Key_Space:
        verticalScrollBar()->triggerAction(event->modifiers() & Qt::ShiftModifier ? QAbstractSlider::SliderPageStepSub
                                                                                  : QAbstractSlider::SliderPageStepAdd);
        return;
    default: QAbstractScrollArea::keyPressEvent(event);
    }
}

void PageView::changeEvent(QEvent *event)
{
    QAbstractScrollArea::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        viewport()->update();
}

} // namespace docsight
