#include "library/librarypanel.h"

#include "common/icons.h"
#include "library/librarymodel.h"
#include "library/progressdelegate.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace docsight {

LibraryPanel::LibraryPanel(LibraryModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);

    auto *header = new QLabel(tr("Library"));
    header->setObjectName(QStringLiteral("paneTitle"));
    QFont bold = header->font();
    bold.setWeight(QFont::DemiBold);
    header->setFont(bold);
    header->setContentsMargins(8, 6, 8, 0);
    layout->addWidget(header);

    m_filter = new QLineEdit;
    m_filter->setPlaceholderText(tr("Filter documents (Ctrl+Shift+F)"));
    m_filter->setClearButtonEnabled(true);
    m_filter->addAction(icons::icon(QStringLiteral("find")), QLineEdit::LeadingPosition);
    auto *filterRow = new QHBoxLayout;
    filterRow->setContentsMargins(6, 0, 6, 0);
    filterRow->addWidget(m_filter);
    layout->addLayout(filterRow);

    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);

    m_table = new QTableView;
    m_table->setModel(m_proxy);
    auto *delegate = new ProgressDelegate(m_table);
    m_table->setItemDelegate(delegate);
    connect(delegate, &ProgressDelegate::retryClicked, this, [this](const QModelIndex &index) {
        Q_EMIT retryRequested(index.data(LibraryModel::DocumentIdRole).toLongLong());
    });
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder);
    m_table->setShowGrid(false);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->setFrameShape(QFrame::NoFrame);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 12);
    QHeaderView *h = m_table->horizontalHeader();
    h->setSectionResizeMode(LibraryModel::Name, QHeaderView::Stretch);
    h->setStretchLastSection(false);
    h->setHighlightSections(false);
    h->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_table->setColumnWidth(LibraryModel::Pages, 46);
    m_table->setColumnWidth(LibraryModel::Status, 150);
    m_table->setColumnWidth(LibraryModel::Classification, 96);
    m_table->setColumnWidth(LibraryModel::Type, 60);
    // The type shows as the document's icon; the header's context menu brings the column back.
    h->setSectionHidden(LibraryModel::Type, true);
    h->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(h, &QHeaderView::customContextMenuRequested, this, [this, h](const QPoint &pos) {
        QMenu menu;
        for (int column = LibraryModel::Pages; column < LibraryModel::ColumnCount; ++column) {
            QAction *a = menu.addAction(m_model->headerData(column, Qt::Horizontal).toString());
            a->setCheckable(true);
            a->setChecked(!h->isSectionHidden(column));
            connect(a, &QAction::toggled, h, [h, column](bool on) { h->setSectionHidden(column, !on); });
        }
        menu.exec(h->mapToGlobal(pos));
    });
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_table->setIconSize(QSize(16, 16));

    // Empty state: what the library is for and how to fill it.
    m_empty = new QWidget;
    auto *emptyLayout = new QVBoxLayout(m_empty);
    emptyLayout->setContentsMargins(24, 24, 24, 24);
    emptyLayout->addStretch(2);
    auto *art = new QLabel;
    art->setPixmap(icons::icon(QStringLiteral("docsight")).pixmap(QSize(72, 72)));
    art->setAlignment(Qt::AlignCenter);
    auto *title = new QLabel(tr("Your library is empty"));
    QFont big = title->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    big.setWeight(QFont::DemiBold);
    title->setFont(big);
    title->setAlignment(Qt::AlignCenter);
    auto *text = new QLabel(tr("Drop PDFs, Word files, scans or text files here, or add them below. Everything is "
                               "read on this computer: text layers, OCR for scans, and an offline index."));
    text->setWordWrap(true);
    text->setAlignment(Qt::AlignCenter);
    text->setForegroundRole(QPalette::PlaceholderText);
    m_emptyButtons = new QWidget;
    new QHBoxLayout(m_emptyButtons);
    emptyLayout->addWidget(art);
    emptyLayout->addWidget(title);
    emptyLayout->addWidget(text);
    emptyLayout->addWidget(m_emptyButtons, 0, Qt::AlignHCenter);
    emptyLayout->addStretch(3);

    m_stack = new QStackedWidget;
    m_stack->addWidget(m_table);
    m_stack->addWidget(m_empty);
    layout->addWidget(m_stack, 1);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        const std::optional<DocumentRecord> doc = currentRecord();
        m_current = doc ? doc->id : 0;
        Q_EMIT currentDocumentChanged(doc);
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this] { Q_EMIT selectionChanged(static_cast<int>(selectedIds().size())); });
    connect(m_model, &LibraryModel::refreshed, this, &LibraryPanel::updateEmptyState);
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        // Keep the document the analyst was looking at selected across reloads.
        if (m_current != 0)
            selectDocument(m_current);
    });
    updateEmptyState();
}

void LibraryPanel::setEmptyActions(const QList<QAction *> &actions)
{
    for (QAction *a : actions) {
        auto *b = new QToolButton;
        b->setDefaultAction(a);
        b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        m_emptyButtons->layout()->addWidget(b);
    }
}

QList<qint64> LibraryPanel::selectedIds() const
{
    QList<qint64> ids;
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    for (const QModelIndex &row : rows)
        ids.append(m_proxy->mapToSource(row).data(LibraryModel::DocumentIdRole).toLongLong());
    return ids;
}

std::optional<DocumentRecord> LibraryPanel::currentRecord() const
{
    return m_model->record(m_proxy->mapToSource(m_table->currentIndex()));
}

void LibraryPanel::selectDocument(qint64 id)
{
    const QModelIndex source = m_model->indexOf(id);
    if (!source.isValid())
        return;
    const QModelIndex index = m_proxy->mapFromSource(source);
    if (!index.isValid())
        return;
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
}

void LibraryPanel::focusFilter()
{
    m_filter->setFocus();
    m_filter->selectAll();
}

QByteArray LibraryPanel::saveState() const
{
    return m_table->horizontalHeader()->saveState();
}

void LibraryPanel::restoreState(const QByteArray &state)
{
    if (!state.isEmpty())
        m_table->horizontalHeader()->restoreState(state);
}

void LibraryPanel::updateEmptyState()
{
    m_stack->setCurrentWidget(m_model->isLoaded() && m_model->isEmpty() ? m_empty : m_table);
}

} // namespace docsight
