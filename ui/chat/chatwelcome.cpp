#include "chat/chatwelcome.h"

#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace docsight {

ChatWelcome::ChatWelcome(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 24, 8, 8);
    auto *title = new QLabel(tr("Ask your documents"));
    QFont big = title->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    big.setWeight(QFont::DemiBold);
    title->setFont(big);
    auto *text = new QLabel(tr("Every answer quotes the passages it rests on. Click a source such as "
                               "<b>[S1]</b> to see it highlighted on its page. Try one of these:"));
    text->setWordWrap(true);
    text->setForegroundRole(QPalette::PlaceholderText);
    m_suggestions = new QWidget;
    new QVBoxLayout(m_suggestions);
    m_suggestions->layout()->setContentsMargins(0, 4, 0, 0);
    layout->addWidget(title);
    layout->addWidget(text);
    layout->addWidget(m_suggestions);
}

void ChatWelcome::setSuggestions(const QStringList &questions)
{
    QLayout *box = m_suggestions->layout();
    while (QLayoutItem *item = box->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    for (const QString &q : questions) {
        auto *b = new QPushButton(q);
        b->setObjectName(QStringLiteral("suggestion"));
        b->setFlat(false);
        b->setCursor(Qt::PointingHandCursor);
        b->setStyleSheet(QStringLiteral("text-align: left; padding: 6px 10px;"));
        connect(b, &QPushButton::clicked, this, [this, q] { Q_EMIT suggestionClicked(q); });
        box->addWidget(b);
    }
}

} // namespace docsight
