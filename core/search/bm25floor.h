#pragma once

#include <memory>
#include <optional>

#include <QList>
#include <QString>

namespace docsight {

class Library;

// One window the floor found: the document's file name and the page it was cut from.
struct FloorHit {
    QString document;
    int page = 0;
};

// The retrieval floor any retriever of ours must beat, computed in-process so eval can print it beside
// Docsight's own result: plain SQLite FTS5 BM25 over each ready document's stored page text, whitespace
// collapsed, cut into 1000-character windows every 850 characters, the question's words minus stop words
// OR-ed. It is the shared tools' bm25_floor.py with the library's page text in place of pdftotext, so the
// number measures our retriever rather than a difference in text extraction. No chunker, heading, fusion
// or vector: anything clever here would raise the floor it is meant to measure from.
// The index lives in a private in-memory database: use an instance from the thread that built it.
class Bm25Floor final
{
public:
    static constexpr int kWindow = 1000;
    static constexpr int kStride = 850;

    explicit Bm25Floor(std::shared_ptr<Library> library);
    ~Bm25Floor();
    Q_DISABLE_COPY_MOVE(Bm25Floor)

    // Reads the pages of the ready documents (only documentIds, when given) into the index. False, with
    // the reason, when the in-memory database or FTS5 is not available.
    bool build(const std::optional<QList<qint64>> &documentIds = std::nullopt, QString *error = nullptr);

    // The best windows for the question, best first (FTS5 rank); empty when no word is left to search.
    QList<FloorHit> search(const QString &question, int limit = 10) const;

    int windowCount() const { return m_windows; }

    // The MATCH expression the script builds: lower-cased [A-Za-z0-9_.]+ tokens minus its stop words,
    // each quoted, joined with OR. Empty when nothing is left.
    static QString matchExpression(const QString &question);
    // The page's text as the script indexes it: every run of whitespace one space, nothing trimmed.
    static QString collapseWhitespace(const QString &text);

private:
    std::shared_ptr<Library> m_library;
    const QString m_connectionName;
    int m_windows = 0;
};

} // namespace docsight
