#pragma once

#include <QStyledItemDelegate>

namespace docsight {

// Draws an import progress bar in cells whose ProgressRole is 0..100; plain text otherwise.
class ProgressDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace docsight
