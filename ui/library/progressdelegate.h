#pragma once

#include <QStyledItemDelegate>

namespace docsight {

// Draws the library's Status cells: an import progress bar while a document is being read (ProgressRole
// 0..100), and for a failed document its reason with a "Retry" (or "Enter password") link in place.
class ProgressDelegate final : public QStyledItemDelegate
{
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    bool editorEvent(QEvent *event, QAbstractItemModel *model, const QStyleOptionViewItem &option,
                     const QModelIndex &index) override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

Q_SIGNALS:
    void retryClicked(const QModelIndex &index);

private:
    static QString linkText(const QModelIndex &index);
    static QRect linkRect(const QStyleOptionViewItem &option, const QModelIndex &index);
};

} // namespace docsight
