#include "library/progressdelegate.h"

#include "library/librarymodel.h"

#include <QApplication>
#include <QMouseEvent>
#include <QPainter>

namespace docsight {
namespace {

bool isFailed(const QModelIndex &index)
{
    return static_cast<DocumentStatus>(index.data(LibraryModel::StatusRole).toInt()) == DocumentStatus::Failed;
}

} // namespace

QString ProgressDelegate::linkText(const QModelIndex &index)
{
    if (index.column() != LibraryModel::Status || !isFailed(index)
        || index.data(LibraryModel::ErrorKindRole).toString() == QLatin1String("unsupported"))
        return {};
    return index.data(LibraryModel::ErrorKindRole).toString() == QLatin1String("password-required")
               ? QObject::tr("Unlock…")
               : QObject::tr("Retry");
}

QRect ProgressDelegate::linkRect(const QStyleOptionViewItem &option, const QModelIndex &index)
{
    const QString link = linkText(index);
    if (link.isEmpty())
        return {};
    const int width = option.fontMetrics.horizontalAdvance(link) + 12;
    return QRect(option.rect.right() - width, option.rect.top(), width, option.rect.height());
}

QSize ProgressDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.setHeight(std::max(size.height(), option.fontMetrics.height() + 10));
    return size;
}

void ProgressDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    if (index.column() != LibraryModel::Status) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    const int percent = index.data(LibraryModel::ProgressRole).toInt();
    if (percent >= 0) {
        QStyleOptionViewItem background = option;
        initStyleOption(&background, index);
        background.text.clear();
        background.icon = QIcon();
        QApplication::style()->drawControl(QStyle::CE_ItemViewItem, &background, painter, option.widget);
        QStyleOptionProgressBar bar;
        bar.rect = option.rect.adjusted(3, 3, -3, -3);
        bar.minimum = 0;
        bar.maximum = 100;
        bar.progress = percent;
        bar.text = index.data(Qt::DisplayRole).toString();
        bar.textVisible = true;
        bar.state = option.state | QStyle::State_Horizontal;
        bar.palette = option.palette;
        QApplication::style()->drawControl(QStyle::CE_ProgressBar, &bar, painter, option.widget);
        return;
    }
    const QRect link = linkRect(option, index);
    if (link.isNull()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionViewItem text = option;
    initStyleOption(&text, index);
    text.rect.setRight(link.left() - 2);
    QApplication::style()->drawControl(QStyle::CE_ItemViewItem, &text, painter, option.widget);
    // The part of the row under the link gets the row's background too.
    QStyleOptionViewItem rest = option;
    initStyleOption(&rest, index);
    rest.rect = link.adjusted(-2, 0, 0, 0);
    rest.text.clear();
    rest.icon = QIcon();
    QApplication::style()->drawControl(QStyle::CE_ItemViewItem, &rest, painter, option.widget);
    painter->save();
    QFont f = option.font;
    f.setUnderline(true);
    painter->setFont(f);
    painter->setPen(option.state & QStyle::State_Selected ? option.palette.color(QPalette::HighlightedText)
                                                          : option.palette.color(QPalette::Link));
    painter->drawText(link, Qt::AlignCenter, linkText(index));
    painter->restore();
}

bool ProgressDelegate::editorEvent(QEvent *event, QAbstractItemModel *model, const QStyleOptionViewItem &option,
                                   const QModelIndex &index)
{
    if (event->type() == QEvent::MouseButtonRelease) {
        const auto *mouse = static_cast<QMouseEvent *>(event);
        if (mouse->button() == Qt::LeftButton && linkRect(option, index).contains(mouse->position().toPoint())) {
            Q_EMIT retryClicked(index);
            return true;
        }
    }
    return QStyledItemDelegate::editorEvent(event, model, option, index);
}

} // namespace docsight
