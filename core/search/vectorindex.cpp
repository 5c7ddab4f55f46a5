#include "search/vectorindex.h"

#include "search/vectormanifest.h"
#include "store/library.h"
#include "util/lockfile.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include <hnswlib/hnswlib.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QLoggingCategory>
#include <QMutexLocker>
#include <QReadLocker>
#include <QSet>
#include <QWriteLocker>
#include <QtConcurrent/QtConcurrentMap>

namespace docsight {

Q_LOGGING_CATEGORY(lcVectorIndex, "docsight.search.vectorindex")

namespace {

constexpr int kBuildBatch = 4096;
constexpr int kParallelBuildAbove = 5000; // below this, build on one thread so the graph is reproducible
constexpr int kRepairAbove = 20000;       // smaller stale indexes are rebuilt rather than patched

using Hnsw = hnswlib::HierarchicalNSW<float>;

QString safeFileName(const QString &id)
{
    QString out = id;
    for (QChar &c : out) {
        if (!(c.isLetterOrNumber() && c.unicode() < 0x80) && c != QLatin1Char('-') && c != QLatin1Char('.')
            && c != QLatin1Char('_'))
            c = QLatin1Char('_');
    }
    return out;
}

// The index file and its manifest change together, and one process at a time: a second import, the
// GUI and a search may all save them. Held only while a pair is written or read.
std::unique_ptr<QLockFile> lockIndexFiles(const QString &path, QString *error)
{
    auto lock = std::make_unique<QLockFile>(path);
    lock->setStaleLockTime(0); // a live owner is saving, however long that takes
    while (!tryLockOwned(*lock, path, 1000)) {
        if (lock->error() != QLockFile::LockFailedError) {
            if (error)
                *error = QStringLiteral("cannot write the lock file %1").arg(QDir::toNativeSeparators(path));
            return nullptr;
        }
    }
    return lock;
}

QList<VectorHit> topHits(std::vector<std::pair<float, qint64>> &scored, int n)
{
    const auto count = std::min<size_t>(scored.size(), static_cast<size_t>(std::max(0, n)));
    std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(count), scored.end(),
                      [](const auto &a, const auto &b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
    QList<VectorHit> hits;
    hits.reserve(static_cast<qsizetype>(count));
    for (size_t i = 0; i < count; ++i)
        hits.append({scored[i].second, scored[i].first});
    return hits;
}

} // namespace

// The hnswlib graph plus the chunk id -> entry map of its live (not deleted) entries.
struct VectorIndex::Graph {
    std::unique_ptr<hnswlib::InnerProductSpace> space; // outlives hnsw, which points into it
    std::unique_ptr<Hnsw> hnsw;
    QHash<qint64, std::pair<quint64, hnswlib::tableint>> live; // chunk id -> (label, internal id)

    explicit Graph(int dimensions) : space(std::make_unique<hnswlib::InnerProductSpace>(static_cast<size_t>(dimensions))) {}

    std::vector<quint64> liveLabels() const
    {
        std::vector<quint64> labels;
        labels.reserve(static_cast<size_t>(live.size()));
        for (auto it = live.cbegin(); it != live.cend(); ++it)
            labels.push_back(it->first);
        return labels;
    }

    int deleted() const { return static_cast<int>(hnsw->cur_element_count) - static_cast<int>(live.size()); }

    void ensureCapacity(size_t extra)
    {
        const size_t needed = hnsw->cur_element_count + extra;
        if (needed > hnsw->max_elements_)
            hnsw->resizeIndex(std::max(needed, hnsw->max_elements_ + hnsw->max_elements_ / 2));
    }

    void remove(qint64 chunkId)
    {
        const auto it = live.constFind(chunkId);
        if (it == live.cend())
            return;
        hnsw->markDelete(it->first);
        live.erase(it);
    }

    void add(const ChunkKey &key, const std::vector<float> &vector)
    {
        const auto it = live.constFind(key.chunkId);
        if (it != live.cend() && it->first != key.label())
            remove(key.chunkId); // the id now names another chunk (SQLite reused it)
        const hnswlib::tableint internal = hnsw->addPoint(vector.data(), key.label(), -1);
        live.insert(key.chunkId, {key.label(), internal});
    }

    float similarity(const float *query, hnswlib::tableint internal) const
    {
        // hnswlib's inner-product "distance" is 1 - dot.
        return 1.0f - space->get_dist_func()(query, hnsw->getDataByInternalId(internal), space->get_dist_func_param());
    }
};

std::shared_ptr<VectorIndex> VectorIndex::forEmbedder(const std::shared_ptr<Library> &library,
                                                      const QString &embedderId, int dimensions)
{
    static QMutex mutex;
    static QHash<QString, std::weak_ptr<VectorIndex>> indexes;
    const QString key = library->rootPath() + QLatin1Char('\n') + embedderId + QLatin1Char('\n')
        + QString::number(dimensions);
    QMutexLocker lock(&mutex);
    if (auto existing = indexes.value(key).lock(); existing && existing->m_library == library)
        return existing;
    std::shared_ptr<VectorIndex> index(new VectorIndex(library, embedderId, dimensions));
    indexes.insert(key, index);
    return index;
}

VectorIndex::VectorIndex(std::shared_ptr<Library> library, QString embedderId, int dimensions)
    : m_library(std::move(library))
    , m_store(m_library)
    , m_embedderId(std::move(embedderId))
    , m_dimensions(dimensions)
{
}

VectorIndex::~VectorIndex() = default;

QString VectorIndex::indexPath() const
{
    return m_library->vectorsPath() + QLatin1Char('/') + safeFileName(m_embedderId) + QStringLiteral(".hnsw");
}

QString VectorIndex::manifestPath() const
{
    return m_library->vectorsPath() + QLatin1Char('/') + safeFileName(m_embedderId) + QStringLiteral(".manifest.json");
}

QString VectorIndex::lockPath() const
{
    return m_library->vectorsPath() + QLatin1Char('/') + safeFileName(m_embedderId) + QStringLiteral(".lock");
}

bool VectorIndex::isOpen() const
{
    QReadLocker lock(&m_lock);
    return m_graph != nullptr;
}

VectorIndex::OpenAction VectorIndex::lastOpenAction() const
{
    QMutexLocker lock(&m_maintenance);
    return m_lastAction;
}

QString VectorIndex::lastOpenReason() const
{
    QMutexLocker lock(&m_maintenance);
    return m_lastReason;
}

int VectorIndex::size() const
{
    QReadLocker lock(&m_lock);
    return m_graph ? static_cast<int>(m_graph->live.size()) : 0;
}

int VectorIndex::deletedCount() const
{
    QReadLocker lock(&m_lock);
    return m_graph ? m_graph->deleted() : 0;
}

VectorIndex::Parameters VectorIndex::parameters() const
{
    QReadLocker lock(&m_lock);
    return m_parameters;
}

void VectorIndex::setParameters(const Parameters &parameters)
{
    QWriteLocker lock(&m_lock);
    m_parameters = parameters;
    if (m_graph)
        m_graph->hnsw->setEf(static_cast<size_t>(std::max(parameters.efSearch, 10)));
}

bool VectorIndex::tryLoad(std::unique_ptr<Graph> &graph, QString *reason) const
{
    const bool hasIndex = QFileInfo::exists(indexPath());
    const std::optional<VectorManifest> manifest = VectorManifest::read(manifestPath());
    if (!manifest) {
        *reason = hasIndex || QFileInfo::exists(manifestPath()) ? QStringLiteral("corrupt: the manifest is missing or unreadable")
                                                                : QStringLiteral("missing");
        return false;
    }
    if (manifest->embedder != m_embedderId || manifest->dimensions != m_dimensions) {
        *reason = QStringLiteral("corrupt: the manifest describes another index");
        return false;
    }
    if (!hasIndex) {
        *reason = QStringLiteral("missing");
        return false;
    }
    // hnswlib trusts its input (a truncated or altered file can make it read out of bounds), so the
    // bytes are checked against the manifest before it sees them.
    qint64 size = -1;
    const QByteArray sha = sha256OfFile(indexPath(), &size);
    if (sha.isEmpty() || size != manifest->fileSize || sha != manifest->fileSha256) {
        *reason = QStringLiteral("corrupt: the index file does not match its manifest");
        return false;
    }
    const auto elements = static_cast<size_t>(manifest->elements);
    auto loaded = std::make_unique<Graph>(m_dimensions);
    try {
        loaded->hnsw = std::make_unique<Hnsw>(loaded->space.get(), QFile::encodeName(indexPath()).toStdString(), false,
                                              elements + elements / 4 + 1024);
    } catch (const std::exception &e) {
        *reason = QStringLiteral("corrupt: %1").arg(QString::fromLocal8Bit(e.what()));
        return false;
    }
    Hnsw &h = *loaded->hnsw;
    if (h.cur_element_count != elements
        || h.size_data_per_element_ != h.size_links_level0_ + static_cast<size_t>(m_dimensions) * sizeof(float) + sizeof(hnswlib::labeltype)) {
        *reason = QStringLiteral("corrupt: the index layout does not match its manifest");
        return false;
    }
    // hnswlib 0.6.2 leaves its deleted counter uninitialised when loading; count it ourselves.
    h.num_deleted_ = 0;
    for (hnswlib::tableint i = 0; i < h.cur_element_count; ++i) {
        if (h.isMarkedDeleted(i)) {
            ++h.num_deleted_;
            continue;
        }
        const hnswlib::labeltype label = h.getExternalLabel(i);
        loaded->live.insert(ChunkKey::chunkIdOf(label), {label, i});
    }
    if (sha256OfLabels(loaded->liveLabels()) != manifest->chunkSetSha256) {
        *reason = QStringLiteral("corrupt: the index holds other chunks than its manifest says");
        return false;
    }
    graph = std::move(loaded);
    return true;
}

std::unique_ptr<VectorIndex::Graph> VectorIndex::build(const CancelToken &cancel, int expected, QString *error) const
{
    const Parameters p = parameters();
    auto graph = std::make_unique<Graph>(m_dimensions);
    graph->hnsw = std::make_unique<Hnsw>(graph->space.get(), static_cast<size_t>(std::max(1024, expected + expected / 4)),
                                         static_cast<size_t>(p.m), static_cast<size_t>(p.efConstruction));
    const bool parallel = expected > kParallelBuildAbove;
    std::vector<std::pair<ChunkKey, std::vector<float>>> batch;
    const auto flush = [&] {
        graph->ensureCapacity(batch.size());
        if (parallel) {
            QtConcurrent::blockingMap(batch, [&](const std::pair<ChunkKey, std::vector<float>> &item) {
                graph->hnsw->addPoint(item.second.data(), item.first.label(), -1);
            });
        } else {
            for (const auto &item : batch)
                graph->hnsw->addPoint(item.second.data(), item.first.label(), -1);
        }
        batch.clear();
    };
    const bool complete = m_store.forEachVector(
        m_embedderId, m_dimensions,
        [&](const ChunkKey &key, const std::vector<float> &v) {
            batch.emplace_back(key, v);
            if (batch.size() >= kBuildBatch)
                flush();
            return !cancel.isCancelled();
        },
        cancel);
    if (!complete) {
        if (error)
            *error = cancel.isCancelled() ? QStringLiteral("cancelled") : QStringLiteral("cannot read the stored vectors");
        return nullptr;
    }
    flush();
    Hnsw &h = *graph->hnsw;
    for (hnswlib::tableint i = 0; i < h.cur_element_count; ++i) {
        const hnswlib::labeltype label = h.getExternalLabel(i);
        graph->live.insert(ChunkKey::chunkIdOf(label), {label, i});
    }
    return graph;
}

int VectorIndex::repair(Graph &graph, const QList<ChunkKey> &truth, const CancelToken &cancel, QString *error) const
{
    QHash<qint64, quint64> wanted;
    wanted.reserve(truth.size());
    for (const ChunkKey &k : truth)
        wanted.insert(k.chunkId, k.label());
    QList<qint64> stale;
    for (auto it = graph.live.cbegin(); it != graph.live.cend(); ++it) {
        if (wanted.value(it.key()) != it->first)
            stale.append(it.key());
    }
    for (const qint64 id : std::as_const(stale))
        graph.remove(id);
    QList<qint64> missing;
    for (const ChunkKey &k : truth) {
        if (!graph.live.contains(k.chunkId))
            missing.append(k.chunkId);
    }
    for (qsizetype i = 0; i < missing.size(); i += 512) {
        if (cancel.isCancelled()) {
            if (error)
                *error = QStringLiteral("cancelled");
            return -1;
        }
        const auto rows = m_store.vectors(m_embedderId, missing.mid(i, 512), m_dimensions);
        graph.ensureCapacity(static_cast<size_t>(rows.size()));
        for (const auto &[key, vector] : rows)
            graph.add(key, vector);
    }
    return static_cast<int>(stale.size() + missing.size());
}

void VectorIndex::install(std::unique_ptr<Graph> graph)
{
    QWriteLocker lock(&m_lock);
    graph->hnsw->setEf(static_cast<size_t>(std::max(m_parameters.efSearch, 10)));
    m_graph = std::move(graph);
}

bool VectorIndex::open(const CancelToken &cancel, QString *error)
{
    QMutexLocker maintenance(&m_maintenance);
    if (isOpen())
        return true;
    const QList<ChunkKey> truth = m_store.keys(m_embedderId);
    std::unique_ptr<Graph> graph;
    QString reason;
    OpenAction action = OpenAction::Rebuilt;
    bool loaded = false;
    {
        // Not while another process replaces the pair. A read-only library has no writer (and no
        // room for a lock file).
        const std::unique_ptr<QLockFile> files = m_library->isReadOnly() ? nullptr : lockIndexFiles(lockPath(), nullptr);
        loaded = tryLoad(graph, &reason);
    }
    if (loaded) {
        std::vector<quint64> wanted;
        wanted.reserve(static_cast<size_t>(truth.size()));
        for (const ChunkKey &k : truth)
            wanted.push_back(k.label());
        const QByteArray wantedSha = sha256OfLabels(wanted);
        if (wantedSha == sha256OfLabels(graph->liveLabels())) {
            action = OpenAction::Loaded;
        } else {
            QSet<quint64> have;
            for (const quint64 l : graph->liveLabels())
                have.insert(l);
            int added = 0;
            for (const quint64 l : wanted)
                added += have.remove(l) ? 0 : 1;
            const int removed = static_cast<int>(have.size());
            reason = QStringLiteral("stale: %1 chunk(s) added and %2 removed since it was saved").arg(added).arg(removed);
            // A few changes are patched in; a library that changed a lot gets a clean graph.
            const double changed = static_cast<double>(added + removed) / std::max<qsizetype>(1, truth.size());
            const Parameters p = parameters();
            const double deletedAfter = static_cast<double>(graph->deleted() + removed)
                / std::max<double>(1.0, static_cast<double>(graph->hnsw->cur_element_count) + added);
            // Small libraries are simply rebuilt: it is quick and gives the very graph a fresh
            // build would (repairs insert in another random order).
            if (truth.size() > kRepairAbove && changed <= p.maxDeletedFraction
                && deletedAfter <= p.maxDeletedFraction) {
                if (repair(*graph, truth, cancel, error) < 0)
                    return false;
                action = OpenAction::Repaired;
            } else {
                graph.reset();
            }
        }
    }
    if (!graph) {
        qCInfo(lcVectorIndex) << "rebuilding vector index" << m_embedderId << "from SQLite:" << reason;
        graph = build(cancel, static_cast<int>(truth.size()), error);
        if (!graph)
            return false;
        action = OpenAction::Rebuilt;
    } else if (action == OpenAction::Repaired) {
        qCInfo(lcVectorIndex) << "repaired vector index" << m_embedderId << ":" << reason;
    }
    install(std::move(graph));
    m_lastAction = action;
    m_lastReason = action == OpenAction::Loaded ? QString() : reason;
    m_dirty = action != OpenAction::Loaded;
    if (m_dirty) {
        QString saveError;
        if (!saveLocked(&saveError))
            qCWarning(lcVectorIndex) << "cannot save the vector index (search still works):" << saveError;
    }
    return true;
}

void VectorIndex::add(const QList<ChunkKey> &keys, const std::vector<std::vector<float>> &vectors)
{
    QMutexLocker maintenance(&m_maintenance);
    QWriteLocker lock(&m_lock);
    // Not open yet: open() will read these from SQLite, where they already are.
    if (!m_graph)
        return;
    m_graph->ensureCapacity(static_cast<size_t>(keys.size()));
    for (qsizetype i = 0; i < keys.size() && i < static_cast<qsizetype>(vectors.size()); ++i) {
        if (static_cast<int>(vectors[static_cast<size_t>(i)].size()) == m_dimensions)
            m_graph->add(keys.at(i), vectors[static_cast<size_t>(i)]);
    }
    m_dirty = true;
}

bool VectorIndex::sync(const CancelToken &cancel, QString *error)
{
    if (!isOpen())
        return open(cancel, error);
    QMutexLocker maintenance(&m_maintenance);
    const QList<ChunkKey> truth = m_store.keys(m_embedderId);
    {
        QWriteLocker lock(&m_lock);
        const int changes = repair(*m_graph, truth, cancel, error);
        if (changes < 0)
            return false;
        if (changes > 0)
            m_dirty = true;
    }
    const Parameters p = parameters();
    const int deleted = deletedCount();
    const int total = deleted + size();
    if (total > 0 && static_cast<double>(deleted) / total > p.maxDeletedFraction) {
        // Deleted entries still cost search time and memory; a fresh graph drops them. Searches
        // keep using the old graph until the new one is swapped in.
        qCInfo(lcVectorIndex) << "rebuilding vector index" << m_embedderId << ":" << deleted << "of" << total << "deleted";
        auto graph = build(cancel, static_cast<int>(truth.size()), error);
        if (!graph)
            return false;
        install(std::move(graph));
        m_dirty = true;
    }
    return !m_dirty || saveLocked(error);
}

bool VectorIndex::rebuild(const CancelToken &cancel, QString *error)
{
    QMutexLocker maintenance(&m_maintenance);
    auto graph = build(cancel, m_store.chunkCount(), error);
    if (!graph)
        return false;
    install(std::move(graph));
    m_dirty = true;
    if (m_lastAction == OpenAction::None)
        m_lastAction = OpenAction::Rebuilt;
    return saveLocked(error);
}

bool VectorIndex::save(QString *error)
{
    QMutexLocker maintenance(&m_maintenance);
    return saveLocked(error);
}

bool VectorIndex::saveLocked(QString *error)
{
    if (!isOpen())
        return true;
    // Each save writes what SQLite holds now, not what this process read earlier: otherwise the last
    // process to save would drop the vectors another one stored, and saved, after this one looked.
    const std::unique_ptr<QLockFile> files = lockIndexFiles(lockPath(), error);
    if (!files)
        return false;
    {
        const QList<ChunkKey> truth = m_store.keys(m_embedderId);
        QWriteLocker lock(&m_lock);
        if (repair(*m_graph, truth, CancelToken(), error) < 0)
            return false;
    }
    QReadLocker lock(&m_lock);
    const QString tmp = indexPath() + QStringLiteral(".tmp");
    try {
        m_graph->hnsw->saveIndex(QFile::encodeName(tmp).toStdString());
    } catch (const std::exception &e) {
        if (error)
            *error = QString::fromLocal8Bit(e.what());
        return false;
    }
    qint64 size = -1;
    const QByteArray sha = sha256OfFile(tmp, &size);
    if (sha.isEmpty()) {
        if (error)
            *error = QStringLiteral("cannot write %1").arg(tmp);
        return false;
    }
    // The index is replaced first and the manifest second: a crash in between leaves a manifest
    // whose hash does not match, which the next open() treats as corrupt and rebuilds.
    std::error_code ec;
    std::filesystem::rename(QFile::encodeName(tmp).toStdString(), QFile::encodeName(indexPath()).toStdString(), ec);
    if (ec) {
        if (error)
            *error = QString::fromLocal8Bit(ec.message().c_str());
        return false;
    }
    VectorManifest manifest;
    manifest.embedder = m_embedderId;
    manifest.dimensions = m_dimensions;
    manifest.count = m_graph->live.size();
    manifest.elements = static_cast<qint64>(m_graph->hnsw->cur_element_count);
    manifest.deleted = m_graph->deleted();
    manifest.m = static_cast<qint64>(m_graph->hnsw->M_);
    manifest.efConstruction = static_cast<qint64>(m_graph->hnsw->ef_construction_);
    manifest.chunkSetSha256 = sha256OfLabels(m_graph->liveLabels());
    manifest.fileSha256 = sha;
    manifest.fileSize = size;
    if (!manifest.write(manifestPath(), error))
        return false;
    m_dirty = false;
    return true;
}

QList<VectorHit> VectorIndex::search(const std::vector<float> &query, int n, const QList<qint64> *candidates) const
{
    QReadLocker lock(&m_lock);
    if (!m_graph || n <= 0 || static_cast<int>(query.size()) != m_dimensions || m_graph->live.isEmpty())
        return {};
    const Parameters p = m_parameters;
    const auto liveCount = static_cast<qsizetype>(m_graph->live.size());
    if (candidates ? candidates->size() < p.exactCandidatesBelow : liveCount < p.exactBelow) {
        lock.unlock();
        return searchExact(query, n, candidates);
    }
    // A filter is applied after the graph search, so ask for enough neighbours that n of them
    // survive it; fall back to exact search when they do not.
    QSet<qint64> allowed;
    size_t k = static_cast<size_t>(n);
    if (candidates) {
        allowed = QSet<qint64>(candidates->cbegin(), candidates->cend());
        const double ratio = static_cast<double>(liveCount) / std::max<qsizetype>(1, allowed.size());
        k = std::min<size_t>(static_cast<size_t>(liveCount), static_cast<size_t>(std::ceil(n * ratio * 2.0)) + static_cast<size_t>(n));
    }
    std::priority_queue<std::pair<float, hnswlib::labeltype>> found;
    try {
        found = m_graph->hnsw->searchKnn(query.data(), k);
    } catch (const std::exception &e) {
        qCWarning(lcVectorIndex) << "graph search failed, searching exactly:" << e.what();
        lock.unlock();
        return searchExact(query, n, candidates);
    }
    QList<VectorHit> hits;
    hits.reserve(static_cast<qsizetype>(found.size()));
    while (!found.empty()) {
        const auto [distance, label] = found.top();
        found.pop();
        const qint64 id = ChunkKey::chunkIdOf(label);
        if (!candidates || allowed.contains(id))
            hits.append({id, 1.0f - distance});
    }
    std::reverse(hits.begin(), hits.end());
    if (hits.size() > n)
        hits.resize(n);
    if (candidates && hits.size() < n && hits.size() < allowed.size()) {
        lock.unlock();
        return searchExact(query, n, candidates);
    }
    return hits;
}

std::vector<float> VectorIndex::vectorOf(qint64 chunkId) const
{
    QReadLocker lock(&m_lock);
    if (!m_graph)
        return {};
    const auto it = m_graph->live.constFind(chunkId);
    if (it == m_graph->live.cend())
        return {};
    const auto *data = reinterpret_cast<const float *>(m_graph->hnsw->getDataByInternalId(it->second));
    return std::vector<float>(data, data + m_dimensions);
}

QList<VectorHit> VectorIndex::searchExact(const std::vector<float> &query, int n, const QList<qint64> *candidates) const
{
    QReadLocker lock(&m_lock);
    if (!m_graph || n <= 0 || static_cast<int>(query.size()) != m_dimensions)
        return {};
    std::vector<std::pair<float, qint64>> scored;
    if (candidates) {
        scored.reserve(static_cast<size_t>(candidates->size()));
        QSet<qint64> seen;
        for (const qint64 id : *candidates) {
            const auto it = m_graph->live.constFind(id);
            if (it == m_graph->live.cend() || seen.contains(id))
                continue;
            seen.insert(id);
            scored.emplace_back(m_graph->similarity(query.data(), it->second), id);
        }
    } else {
        const Hnsw &h = *m_graph->hnsw;
        scored.reserve(static_cast<size_t>(m_graph->live.size()));
        for (hnswlib::tableint i = 0; i < h.cur_element_count; ++i) {
            if (!h.isMarkedDeleted(i))
                scored.emplace_back(m_graph->similarity(query.data(), i), ChunkKey::chunkIdOf(h.getExternalLabel(i)));
        }
    }
    return topHits(scored, n);
}

} // namespace docsight
