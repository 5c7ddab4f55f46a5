#include "librarymodel.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

namespace docsight {

LibraryModel::LibraryModel(std::shared_ptr<DocumentStore> store, QObject *parent)
    : QAbstractTableModel(parent)
    , m_store(std::move(store))
{
}

int LibraryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int LibraryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LibraryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name: return tr("Document");
    case Pages: return tr("Pages");
    case Status: return tr("Status");
    case Classification: return tr("Classification");
    case Type: return tr("Type");
    }
    return {};
}

QVariant LibraryModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const DocumentRecord &d = m_rows.at(index.row());
    const auto progress = m_progress.constFind(d.id);
    const bool importing = progress != m_progress.cend() && progress->stage != ImportStage::Finished;
    switch (role) {
    case DocumentIdRole: return d.id;
    case ErrorRole: return d.error;
    case StatusRole: return static_cast<int>(d.status);
    case ProgressRole:
        if (!importing)
            return -1;
        return progress->pagesTotal > 0 ? 100 * progress->pagesDone / progress->pagesTotal : 0;
    case Qt::ToolTipRole:
        if (d.status == DocumentStatus::Failed)
            return tr("Could not be read: %1").arg(d.error);
        return tr("%1\n%2 pages, %3 read by OCR, %4 passages\nSHA-256 %5")
            .arg(d.originalPath)
            .arg(d.pageCount)
            .arg(d.ocrPages)
            .arg(d.chunkCount)
            .arg(d.sha256);
    case Qt::DisplayRole:
        switch (index.column()) {
        case Name: return d.name;
        case Pages:
            if (d.ocrPages > 0)
                return tr("%1 (%2 OCR)").arg(d.pageCount).arg(d.ocrPages);
            return d.pageCount;
        case Status:
            if (importing && progress->pagesTotal == 0)
                return tr("%1…").arg(importStageName(progress->stage));
            if (importing) {
                return tr("%1 page %2 of %3")
                    .arg(importStageName(progress->stage))
                    .arg(progress->pagesDone)
                    .arg(progress->pagesTotal);
            }
            if (d.status == DocumentStatus::Failed)
                return tr("Failed: %1").arg(d.error);
            return documentStatusName(d.status);
        case Classification: return classificationName(d.classification);
        case Type: return d.type.toUpper();
        }
        return {};
    default: return {};
    }
}

std::optional<DocumentRecord> LibraryModel::record(const QModelIndex &index) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return std::nullopt;
    return m_rows.at(index.row());
}

void LibraryModel::refresh()
{
    if (m_refreshing) {
        m_refreshAgain = true; // coalesce bursts of progress into one reload
        return;
    }
    m_refreshing = true;
    auto *watcher = new QFutureWatcher<QList<DocumentRecord>>(this);
    connect(watcher, &QFutureWatcher<QList<DocumentRecord>>::finished, this, [this, watcher] {
        setRows(watcher->result());
        watcher->deleteLater();
        m_refreshing = false;
        if (m_refreshAgain) {
            m_refreshAgain = false;
            refresh();
        }
        Q_EMIT refreshed();
    });
    watcher->setFuture(QtConcurrent::run([store = m_store] { return store->list(); }));
}

void LibraryModel::applyProgress(const ImportProgress &progress)
{
    if (progress.documentId == 0)
        return;
    const bool known = m_progress.contains(progress.documentId);
    m_progress.insert(progress.documentId, progress);
    if (progress.stage == ImportStage::Finished)
        m_progress.remove(progress.documentId);
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).id == progress.documentId) {
            Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
            return;
        }
    }
    if (!known)
        refresh(); // a document registered since the last load
}

void LibraryModel::applyOutcome(const ImportOutcome &outcome)
{
    m_progress.remove(outcome.documentId);
    refresh();
}

void LibraryModel::setRows(QList<DocumentRecord> rows)
{
    // Same documents in the same order: update in place so selection and scroll position survive
    // the frequent reloads during an import.
    bool sameIds = rows.size() == m_rows.size();
    for (qsizetype i = 0; sameIds && i < rows.size(); ++i)
        sameIds = rows.at(i).id == m_rows.at(i).id;
    if (sameIds) {
        m_rows = std::move(rows);
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

} // namespace docsight
