#include "governance/reportdialog.h"

#include <QCheckBox>
#include <QDateEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

namespace docsight {
namespace {

QDateEdit *dateEdit(const QString &name, const QDate &date)
{
    auto *edit = new QDateEdit(date);
    edit->setObjectName(name);
    edit->setCalendarPopup(true);
    edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
    edit->setEnabled(false);
    return edit;
}

} // namespace

ReportDialog::ReportDialog(qint64 currentConversation, const QString &currentTitle, QWidget *parent)
    : QDialog(parent)
    , m_conversation(currentConversation)
{
    setObjectName(QStringLiteral("reportDialog"));
    setWindowTitle(tr("Export Audit Report"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("A PDF of the documents, each question with its answer and quoted passages, what policy "
                                "withheld or redacted, usage and cost, and the verified audit trail."));
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto *scope = new QGroupBox(tr("Conversations"));
    auto *scopeLayout = new QVBoxLayout(scope);
    m_all = new QRadioButton(tr("All conversations"));
    m_all->setObjectName(QStringLiteral("reportAll"));
    m_current = new QRadioButton(currentConversation > 0 ? tr("The current conversation: %1").arg(currentTitle)
                                                         : tr("The current conversation (none stored yet)"));
    m_current->setObjectName(QStringLiteral("reportCurrent"));
    m_current->setEnabled(currentConversation > 0);
    m_all->setChecked(true);
    scopeLayout->addWidget(m_all);
    scopeLayout->addWidget(m_current);
    layout->addWidget(scope);

    auto *period = new QGroupBox(tr("Period"));
    auto *form = new QFormLayout(period);
    const QDate today = QDate::currentDate();
    m_useFrom = new QCheckBox(tr("From:"));
    m_useFrom->setObjectName(QStringLiteral("reportUseFrom"));
    m_from = dateEdit(QStringLiteral("reportFrom"), QDate(today.year(), today.month(), 1));
    m_useTo = new QCheckBox(tr("To (inclusive):"));
    m_useTo->setObjectName(QStringLiteral("reportUseTo"));
    m_to = dateEdit(QStringLiteral("reportTo"), today);
    connect(m_useFrom, &QCheckBox::toggled, m_from, &QWidget::setEnabled);
    connect(m_useTo, &QCheckBox::toggled, m_to, &QWidget::setEnabled);
    form->addRow(m_useFrom, m_from);
    form->addRow(m_useTo, m_to);
    layout->addWidget(period);

    auto *error = new QLabel;
    error->setObjectName(QStringLiteral("reportError"));
    error->setStyleSheet(QStringLiteral("color: #c0392b;"));
    error->hide();
    layout->addWidget(error);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Choose File…"));
    connect(buttons, &QDialogButtonBox::accepted, this, [this, error] {
        if (m_useFrom->isChecked() && m_useTo->isChecked() && m_from->date() > m_to->date()) {
            error->setText(tr("The period starts after it ends: choose a “From” date on or before the “To” date."));
            error->show();
            m_from->setFocus();
            return; // stays open: nothing would be in the report
        }
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

AuditReportOptions ReportDialog::options() const
{
    AuditReportOptions o;
    o.conversationId = m_current->isChecked() ? m_conversation : 0;
    // Local days, as the analyst reads them; the report takes UTC instants (to is exclusive).
    if (m_useFrom->isChecked())
        o.from = QDateTime(m_from->date(), QTime(0, 0)).toUTC();
    if (m_useTo->isChecked())
        o.to = QDateTime(m_to->date().addDays(1), QTime(0, 0)).toUTC();
    return o;
}

} // namespace docsight
