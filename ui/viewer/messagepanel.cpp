#include "viewer/messagepanel.h"

#include "common/icons.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace docsight {

MessagePanel::MessagePanel(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 24, 24, 24);
    layout->addStretch(2);
    m_title = new QLabel;
    m_title->setObjectName(QStringLiteral("messageTitle"));
    m_title->setAlignment(Qt::AlignCenter);
    m_title->setWordWrap(true);
    QFont big = m_title->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    big.setWeight(QFont::DemiBold);
    m_title->setFont(big);
    m_text = new QLabel;
    m_text->setAlignment(Qt::AlignCenter);
    m_text->setWordWrap(true);
    m_text->setForegroundRole(QPalette::PlaceholderText);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_retry = new QPushButton(icons::icon(QStringLiteral("retry")), tr("Retry Import"));
    m_password = new QPushButton(tr("Enter Password…"));
    connect(m_retry, &QPushButton::clicked, this, &MessagePanel::retryClicked);
    connect(m_password, &QPushButton::clicked, this, &MessagePanel::passwordClicked);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(m_password);
    buttons->addWidget(m_retry);
    buttons->addStretch();
    layout->addWidget(m_title);
    layout->addSpacing(6);
    layout->addWidget(m_text);
    layout->addSpacing(12);
    layout->addLayout(buttons);
    layout->addStretch(3);
}

void MessagePanel::setMessage(const QString &title, const QString &text, bool retry, bool password)
{
    m_title->setText(title);
    m_text->setText(text);
    m_text->setVisible(!text.isEmpty());
    m_retry->setVisible(retry);
    m_password->setVisible(password);
}

QString MessagePanel::title() const
{
    return m_title->text();
}

} // namespace docsight
