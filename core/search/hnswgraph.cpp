// The hnswlib wrapper: building, loading, saving and searching the graph, and its live-entry map.
#include "search/hnswgraph.h"

#include <algorithm>
#include <queue>
#include <stdexcept>
#include <type_traits>

#include <hnswlib/hnswlib.h>

#include <QFile>
#include <QSet>
#include <QtConcurrent/QtConcurrentMap>

namespace docsight {

using Hnsw = hnswlib::HierarchicalNSW<float>;
static_assert(std::is_same_v<hnswlib::tableint, quint32>, "the live map stores internal ids as quint32");

struct HnswGraph::Engine {
    std::unique_ptr<hnswlib::InnerProductSpace> space; // outlives hnsw, which points into it
    std::unique_ptr<Hnsw> hnsw;

    float similarity(const float *query, hnswlib::tableint internal) const
    {
        // hnswlib's inner-product "distance" is 1 - dot.
        return 1.0f - space->get_dist_func()(query, hnsw->getDataByInternalId(internal), space->get_dist_func_param());
    }
};

HnswGraph::HnswGraph(int dimensions)
    : m_engine(std::make_unique<Engine>())
    , m_dimensions(dimensions)
{
    m_engine->space = std::make_unique<hnswlib::InnerProductSpace>(static_cast<size_t>(dimensions));
}

HnswGraph::HnswGraph(int dimensions, size_t capacity, int m, int efConstruction)
    : HnswGraph(dimensions)
{
    m_engine->hnsw = std::make_unique<Hnsw>(m_engine->space.get(), capacity, static_cast<size_t>(m),
                                            static_cast<size_t>(efConstruction));
}

HnswGraph::~HnswGraph() = default;

std::unique_ptr<HnswGraph> HnswGraph::load(const QString &path, int dimensions, size_t elements, QString *reason)
{
    std::unique_ptr<HnswGraph> loaded(new HnswGraph(dimensions));
    try {
        loaded->m_engine->hnsw = std::make_unique<Hnsw>(loaded->m_engine->space.get(), QFile::encodeName(path).toStdString(),
                                                        false, elements + elements / 4 + 1024);
    } catch (const std::exception &e) {
        *reason = QStringLiteral("corrupt: %1").arg(QString::fromLocal8Bit(e.what()));
        return nullptr;
    }
    Hnsw &h = *loaded->m_engine->hnsw;
    if (h.cur_element_count != elements
        || h.size_data_per_element_ != h.size_links_level0_ + static_cast<size_t>(dimensions) * sizeof(float) + sizeof(hnswlib::labeltype)) {
        *reason = QStringLiteral("corrupt: the index layout does not match its manifest");
        return nullptr;
    }
    // hnswlib 0.6.2 leaves its deleted counter uninitialised when loading; count it ourselves.
    h.num_deleted_ = 0;
    for (hnswlib::tableint i = 0; i < h.cur_element_count; ++i) {
        if (h.isMarkedDeleted(i)) {
            ++h.num_deleted_;
            continue;
        }
        const hnswlib::labeltype label = h.getExternalLabel(i);
        loaded->m_live.insert(ChunkKey::chunkIdOf(label), {label, i});
    }
    return loaded;
}

int HnswGraph::deleted() const
{
    return static_cast<int>(m_engine->hnsw->cur_element_count) - static_cast<int>(m_live.size());
}

qint64 HnswGraph::elements() const
{
    return static_cast<qint64>(m_engine->hnsw->cur_element_count);
}

qint64 HnswGraph::m() const
{
    return static_cast<qint64>(m_engine->hnsw->M_);
}

qint64 HnswGraph::efConstruction() const
{
    return static_cast<qint64>(m_engine->hnsw->ef_construction_);
}

std::vector<quint64> HnswGraph::liveLabels() const
{
    std::vector<quint64> labels;
    labels.reserve(static_cast<size_t>(m_live.size()));
    for (auto it = m_live.cbegin(); it != m_live.cend(); ++it)
        labels.push_back(it->first);
    return labels;
}

QList<qint64> HnswGraph::staleAgainst(const QHash<qint64, quint64> &wanted) const
{
    QList<qint64> stale;
    for (auto it = m_live.cbegin(); it != m_live.cend(); ++it) {
        if (wanted.value(it.key()) != it->first)
            stale.append(it.key());
    }
    return stale;
}

void HnswGraph::ensureCapacity(size_t extra)
{
    Hnsw &h = *m_engine->hnsw;
    const size_t needed = h.cur_element_count + extra;
    if (needed > h.max_elements_)
        h.resizeIndex(std::max(needed, h.max_elements_ + h.max_elements_ / 2));
}

void HnswGraph::remove(qint64 chunkId)
{
    const auto it = m_live.constFind(chunkId);
    if (it == m_live.cend())
        return;
    m_engine->hnsw->markDelete(it->first);
    m_live.erase(it);
}

void HnswGraph::add(const ChunkKey &key, const std::vector<float> &vector)
{
    const auto it = m_live.constFind(key.chunkId);
    if (it != m_live.cend() && it->first != key.label())
        remove(key.chunkId); // the id now names another chunk (SQLite reused it)
    const hnswlib::tableint internal = m_engine->hnsw->addPoint(vector.data(), key.label(), -1);
    m_live.insert(key.chunkId, {key.label(), internal});
}

void HnswGraph::addBatch(const std::vector<std::pair<ChunkKey, std::vector<float>>> &batch, bool parallel)
{
    ensureCapacity(batch.size());
    Hnsw &h = *m_engine->hnsw;
    if (parallel) {
        QtConcurrent::blockingMap(batch, [&](const std::pair<ChunkKey, std::vector<float>> &item) {
            h.addPoint(item.second.data(), item.first.label(), -1);
        });
    } else {
        for (const auto &item : batch)
            h.addPoint(item.second.data(), item.first.label(), -1);
    }
}

void HnswGraph::indexLive()
{
    const Hnsw &h = *m_engine->hnsw;
    for (hnswlib::tableint i = 0; i < h.cur_element_count; ++i) {
        const hnswlib::labeltype label = h.getExternalLabel(i);
        m_live.insert(ChunkKey::chunkIdOf(label), {label, i});
    }
}

void HnswGraph::setEf(size_t ef)
{
    m_engine->hnsw->setEf(ef);
}

bool HnswGraph::save(const QString &path, QString *error) const
{
    try {
        m_engine->hnsw->saveIndex(QFile::encodeName(path).toStdString());
    } catch (const std::exception &e) {
        if (error)
            *error = QString::fromLocal8Bit(e.what());
        return false;
    }
    return true;
}

std::vector<std::pair<float, quint64>> HnswGraph::searchKnn(const float *query, size_t k) const
{
    std::priority_queue<std::pair<float, hnswlib::labeltype>> found = m_engine->hnsw->searchKnn(query, k);
    std::vector<std::pair<float, quint64>> nearest;
    nearest.reserve(found.size());
    while (!found.empty()) {
        nearest.emplace_back(found.top().first, found.top().second);
        found.pop();
    }
    std::reverse(nearest.begin(), nearest.end());
    return nearest;
}

std::vector<std::pair<float, qint64>> HnswGraph::similarities(const float *query, const QList<qint64> *candidates) const
{
    std::vector<std::pair<float, qint64>> scored;
    if (candidates) {
        scored.reserve(static_cast<size_t>(candidates->size()));
        QSet<qint64> seen;
        for (const qint64 id : *candidates) {
            const auto it = m_live.constFind(id);
            if (it == m_live.cend() || seen.contains(id))
                continue;
            seen.insert(id);
            scored.emplace_back(m_engine->similarity(query, it->second), id);
        }
    } else {
        const Hnsw &h = *m_engine->hnsw;
        scored.reserve(static_cast<size_t>(m_live.size()));
        for (hnswlib::tableint i = 0; i < h.cur_element_count; ++i) {
            if (!h.isMarkedDeleted(i))
                scored.emplace_back(m_engine->similarity(query, i), ChunkKey::chunkIdOf(h.getExternalLabel(i)));
        }
    }
    return scored;
}

std::vector<float> HnswGraph::vectorOf(qint64 chunkId) const
{
    const auto it = m_live.constFind(chunkId);
    if (it == m_live.cend())
        return {};
    const auto *data = reinterpret_cast<const float *>(m_engine->hnsw->getDataByInternalId(it->second));
    return std::vector<float>(data, data + m_dimensions);
}

} // namespace docsight
