#pragma once

#include "audit/auditlog.h"

#include <memory>

#include <QDateTime>
#include <QString>

namespace docsight {

class Library;

struct AuditReportOptions {
    qint64 conversationId = 0;   // 0: every conversation
    QDateTime from;              // UTC; invalid: from the beginning
    QDateTime to;                // UTC, exclusive; invalid: until now
    QString analyst;             // empty: the operating-system user name
    QString libraryName;         // empty: the library folder's name
};

struct AuditReportResult {
    bool ok = false;
    QString error;               // analyst-facing
    QString path;
    int pages = 0;
    int questions = 0;
    int documents = 0;
    AuditVerification verification;
    QString chainHead;           // "seq:hash" as stored with the trail (shown even when verification fails)
    QString sha256;              // of the written PDF, also recorded in the audit trail
};

// The audit report as a PDF (QTextDocument laid out on a QPdfWriter): a cover (library, analyst, period,
// Docsight version, chain status), the documents (name, SHA-256, pages, OCR pages, classification), each question
// and answer with the quoted passages and their pages, provider, model and parameters, what policy withheld or
// redacted and which passages were flagged, usage and cost totals, feedback, and the audit chain head with the
// result of verifying it (a broken chain reads FAILED, on the cover and in its section). Writing the report is
// itself audited ("report.exported", with the PDF's SHA-256).
// Needs a QGuiApplication (fonts): the CLI creates one on the offscreen platform. Blocking; safe to run on a
// worker thread.
namespace auditreport {

AuditReportResult exportPdf(const std::shared_ptr<Library> &library, const QString &path,
                            const AuditReportOptions &options = {});

// The report's content as HTML (what exportPdf lays out), for previews and tests.
QString html(const std::shared_ptr<Library> &library, const AuditReportOptions &options,
             AuditReportResult *facts = nullptr);

QString osUserName();

} // namespace auditreport

} // namespace docsight
