#include "shell/governanceactions.h"

#include "chat/chatcontroller.h"
#include "chat/chatpanel.h"
#include "common/icons.h"
#include "governance/classificationnotice.h"
#include "governance/governancecontroller.h"
#include "governance/reportdialog.h"
#include "governance/usagedashboard.h"
#include "library/librarycontroller.h"

#include <QAction>
#include <QDesktopServices>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QMainWindow>
#include <QMessageBox>
#include <QProgressDialog>
#include <QPushButton>
#include <QStandardPaths>
#include <QStatusBar>
#include <QUrl>

namespace docsight {

GovernanceActions::GovernanceActions(QMainWindow *window, GovernanceController *governance, ChatPanel *chat,
                                     ChatController *chatController, LibraryController *library, ClassificationNotice *notice)
    : QObject(window)
    , m_window(window)
    , m_governance(governance)
    , m_chat(chat)
    , m_library(library)
    , m_notice(notice)
{
    m_dashboard = new UsageDashboard;
    m_dock = new QDockWidget(tr("Usage This Month"), window);
    m_dock->setObjectName(QStringLiteral("usageDock"));
    m_dock->setWidget(m_dashboard);
    m_dock->setAllowedAreas(Qt::BottomDockWidgetArea | Qt::RightDockWidgetArea | Qt::LeftDockWidgetArea);
    window->addDockWidget(Qt::BottomDockWidgetArea, m_dock);
    m_dock->hide();
    QAction *toggle = m_dock->toggleViewAction();
    toggle->setText(tr("&Usage Dashboard"));
    toggle->setIcon(icons::icon(QStringLiteral("usage")));
    toggle->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_U));
    toggle->setObjectName(QStringLiteral("showUsageDashboard"));
    connect(m_dock, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        if (visible)
            m_governance->refreshUsage();
    });
    connect(m_dashboard, &UsageDashboard::refreshRequested, m_governance, &GovernanceController::refreshUsage);
    connect(m_governance, &GovernanceController::usageReady, m_dashboard, &UsageDashboard::setSummary);
    // Every answer is metered when it is stored: the numbers move after each one.
    connect(chatController, &ChatController::finished, this, &GovernanceActions::refreshUsageIfShown);
    connect(m_governance, &GovernanceController::feedbackRecorded, this, &GovernanceActions::refreshUsageIfShown);

    m_export = new QAction(icons::icon(QStringLiteral("report")), tr("&Export Audit Report…"), this);
    m_export->setObjectName(QStringLiteral("exportAuditReport"));
    m_export->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    m_export->setToolTip(tr("Write a PDF of the questions, answers, sources, policy decisions, usage and the verified "
                            "audit trail (Ctrl+Shift+E)"));
    connect(m_export, &QAction::triggered, this, &GovernanceActions::exportAuditReport);
    connect(m_governance, &GovernanceController::exportingChanged, this, &GovernanceActions::onExporting);
    connect(m_governance, &GovernanceController::reportExported, this, &GovernanceActions::onReportExported);

    connect(m_governance, &GovernanceController::settingsSaved, this, [this](bool ok, const QString &error) {
        if (ok) {
            m_window->statusBar()->showMessage(tr("Governance settings saved"), 5000);
            return;
        }
        auto *box = new QMessageBox(QMessageBox::Warning, tr("Governance Settings"),
                                    tr("The governance settings could not be saved: %1").arg(error), QMessageBox::Close, m_window);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    });

    connect(m_library, &LibraryController::documentFinished, this, &GovernanceActions::onImportFinished);
    connect(m_governance, &GovernanceController::classificationSuggested, m_notice, &ClassificationNotice::suggest);
    connect(m_notice, &ClassificationNotice::classifyRequested, this, [this](qint64 documentId, int level) {
        m_library->classify({documentId}, level); // audited, as the Classification menu
    });
}

QAction *GovernanceActions::usageDashboardAction() const
{
    return m_dock->toggleViewAction();
}

void GovernanceActions::refreshUsageIfShown()
{
    if (m_dock->isVisible())
        m_governance->refreshUsage();
}

void GovernanceActions::onImportFinished(const ImportOutcome &outcome)
{
    if (outcome.result == ImportOutcome::Result::Imported && outcome.documentId != 0)
        m_governance->suggestClassification(outcome.documentId, outcome.name);
}

void GovernanceActions::exportAuditReport()
{
    if (m_governance->isExporting())
        return;
    const Conversation &current = m_chat->conversation();
    ReportDialog dialog(current.storedId, current.title, m_window);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const AuditReportOptions options = dialog.options();
    QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (folder.isEmpty())
        folder = QDir::homePath();
    const QString suggested = QDir(folder).filePath(
        QStringLiteral("audit-report-%1.pdf").arg(QDate::currentDate().toString(QStringLiteral("yyyy-MM-dd"))));
    QString path = m_savePrompt ? m_savePrompt(suggested)
                                : QFileDialog::getSaveFileName(m_window, tr("Export Audit Report"), suggested, tr("PDF files (*.pdf)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(QLatin1String(".pdf"), Qt::CaseInsensitive))
        path += QStringLiteral(".pdf");
    m_governance->exportReport(path, options);
}

void GovernanceActions::onExporting(bool busy)
{
    m_export->setEnabled(!busy);
    if (busy) {
        m_progress = new QProgressDialog(tr("Writing the audit report and verifying the audit trail…"), QString(), 0, 0, m_window);
        m_progress->setObjectName(QStringLiteral("reportProgress"));
        m_progress->setWindowTitle(tr("Export Audit Report"));
        m_progress->setCancelButton(nullptr);
        m_progress->setWindowModality(Qt::WindowModal);
        m_progress->setMinimumDuration(0);
        m_progress->setAttribute(Qt::WA_DeleteOnClose);
        m_progress->show();
    } else if (m_progress) {
        m_progress->close();
    }
}

void GovernanceActions::onReportExported(const AuditReportResult &r)
{
    auto *box = new QMessageBox(m_window);
    box->setObjectName(QStringLiteral("reportResult"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowTitle(tr("Export Audit Report"));
    if (!r.ok) {
        box->setIcon(QMessageBox::Warning);
        box->setText(tr("The audit report could not be written."));
        box->setInformativeText(r.error);
        box->setStandardButtons(QMessageBox::Close);
        box->open();
        return;
    }
    const QString path = QDir::toNativeSeparators(r.path);
    box->setIcon(r.verification.intact ? QMessageBox::Information : QMessageBox::Warning);
    box->setText(tr("The audit report was written to %1").arg(path));
    box->setInformativeText(
        tr("%n page(s), %1 question(s), %2 document(s).", nullptr, r.pages).arg(r.questions).arg(r.documents) + QLatin1Char(' ')
        + (r.verification.intact ? tr("Audit trail verified (head %1).").arg(r.chainHead)
                                 : tr("The audit trail FAILED verification (head %1): the report says so on its cover.")
                                       .arg(r.chainHead)));
    QPushButton *open = box->addButton(tr("Open"), QMessageBox::AcceptRole);
    open->setObjectName(QStringLiteral("openReport"));
    box->addButton(QMessageBox::Close);
    connect(open, &QPushButton::clicked, box, [path = r.path] { QDesktopServices::openUrl(QUrl::fromLocalFile(path)); });
    box->open();
    m_window->statusBar()->showMessage(tr("Audit report written to %1").arg(path), 10000);
}

} // namespace docsight
