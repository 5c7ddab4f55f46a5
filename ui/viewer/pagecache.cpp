#include "viewer/pagecache.h"

#include "common/async.h"

#include "ingest/pagerenderer.h"

namespace docsight {

PageCache::PageCache(QObject *parent) : QObject(parent)
{
    m_cache.setMaxCost(kMaxCostKb);
    m_pool.setMaxThreadCount(1);
    m_pool.setExpiryTimeout(-1);
}

PageCache::~PageCache()
{
    for (const CancelToken &token : std::as_const(m_pending))
        token.cancel();
    m_pool.waitForDone();
}

QString PageCache::key(int page, int width) const
{
    return QStringLiteral("%1/%2/%3").arg(m_documentId).arg(page).arg(width);
}

void PageCache::setRenderer(qint64 documentId, std::shared_ptr<PageRenderer> renderer)
{
    if (documentId == m_documentId && renderer == m_renderer)
        return;
    clear();
    m_documentId = documentId;
    m_renderer = std::move(renderer);
}

void PageCache::clear()
{
    for (const CancelToken &token : std::as_const(m_pending))
        token.cancel();
    m_pending.clear();
    m_cache.clear();
    m_widths.clear();
    ++m_generation;
}

QImage PageCache::image(int page, int width) const
{
    const QImage *img = m_cache.object(key(page, width));
    return img ? *img : QImage();
}

QImage PageCache::bestAvailable(int page) const
{
    QImage best;
    const QSet<int> widths = m_widths.value(page);
    for (const int w : widths) {
        if (const QImage *img = m_cache.object(key(page, w)); img && img->width() > best.width())
            best = *img;
    }
    return best;
}

void PageCache::request(int page, int width)
{
    if (!m_renderer)
        return;
    const QString k = key(page, width);
    if (m_pending.contains(k) || m_cache.contains(k))
        return;
    CancelToken cancel;
    m_pending.insert(k, cancel);
    // Later requests are for what the analyst looks at now: they go first.
    static int priority = 0;
    runAsync(
        &m_pool, this, [renderer = m_renderer, page, width, cancel] { return renderer->render(page, width, cancel); },
        [this, k, page, width, generation = m_generation](const RenderedPage &r) {
            if (generation != m_generation)
                return;
            m_pending.remove(k);
            if (r.error.kind == LoadError::Kind::Cancelled)
                return;
            if (r.error.isError() || r.image.isNull()) {
                Q_EMIT failed(page, static_cast<int>(r.error.kind), r.error.message);
                return;
            }
            const int costKb = static_cast<int>(std::max<qsizetype>(1, r.image.sizeInBytes() / 1024));
            m_cache.insert(k, new QImage(r.image), costKb);
            m_widths[page].insert(width);
            Q_EMIT rendered(page);
        },
        ++priority);
}

void PageCache::retainOnly(const QSet<int> &keep)
{
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        const int page = it.key().section(QLatin1Char('/'), 1, 1).toInt();
        if (!keep.contains(page)) {
            it.value().cancel();
            it = m_pending.erase(it);
        } else {
            ++it;
        }
    }
}

} // namespace docsight
