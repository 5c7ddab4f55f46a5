#include "library/librarymodel.h"

#include "common/async.h"
#include "common/icons.h"

namespace docsight {
namespace {

QString capitalised(QString s)
{
    if (!s.isEmpty())
        s[0] = s.at(0).toUpper();
    return s;
}

} // namespace

LibraryModel::LibraryModel(std::shared_ptr<DocumentStore> store, QThreadPool *pool, QObject *parent)
    : QAbstractTableModel(parent)
    , m_store(std::move(store))
    , m_pool(pool)
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
    case ErrorKindRole: return d.errorKind;
    case Qt::TextAlignmentRole:
        return index.column() == Pages ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case Qt::DecorationRole:
        if (index.column() == Name) {
            if (d.type == QLatin1String("pdf"))
                return icons::icon(d.pageCount > 0 && d.ocrPages == d.pageCount ? QStringLiteral("type-scan")
                                                                               : QStringLiteral("type-pdf"));
            if (d.type == QLatin1String("image"))
                return icons::icon(QStringLiteral("type-scan"));
            if (d.type == QLatin1String("docx"))
                return icons::icon(QStringLiteral("type-word"));
            return icons::icon(QStringLiteral("type-plain"));
        }
        if (index.column() == Status) {
            if (importing || d.status == DocumentStatus::Importing)
                return icons::icon(QStringLiteral("status-importing"));
            switch (d.status) {
            case DocumentStatus::Ready: return icons::icon(QStringLiteral("status-ready"));
            case DocumentStatus::Failed: return icons::icon(QStringLiteral("status-failed"));
            default: return icons::icon(QStringLiteral("status-queued"));
            }
        }
        return {};
    case StatusRole: return static_cast<int>(d.status);
    case ProgressRole:
        if (!importing)
            return -1;
        return progress->pagesTotal > 0 ? 100 * progress->pagesDone / progress->pagesTotal : 0;
    case Qt::ToolTipRole:
        if (d.status == DocumentStatus::Failed)
            return tr("Could not be read: %1").arg(d.error);
        if (index.column() == Pages && d.ocrPages > 0)
            return tr("%n page(s) read by OCR", nullptr, d.ocrPages);
        return tr("%1\n%2 pages, %3 read by OCR, %4 passages\nClassification: %5\nSHA-256 %6")
            .arg(d.originalPath)
            .arg(d.pageCount)
            .arg(d.ocrPages)
            .arg(d.chunkCount)
            .arg(classificationName(d.classification), d.sha256);
    case Qt::DisplayRole:
        switch (index.column()) {
        case Name: return d.name;
        case Pages:
            return d.pageCount > 0 ? QVariant(d.pageCount) : QVariant(QStringLiteral("–"));
        case Status:
            if (importing && progress->pagesTotal == 0)
                return tr("%1…").arg(capitalised(importStageName(progress->stage)));
            if (importing) {
                return tr("%1 page %2 of %3")
                    .arg(capitalised(importStageName(progress->stage)))
                    .arg(progress->pagesDone)
                    .arg(progress->pagesTotal);
            }
            switch (d.status) {
            case DocumentStatus::Failed: return d.error;
            case DocumentStatus::Ready: return d.error.isEmpty() ? tr("Ready") : tr("Ready — %1").arg(d.error);
            case DocumentStatus::Importing: return tr("Reading…");
            case DocumentStatus::Queued: return tr("Waiting");
            }
            return {};
        case Classification: return classificationName(d.classification);
        case Type: return d.type == QLatin1String("docx") ? QStringLiteral("Word") : d.type.toUpper();
        }
        return {};
    default: return {};
    }
}

std::optional<DocumentRecord> LibraryModel::recordById(qint64 id) const
{
    for (const DocumentRecord &d : m_rows) {
        if (d.id == id)
            return d;
    }
    return std::nullopt;
}

QModelIndex LibraryModel::indexOf(qint64 id, int column) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).id == id)
            return index(row, column);
    }
    return {};
}

bool LibraryModel::isImporting(qint64 id) const
{
    const auto it = m_progress.constFind(id);
    return it != m_progress.cend() && it->stage != ImportStage::Finished;
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
    runAsync(m_pool, this, [store = m_store] { return store->list(); }, [this](const QList<DocumentRecord> &rows) {
        setRows(rows);
        m_loaded = true;
        m_refreshing = false;
        if (m_refreshAgain) {
            m_refreshAgain = false;
            refresh();
        }
        Q_EMIT refreshed();
    });
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
