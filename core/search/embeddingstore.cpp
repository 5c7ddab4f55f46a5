#include "search/embeddingstore.h"
#include "util/sqlerror.h"

#include "store/library.h"

#include <bit>
#include <cstring>

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QtEndian>

namespace docsight {

Q_LOGGING_CATEGORY(lcEmbeddingStore, "docsight.search.embeddingstore")

namespace {

const QString kActiveEmbedderKey = QStringLiteral("search.active_embedder");

// Chunk identity columns, joined so that the fingerprint can be computed (see ChunkKey).
const QString kKeyColumns = QStringLiteral("c.id, d.sha256, d.name, c.ordinal");

ChunkKey readKey(const QSqlQuery &q, int first)
{
    return {q.value(first).toLongLong(),
            EmbeddingStore::fingerprint(q.value(first + 1).toString(), q.value(first + 2).toString(),
                                        q.value(first + 3).toInt())};
}

QString idsJson(const QList<qint64> &ids)
{
    QJsonArray array;
    for (const qint64 id : ids)
        array.append(id);
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

QString documentTitle(const QString &name)
{
    // "annual_report-2023.pdf" reads as "annual report 2023": the words, not the file name.
    QString title = QFileInfo(name).completeBaseName();
    for (QChar &c : title) {
        if (c == QLatin1Char('_') || c == QLatin1Char('-') || c == QLatin1Char('.'))
            c = QLatin1Char(' ');
    }
    return title;
}

// "AND d.classification [NOT] IN (?, ?)" with one placeholder per level; empty when there are none. Compared
// case-insensitively: the column holds the canonical names, but a hand-edited row must not slip through.
QString classificationFilter(const QStringList &levels, bool in)
{
    if (levels.isEmpty())
        return in ? QStringLiteral("AND 0") : QString();
    QStringList marks;
    for (qsizetype i = 0; i < levels.size(); ++i)
        marks.append(QStringLiteral("?"));
    return QStringLiteral("AND d.classification COLLATE NOCASE %1 (%2)")
        .arg(in ? QStringLiteral("IN") : QStringLiteral("NOT IN"), marks.join(QStringLiteral(", ")));
}

} // namespace

int EmbeddingStore::countWithoutVectors(const QString &embedderId, const QString &filter, const QStringList &levels) const
{
    QSqlQuery q(m_library->connection());
    q.prepare(QStringLiteral("SELECT COUNT(*) FROM chunks c JOIN documents d ON d.id = c.document_id "
                             "WHERE d.status = 'ready' %1 AND NOT EXISTS "
                             "(SELECT 1 FROM embeddings e WHERE e.chunk_id = c.id AND e.embedder_id = ?)")
                  .arg(filter));
    for (const QString &level : levels)
        q.addBindValue(level);
    q.addBindValue(embedderId);
    if (q.exec() && q.next())
        return q.value(0).toInt();
    qCWarning(lcEmbeddingStore) << "cannot count chunks without vectors:" << sqlErrorText(q.lastError());
    return 0;
}

EmbeddingStore::EmbeddingStore(std::shared_ptr<Library> library) : m_library(std::move(library)) {}

QString EmbeddingStore::activeEmbedder() const
{
    QSqlQuery q(m_library->connection());
    q.prepare(QStringLiteral("SELECT value FROM meta WHERE key = ?"));
    q.addBindValue(kActiveEmbedderKey);
    if (q.exec() && q.next())
        return q.value(0).toString();
    return {};
}

bool EmbeddingStore::setActiveEmbedder(const QString &embedderId, QString *error)
{
    return m_library->write(
        [&](QSqlDatabase &db) {
            QSqlQuery q(db);
            q.prepare(QStringLiteral("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"));
            q.addBindValue(kActiveEmbedderKey);
            q.addBindValue(embedderId);
            if (q.exec())
                return true;
            if (error)
                *error = sqlErrorText(q.lastError());
            return false;
        },
        error);
}

int EmbeddingStore::chunkCount() const
{
    QSqlQuery q(m_library->connection());
    if (q.exec(QStringLiteral("SELECT COUNT(*) FROM chunks")) && q.next())
        return q.value(0).toInt();
    return 0;
}

int EmbeddingStore::pendingCount(const QString &embedderId, const QStringList &withheld) const
{
    return countWithoutVectors(embedderId, classificationFilter(withheld, false), withheld);
}

QHash<qint64, int> EmbeddingStore::pendingByDocument(const QString &embedderId) const
{
    QHash<qint64, int> out;
    QSqlQuery q(m_library->connection());
    q.prepare(QStringLiteral("SELECT c.document_id, COUNT(*) FROM chunks c JOIN documents d ON d.id = c.document_id "
                             "WHERE d.status = 'ready' AND NOT EXISTS "
                             "(SELECT 1 FROM embeddings e WHERE e.chunk_id = c.id AND e.embedder_id = ?) "
                             "GROUP BY c.document_id"));
    q.addBindValue(embedderId);
    if (!q.exec()) {
        qCWarning(lcEmbeddingStore) << "cannot count pending chunks by document:" << sqlErrorText(q.lastError());
        return out;
    }
    while (q.next())
        out.insert(q.value(0).toLongLong(), q.value(1).toInt());
    return out;
}

int EmbeddingStore::withheldCount(const QString &embedderId, const QStringList &withheld) const
{
    return withheld.isEmpty() ? 0 : countWithoutVectors(embedderId, classificationFilter(withheld, true), withheld);
}

QList<PendingChunk> EmbeddingStore::pending(const QString &embedderId, qint64 afterId, int limit,
                                            const QStringList &withheld) const
{
    QList<PendingChunk> out;
    QSqlQuery q(m_library->connection());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT c.id, d.name, c.heading, c.text, d.classification FROM chunks c "
                             "JOIN documents d ON d.id = c.document_id "
                             "WHERE c.id > ? AND d.status = 'ready' %1 AND NOT EXISTS "
                             "(SELECT 1 FROM embeddings e WHERE e.chunk_id = c.id AND e.embedder_id = ?) "
                             "ORDER BY c.id LIMIT ?")
                  .arg(classificationFilter(withheld, false)));
    q.addBindValue(afterId);
    for (const QString &level : withheld)
        q.addBindValue(level);
    q.addBindValue(embedderId);
    q.addBindValue(limit);
    if (!q.exec()) {
        qCWarning(lcEmbeddingStore) << "cannot list pending chunks:" << sqlErrorText(q.lastError());
        return out;
    }
    while (q.next())
        out.append({q.value(0).toLongLong(),
                    embeddingInput(q.value(1).toString(), q.value(2).toString(), q.value(3).toString()),
                    q.value(4).toString()});
    return out;
}

QList<ChunkKey> EmbeddingStore::put(const QString &embedderId, const QList<qint64> &chunkIds,
                                    const std::vector<std::vector<float>> &vectors, QString *error)
{
    QList<ChunkKey> stored;
    if (chunkIds.size() != static_cast<qsizetype>(vectors.size())) {
        if (error)
            *error = QStringLiteral("internal error: %1 chunks but %2 vectors").arg(chunkIds.size()).arg(vectors.size());
        return stored;
    }
    const bool ok = m_library->write(
        [&](QSqlDatabase &db) {
            // A chunk removed while its batch was being embedded is skipped, not an error.
            QSqlQuery insert(db);
            insert.prepare(QStringLiteral("INSERT OR REPLACE INTO embeddings (chunk_id, embedder_id, vector) "
                                          "SELECT id, ?, ? FROM chunks WHERE id = ?"));
            QSqlQuery key(db);
            key.prepare(QStringLiteral("SELECT ") + kKeyColumns
                        + QStringLiteral(" FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ?"));
            for (qsizetype i = 0; i < chunkIds.size(); ++i) {
                insert.addBindValue(embedderId);
                insert.addBindValue(encode(vectors[static_cast<size_t>(i)]));
                insert.addBindValue(chunkIds.at(i));
                if (!insert.exec()) {
                    if (error)
                        *error = sqlErrorText(insert.lastError());
                    return false;
                }
                if (insert.numRowsAffected() <= 0)
                    continue;
                key.addBindValue(chunkIds.at(i));
                if (key.exec() && key.next())
                    stored.append(readKey(key, 0));
                key.finish();
            }
            return true;
        },
        error);
    if (!ok)
        stored.clear();
    return stored;
}

QList<ChunkKey> EmbeddingStore::keys(const QString &embedderId) const
{
    QList<ChunkKey> out;
    QSqlQuery q(m_library->connection());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT ") + kKeyColumns
              + QStringLiteral(" FROM embeddings e JOIN chunks c ON c.id = e.chunk_id "
                               "JOIN documents d ON d.id = c.document_id WHERE e.embedder_id = ? ORDER BY c.id"));
    q.addBindValue(embedderId);
    if (!q.exec()) {
        qCWarning(lcEmbeddingStore) << "cannot list embedded chunks:" << sqlErrorText(q.lastError());
        return out;
    }
    while (q.next())
        out.append(readKey(q, 0));
    return out;
}

bool EmbeddingStore::forEachVector(const QString &embedderId, int dimensions,
                                   const std::function<bool(const ChunkKey &, const std::vector<float> &)> &fn,
                                   const CancelToken &cancel) const
{
    QSqlQuery q(m_library->connection());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT ") + kKeyColumns
              + QStringLiteral(", e.vector FROM embeddings e JOIN chunks c ON c.id = e.chunk_id "
                               "JOIN documents d ON d.id = c.document_id WHERE e.embedder_id = ? ORDER BY c.id"));
    q.addBindValue(embedderId);
    if (!q.exec()) {
        qCWarning(lcEmbeddingStore) << "cannot read vectors:" << sqlErrorText(q.lastError());
        return false;
    }
    while (q.next()) {
        if (cancel.isCancelled())
            return false;
        const std::vector<float> v = decode(q.value(4).toByteArray(), dimensions);
        if (v.empty())
            continue; // a vector of the wrong size cannot be used; the indexer re-embeds it
        if (!fn(readKey(q, 0), v))
            return false;
    }
    return true;
}

QList<std::pair<ChunkKey, std::vector<float>>> EmbeddingStore::vectors(const QString &embedderId,
                                                                       const QList<qint64> &chunkIds,
                                                                       int dimensions) const
{
    QList<std::pair<ChunkKey, std::vector<float>>> out;
    if (chunkIds.isEmpty())
        return out;
    QSqlQuery q(m_library->connection());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT ") + kKeyColumns
              + QStringLiteral(", e.vector FROM embeddings e JOIN chunks c ON c.id = e.chunk_id "
                               "JOIN documents d ON d.id = c.document_id "
                               "WHERE e.embedder_id = ? AND e.chunk_id IN (SELECT value FROM json_each(?)) "
                               "ORDER BY c.id"));
    q.addBindValue(embedderId);
    q.addBindValue(idsJson(chunkIds));
    if (!q.exec()) {
        qCWarning(lcEmbeddingStore) << "cannot read vectors:" << sqlErrorText(q.lastError());
        return out;
    }
    while (q.next()) {
        std::vector<float> v = decode(q.value(4).toByteArray(), dimensions);
        if (!v.empty())
            out.append({readKey(q, 0), std::move(v)});
    }
    return out;
}

QString EmbeddingStore::embeddingInput(const QString &documentName, const QString &heading, const QString &text)
{
    QString input = documentTitle(documentName);
    // The heading is context the passage itself may not repeat; when it does, once is enough.
    if (!heading.isEmpty() && !text.startsWith(heading))
        input += QLatin1Char('\n') + heading;
    return input + QLatin1Char('\n') + text;
}

QByteArray EmbeddingStore::encode(const std::vector<float> &vector)
{
    QByteArray blob(static_cast<qsizetype>(vector.size() * sizeof(float)), Qt::Uninitialized);
    char *out = blob.data();
    for (const float v : vector) {
        qToLittleEndian(std::bit_cast<quint32>(v), out);
        out += sizeof(float);
    }
    return blob;
}

std::vector<float> EmbeddingStore::decode(const QByteArray &blob, int dimensions)
{
    if (dimensions <= 0 || blob.size() != static_cast<qsizetype>(dimensions) * static_cast<qsizetype>(sizeof(float)))
        return {};
    std::vector<float> v(static_cast<size_t>(dimensions));
    const char *in = blob.constData();
    for (float &x : v) {
        x = std::bit_cast<float>(qFromLittleEndian<quint32>(in));
        in += sizeof(float);
    }
    return v;
}

quint32 EmbeddingStore::fingerprint(const QString &documentSha256, const QString &documentName, int ordinal)
{
    // FNV-1a: stable across Qt versions and machines (qHash is seeded and may change).
    quint64 h = 14695981039346656037ull;
    const auto eat = [&h](QStringView s) {
        for (const QChar c : s) {
            h ^= c.unicode();
            h *= 1099511628211ull;
        }
        h ^= 0xffffu;
        h *= 1099511628211ull;
    };
    eat(documentSha256);
    eat(documentName);
    eat(QString::number(ordinal));
    return static_cast<quint32>(h ^ (h >> 32));
}

} // namespace docsight
