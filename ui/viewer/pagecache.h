#pragma once

#include "ingest/loader.h"
#include "util/canceltoken.h"

#include <memory>

#include <QCache>
#include <QHash>
#include <QImage>
#include <QObject>
#include <QSet>
#include <QThreadPool>

namespace docsight {

class PageRenderer;

// Rendered pages of the document in the viewer: a small LRU cache in front of PageRenderer, which runs
// on a private one-thread pool so renders never queue behind imports. Requests for pages that scrolled
// out of view are cancelled; a stale result (another document, another zoom) is dropped.
class PageCache final : public QObject
{
    Q_OBJECT

public:
    explicit PageCache(QObject *parent = nullptr);
    ~PageCache() override;
    Q_DISABLE_COPY_MOVE(PageCache)

    // The document pages now come from; pending renders of the previous one are cancelled.
    void setRenderer(qint64 documentId, std::shared_ptr<PageRenderer> renderer);
    void clear();

    // The render of `page` exactly `width` device pixels wide, or a null image.
    QImage image(int page, int width) const;
    // The widest render of `page` at any width (a blurry stand-in while the sharp one is drawn).
    QImage bestAvailable(int page) const;
    // Renders the page unless it is cached or on its way.
    void request(int page, int width);
    // Cancels pending renders of pages not in `keep`.
    void retainOnly(const QSet<int> &keep);
    int pendingCount() const { return static_cast<int>(m_pending.size()); }

    static constexpr int kMaxCostKb = 192 * 1024;

Q_SIGNALS:
    void rendered(int page);
    void failed(int page, int errorKind, const QString &message);

private:
    QString key(int page, int width) const;

    qint64 m_documentId = 0;
    std::shared_ptr<PageRenderer> m_renderer;
    QCache<QString, QImage> m_cache;
    QHash<int, QSet<int>> m_widths;          // page -> widths cached (may name evicted entries)
    QHash<QString, CancelToken> m_pending;   // key -> cancel
    QThreadPool m_pool;
    quint64 m_generation = 0;
};

} // namespace docsight
