#pragma once

#include "report/auditreport.h"

#include <functional>

#include <QObject>
#include <QPointer>

class QAction;
class QDockWidget;
class QMainWindow;
class QMessageBox;
class QProgressDialog;

namespace docsight {

class ChatController;
class ChatPanel;
class ClassificationNotice;
class GovernanceController;
class LibraryController;
class UsageDashboard;
struct ImportOutcome;

// The governance features of the main window, wired to GovernanceController: View → Usage Dashboard (a dock,
// refreshed when it opens and after every answer), File → Export Audit Report… (scope dialog, save dialog,
// the report written on a worker behind a busy indicator, then the result with an Open button), the outcome
// of saving Governance settings, and classification suggestions after import.
class GovernanceActions final : public QObject
{
    Q_OBJECT

public:
    // Chooses where the report goes (default: a save-file dialog); empty cancels. Injectable for tests.
    using SavePathPrompt = std::function<QString(const QString &suggestedPath)>;

    GovernanceActions(QMainWindow *window, GovernanceController *governance, ChatPanel *chat, ChatController *chatController,
                      LibraryController *library, ClassificationNotice *notice);

    QAction *usageDashboardAction() const;
    QAction *exportReportAction() const { return m_export; }
    QDockWidget *usageDock() const { return m_dock; }
    UsageDashboard *usageDashboard() const { return m_dashboard; }
    void setSavePathPrompt(SavePathPrompt prompt) { m_savePrompt = std::move(prompt); }

    void exportAuditReport();

private:
    void onExporting(bool busy);
    void onReportExported(const AuditReportResult &result);
    void onImportFinished(const ImportOutcome &outcome);
    void refreshUsageIfShown();

    QMainWindow *m_window = nullptr;
    GovernanceController *m_governance = nullptr;
    ChatPanel *m_chat = nullptr;
    LibraryController *m_library = nullptr;
    ClassificationNotice *m_notice = nullptr;
    QDockWidget *m_dock = nullptr;
    UsageDashboard *m_dashboard = nullptr;
    QAction *m_export = nullptr;
    QPointer<QProgressDialog> m_progress;
    SavePathPrompt m_savePrompt;
};

} // namespace docsight
