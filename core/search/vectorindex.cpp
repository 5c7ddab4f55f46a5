#include "search/vectorindex.h"

#include "search/hnswgraph.h"
#include "search/vectormanifest.h"
#include "store/library.h"
#include "util/lockfile.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QLoggingCategory>
#include <QMutexLocker>
#include <QReadLocker>
#include <QSet>
#include <QWriteLocker>

namespace docsight {

Q_LOGGING_CATEGORY(lcVectorIndex, "docsight.search.vectorindex")

namespace {

constexpr int kBuildBatch = 4096;
constexpr int kParallelBuildAbove = 5000; // below this, build on one thread so the graph is reproducible
constexpr int kRepairAbove = 20000;       // smaller stale indexes are rebuilt rather than patched

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
    return m_graph ? m_graph->liveCount() : 0;
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
        m_graph->setEf(static_cast<size_t>(std::max(parameters.efSearch, 10)));
}

bool VectorIndex::tryLoad(std::unique_ptr<HnswGraph> &graph, QString *reason) const
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
    std::unique_ptr<HnswGraph> loaded =
        HnswGraph::load(indexPath(), m_dimensions, static_cast<size_t>(manifest->elements), reason);
    if (!loaded)
        return false;
    if (sha256OfLabels(loaded->liveLabels()) != manifest->chunkSetSha256) {
        *reason = QStringLiteral("corrupt: the index holds other chunks than its manifest says");
        return false;
    }
    graph = std::move(loaded);
    return true;
}

std::unique_ptr<HnswGraph> VectorIndex::build(const CancelToken &cancel, int expected, QString *error) const
{
    const Parameters p = parameters();
    auto graph = std::make_unique<HnswGraph>(m_dimensions, static_cast<size_t>(std::max(1024, expected + expected / 4)),
                                             p.m, p.efConstruction);
    const bool parallel = expected > kParallelBuildAbove;
    std::vector<std::pair<ChunkKey, std::vector<float>>> batch;
    const auto flush = [&] {
        graph->addBatch(batch, parallel);
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
    graph->indexLive();
    return graph;
}

int VectorIndex::repair(HnswGraph &graph, const QList<ChunkKey> &truth, const CancelToken &cancel, QString *error) const
{
    QHash<qint64, quint64> wanted;
    wanted.reserve(truth.size());
    for (const ChunkKey &k : truth)
        wanted.insert(k.chunkId, k.label());
    const QList<qint64> stale = graph.staleAgainst(wanted);
    for (const qint64 id : std::as_const(stale))
        graph.remove(id);
    QList<qint64> missing;
    for (const ChunkKey &k : truth) {
        if (!graph.contains(k.chunkId))
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

void VectorIndex::install(std::unique_ptr<HnswGraph> graph)
{
    QWriteLocker lock(&m_lock);
    graph->setEf(static_cast<size_t>(std::max(m_parameters.efSearch, 10)));
    m_graph = std::move(graph);
}

bool VectorIndex::open(const CancelToken &cancel, QString *error)
{
    QMutexLocker maintenance(&m_maintenance);
    if (isOpen())
        return true;
    const QList<ChunkKey> truth = m_store.keys(m_embedderId);
    std::unique_ptr<HnswGraph> graph;
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
                / std::max<double>(1.0, static_cast<double>(graph->elements()) + added);
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
    if (!m_graph->save(tmp, error))
        return false;
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
    manifest.count = m_graph->liveCount();
    manifest.elements = m_graph->elements();
    manifest.deleted = m_graph->deleted();
    manifest.m = m_graph->m();
    manifest.efConstruction = m_graph->efConstruction();
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
    if (!m_graph || n <= 0 || static_cast<int>(query.size()) != m_dimensions || m_graph->liveCount() == 0)
        return {};
    const Parameters p = m_parameters;
    const auto liveCount = static_cast<qsizetype>(m_graph->liveCount());
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
    std::vector<std::pair<float, quint64>> found;
    try {
        found = m_graph->searchKnn(query.data(), k);
    } catch (const std::exception &e) {
        qCWarning(lcVectorIndex) << "graph search failed, searching exactly:" << e.what();
        lock.unlock();
        return searchExact(query, n, candidates);
    }
    QList<VectorHit> hits;
    hits.reserve(static_cast<qsizetype>(found.size()));
    for (const auto &[distance, label] : found) {
        const qint64 id = ChunkKey::chunkIdOf(label);
        if (!candidates || allowed.contains(id))
            hits.append({id, 1.0f - distance});
    }
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
    return m_graph ? m_graph->vectorOf(chunkId) : std::vector<float>();
}

QList<VectorHit> VectorIndex::searchExact(const std::vector<float> &query, int n, const QList<qint64> *candidates) const
{
    QReadLocker lock(&m_lock);
    if (!m_graph || n <= 0 || static_cast<int>(query.size()) != m_dimensions)
        return {};
    std::vector<std::pair<float, qint64>> scored = m_graph->similarities(query.data(), candidates);
    return topHits(scored, n);
}

} // namespace docsight
