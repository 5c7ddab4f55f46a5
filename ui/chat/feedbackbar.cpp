#include "chat/feedbackbar.h"

#include "common/icons.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace docsight {
namespace {

QToolButton *button(const QString &icon, const QString &name, const QString &tip)
{
    auto *b = new QToolButton;
    b->setObjectName(name);
    b->setIcon(icons::icon(icon));
    b->setToolTip(tip);
    b->setAccessibleName(tip);
    b->setAutoRaise(true);
    b->setCheckable(true);
    return b;
}

} // namespace

FeedbackBar::FeedbackBar(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("feedbackBar"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    m_up = button(QStringLiteral("thumb-up"), QStringLiteral("thumbsUp"), tr("Good answer"));
    m_down = button(QStringLiteral("thumb-down"), QStringLiteral("thumbsDown"), tr("Bad answer"));
    m_correct = button(QStringLiteral("edit"), QStringLiteral("correctAnswer"), tr("Send a correction of this answer"));
    m_correct->setText(tr("Correct…"));
    m_correct->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_status = new QLabel;
    m_status->setForegroundRole(QPalette::PlaceholderText);
    QFont small = m_status->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_status->setFont(small);
    layout->addWidget(m_up);
    layout->addWidget(m_down);
    layout->addWidget(m_correct);
    layout->addWidget(m_status);
    // A click asks; the state changes only once the feedback is recorded. Clicking the chosen thumb again
    // takes it back.
    connect(m_up, &QToolButton::clicked, this, [this] {
        m_up->setChecked(m_rating > 0);
        Q_EMIT rated(m_rating > 0 ? 0 : 1);
    });
    connect(m_down, &QToolButton::clicked, this, [this] {
        m_down->setChecked(m_rating < 0);
        Q_EMIT rated(m_rating < 0 ? 0 : -1);
    });
    connect(m_correct, &QToolButton::clicked, this, [this] {
        m_correct->setChecked(m_corrected);
        Q_EMIT correctionRequested();
    });
}

void FeedbackBar::setState(int rating, bool corrected)
{
    m_rating = rating;
    m_corrected = corrected;
    m_up->setChecked(rating > 0);
    m_down->setChecked(rating < 0);
    m_correct->setChecked(corrected);
    QStringList said;
    if (rating > 0)
        said << tr("Marked helpful");
    else if (rating < 0)
        said << tr("Marked wrong");
    if (corrected)
        said << tr("correction sent");
    m_status->setText(said.join(QStringLiteral(" · ")));
    m_status->setToolTip({});
}

void FeedbackBar::setPending(bool pending)
{
    m_up->setEnabled(!pending);
    m_down->setEnabled(!pending);
    m_correct->setEnabled(!pending);
    if (pending)
        m_status->setText(tr("Saving…"));
}

void FeedbackBar::setError(const QString &message)
{
    setPending(false);
    m_status->setText(tr("Feedback not saved"));
    m_status->setToolTip(message);
}

} // namespace docsight
