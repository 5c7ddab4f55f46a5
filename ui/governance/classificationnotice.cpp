#include "governance/classificationnotice.h"

#include "common/icons.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace docsight {

ClassificationNotice::ClassificationNotice(QWidget *parent) : QFrame(parent)
{
    setObjectName(QStringLiteral("classificationNotice"));
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::ToolTipBase);
    setForegroundRole(QPalette::ToolTipText);
    setFrameShape(QFrame::StyledPanel);
    auto *layout = new QHBoxLayout;
    layout->setContentsMargins(0, 0, 0, 0);
    auto *icon = new QLabel;
    icon->setPixmap(icons::icon(QStringLiteral("shield")).pixmap(18, 18));
    m_label = new QLabel;
    m_label->setObjectName(QStringLiteral("classificationNoticeText"));
    m_label->setWordWrap(true);
    m_label->setTextFormat(Qt::PlainText);
    m_accept = new QPushButton;
    m_accept->setObjectName(QStringLiteral("acceptClassification"));
    m_dismiss = new QPushButton(tr("Not Now"));
    m_dismiss->setObjectName(QStringLiteral("dismissClassification"));
    // Text on top, buttons under it: the library pane is narrow.
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(8, 6, 6, 6);
    outer->setSpacing(4);
    layout->addWidget(icon, 0, Qt::AlignTop);
    layout->addWidget(m_label, 1);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(m_accept);
    buttons->addWidget(m_dismiss);
    outer->addLayout(layout);
    outer->addLayout(buttons);
    connect(m_accept, &QPushButton::clicked, this, [this] {
        if (m_queue.isEmpty())
            return;
        const Item item = m_queue.takeFirst();
        Q_EMIT classifyRequested(item.documentId, static_cast<int>(*item.suggestion.level));
        showFirst();
    });
    connect(m_dismiss, &QPushButton::clicked, this, [this] {
        if (!m_queue.isEmpty())
            m_queue.removeFirst();
        showFirst();
    });
    hide();
}

void ClassificationNotice::suggest(qint64 documentId, const QString &documentName, const ClassificationSuggestion &suggestion)
{
    if (!suggestion.level)
        return;
    for (Item &item : m_queue) {
        if (item.documentId == documentId) {
            item.suggestion = suggestion;
            showFirst();
            return;
        }
    }
    m_queue.append({documentId, documentName, suggestion});
    showFirst();
}

QString ClassificationNotice::text() const
{
    return m_label->text();
}

void ClassificationNotice::showFirst()
{
    if (m_queue.isEmpty()) {
        hide();
        return;
    }
    const Item &item = m_queue.constFirst();
    const QString level = classificationName(*item.suggestion.level);
    QStringList found;
    for (auto it = item.suggestion.counts.cbegin(); it != item.suggestion.counts.cend(); ++it)
        found << QStringLiteral("%1 %2").arg(it.value()).arg(it.key());
    found.sort();
    QString text = found.isEmpty() ? tr("PII found in %1: classify %2?").arg(item.name, level)
                                   : tr("PII found in %1 (%2): classify %3?").arg(item.name, found.join(QStringLiteral(", ")), level);
    if (m_queue.size() > 1)
        text += QLatin1Char(' ') + tr("(%n more suggestion(s) after this one)", nullptr, static_cast<int>(m_queue.size() - 1));
    m_label->setText(text);
    m_label->setToolTip(item.suggestion.reason);
    m_accept->setText(tr("Classify %1").arg(level));
    show();
}

} // namespace docsight
