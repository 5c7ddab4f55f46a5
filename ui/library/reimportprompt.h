#pragma once

#include <optional>

#include <QList>

class QWidget;

namespace docsight {

class LibraryModel;

// What "Re-run OCR" will do: which documents, and whether to OCR every PDF page.
struct ReimportChoice {
    QList<qint64> documentIds;
    bool forceOcr = false;
};

// Whether a document can be read again now: Ready or Failed, and not being imported.
bool canReimport(const LibraryModel &model, qint64 documentId);

// Keeps the documents that can be read again. When that would redo a Ready document (its passages
// disappear from search until the new reading completes), asks first, offering OCR of every page
// for PDFs whose text layer is garbled. nullopt when nothing is left or the analyst declines.
std::optional<ReimportChoice> confirmReimport(QWidget *parent, const LibraryModel &model, const QList<qint64> &documentIds);

} // namespace docsight
