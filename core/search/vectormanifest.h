#pragma once

#include <optional>
#include <vector>

#include <QByteArray>
#include <QString>

namespace docsight {

// What vectors/<embedder-id>.manifest.json records about the .hnsw file beside it: enough to
// check the file before hnswlib reads it, and to tell which chunks it was built from.
struct VectorManifest {
    static constexpr int kFormat = 1;

    QString embedder;
    int dimensions = 0;
    qint64 count = 0;      // live vectors
    qint64 elements = 0;   // entries in the graph, deleted ones included
    qint64 deleted = 0;
    qint64 m = 0;
    qint64 efConstruction = 0;
    QByteArray chunkSetSha256; // hex SHA-256 over the sorted labels (chunk id + fingerprint) of live vectors
    QByteArray fileSha256;     // hex SHA-256 of the .hnsw file
    qint64 fileSize = -1;

    // Empty when the file is missing, unreadable, or of another format or space.
    static std::optional<VectorManifest> read(const QString &path);
    // Replaces the file atomically.
    bool write(const QString &path, QString *error) const;
};

// Hex SHA-256 of a file's bytes (empty when it cannot be read); *size receives its length.
QByteArray sha256OfFile(const QString &path, qint64 *size);
// Hex SHA-256 over labels sorted ascending, each as 8 little-endian bytes.
QByteArray sha256OfLabels(std::vector<quint64> labels);

} // namespace docsight
