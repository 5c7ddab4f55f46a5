#include "viewer/findbar.h"

#include "common/icons.h"

#include <QApplication>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QToolButton>

namespace docsight {

FindBar::FindBar(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 2, 4, 4);
    m_edit = new QLineEdit;
    m_edit->setObjectName(QStringLiteral("findField"));
    m_edit->setPlaceholderText(tr("Find in document"));
    m_edit->setClearButtonEnabled(true);
    m_edit->installEventFilter(this);
    connect(m_edit, &QLineEdit::textChanged, this, &FindBar::textChanged);
    connect(m_edit, &QLineEdit::returnPressed, this, [this] {
        (QApplication::keyboardModifiers() & Qt::ShiftModifier) ? Q_EMIT previous() : Q_EMIT next();
    });
    m_count = new QLabel;
    m_count->setForegroundRole(QPalette::PlaceholderText);
    const auto button = [this](const QString &icon, const QString &tip) {
        auto *b = new QToolButton;
        b->setIcon(icons::icon(icon));
        b->setToolTip(tip);
        b->setAutoRaise(true);
        return b;
    };
    QToolButton *prev = button(QStringLiteral("page-up"), tr("Previous match (Shift+F3)"));
    QToolButton *next = button(QStringLiteral("page-down"), tr("Next match (F3)"));
    QToolButton *close = button(QStringLiteral("close"), tr("Close (Esc)"));
    connect(prev, &QToolButton::clicked, this, &FindBar::previous);
    connect(next, &QToolButton::clicked, this, &FindBar::next);
    connect(close, &QToolButton::clicked, this, [this] {
        hide();
        Q_EMIT closed();
    });
    layout->addWidget(m_edit, 1);
    layout->addWidget(m_count);
    layout->addWidget(prev);
    layout->addWidget(next);
    layout->addWidget(close);
}

QString FindBar::text() const
{
    return m_edit->text();
}

void FindBar::setCountText(const QString &text)
{
    m_count->setText(text);
}

void FindBar::activate()
{
    show();
    m_edit->setFocus();
    m_edit->selectAll();
}

bool FindBar::eventFilter(QObject *watched, QEvent *event)
{
    if ((event->type() == QEvent::ShortcutOverride || event->type() == QEvent::KeyPress)
        && static_cast<QKeyEvent *>(event)->key() == Qt::Key_Escape) {
        event->accept();
        if (event->type() == QEvent::KeyPress) {
            hide();
            Q_EMIT closed();
        }
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace docsight
