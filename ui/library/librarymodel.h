#pragma once

#include "ingest/ingestqueue.h"
#include "store/documentstore.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

class QThreadPool;

namespace docsight {

// The library's documents as a table, plus live import progress. Never touches the database on
// the GUI thread: refresh() loads the rows on its owner's pool and swaps them in when they arrive.
class LibraryModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Name, Pages, Status, Classification, Type, ColumnCount };
    enum Role { DocumentIdRole = Qt::UserRole + 1, ProgressRole, ErrorRole, StatusRole, ErrorKindRole };

    LibraryModel(std::shared_ptr<DocumentStore> store, QThreadPool *pool, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    std::optional<DocumentRecord> record(const QModelIndex &index) const;
    bool isEmpty() const { return m_rows.isEmpty(); }
    bool isLoaded() const { return m_loaded; }
    std::optional<DocumentRecord> recordById(qint64 id) const;
    QModelIndex indexOf(qint64 id, int column = Name) const;
    bool isImporting(qint64 id) const;

public Q_SLOTS:
    void refresh();
    void applyProgress(const docsight::ImportProgress &progress);
    void applyOutcome(const docsight::ImportOutcome &outcome);

Q_SIGNALS:
    void refreshed();

private:
    void setRows(QList<DocumentRecord> rows);

    std::shared_ptr<DocumentStore> m_store;
    QThreadPool *m_pool = nullptr;
    QList<DocumentRecord> m_rows;
    QHash<qint64, ImportProgress> m_progress; // by document id, while importing
    bool m_refreshing = false;
    bool m_refreshAgain = false;
    bool m_loaded = false;
};

} // namespace docsight
