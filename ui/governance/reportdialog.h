#pragma once

#include "report/auditreport.h"

#include <QDialog>

class QCheckBox;
class QDateEdit;
class QRadioButton;

namespace docsight {

// Asks what the audit report covers: every conversation or the current one, and optionally a period.
// Shows only: the report is written by core/report on a worker.
class ReportDialog final : public QDialog
{
    Q_OBJECT

public:
    // currentConversation: the stored conversation of the chat pane (0: none, so the choice is disabled).
    ReportDialog(qint64 currentConversation, const QString &currentTitle, QWidget *parent = nullptr);

    AuditReportOptions options() const;

private:
    qint64 m_conversation = 0;
    QRadioButton *m_all = nullptr;
    QRadioButton *m_current = nullptr;
    QCheckBox *m_useFrom = nullptr;
    QCheckBox *m_useTo = nullptr;
    QDateEdit *m_from = nullptr;
    QDateEdit *m_to = nullptr;
};

} // namespace docsight
