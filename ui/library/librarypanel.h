#pragma once

#include "store/documentstore.h"

#include <optional>

#include <QWidget>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;

namespace docsight {

class LibraryModel;

// The library pane: a filter box over the documents table (name, pages, status with live progress,
// classification, type), failed documents with their reason and an in-place retry, and an empty state
// that explains what to do.
class LibraryPanel final : public QWidget
{
    Q_OBJECT

public:
    explicit LibraryPanel(LibraryModel *model, QWidget *parent = nullptr);

    QTableView *table() const { return m_table; }
    QList<qint64> selectedIds() const;
    std::optional<DocumentRecord> currentRecord() const;
    void selectDocument(qint64 id);
    void focusFilter();
    void setEmptyActions(const QList<QAction *> &actions);
    // Where the table's header layout is remembered.
    QByteArray saveState() const;
    void restoreState(const QByteArray &state);

Q_SIGNALS:
    void currentDocumentChanged(const std::optional<docsight::DocumentRecord> &doc);
    void selectionChanged(int count);
    void retryRequested(qint64 documentId);

private:
    void updateEmptyState();

    LibraryModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QLineEdit *m_filter = nullptr;
    QTableView *m_table = nullptr;
    QStackedWidget *m_stack = nullptr;
    QWidget *m_empty = nullptr;
    QWidget *m_emptyButtons = nullptr;
    qint64 m_current = 0;
};

} // namespace docsight
