#include "report/auditreport.h"

#include "governance/usagemeter.h"
#include "store/messagestore.h"
#include "store/documentstore.h"
#include "store/library.h"
#include "store/meta.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <pwd.h>
#include <unistd.h>

#include <QAbstractTextDocumentLayout>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPainter>
#include <QPdfWriter>
#include <QSqlQuery>
#include <QTextDocument>
#include <QTextFrame>
#include <QTextTable>

namespace docsight {

Q_LOGGING_CATEGORY(lcReport, "docsight.report.audit")

namespace {

constexpr int kMaxAuditRows = 400;

QString esc(const QString &s)
{
    return s.toHtmlEscaped();
}

QString when(const QDateTime &at)
{
    return at.isValid() ? at.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'")) : QStringLiteral("\u2014");
}

QString money(double usd)
{
    // Sub-dollar costs of single questions need more than cents to be seen at all.
    return QStringLiteral("$") + QString::number(usd, 'f', usd > 0.0 && usd < 1.0 ? 4 : 2);
}

QString percent(double share)
{
    return QString::number(share * 100.0, 'f', 1) + QLatin1Char('%');
}

QString row(const QStringList &cells, bool header = false)
{
    QString out = QStringLiteral("<tr>");
    for (const QString &c : cells)
        out += (header ? QStringLiteral("<th>") : QStringLiteral("<td>")) + c + (header ? QStringLiteral("</th>") : QStringLiteral("</td>"));
    return out + QStringLiteral("</tr>");
}

// A question's search scope, by name: "R-intro.pdf (id 9), notes.docx (id 12)". A document removed since is
// named by its id alone.
QString documentNames(const QJsonArray &ids, const QHash<qint64, QString> &namesById)
{
    QStringList names;
    for (const QJsonValue v : ids) {
        const qint64 id = v.toInteger();
        const QString name = namesById.value(id);
        names << (name.isEmpty() ? QStringLiteral("document %1 (since removed)").arg(id)
                                 : QStringLiteral("%1 (id %2)").arg(name).arg(id));
    }
    return names.isEmpty() ? QStringLiteral("the whole library") : names.join(QStringLiteral(", "));
}

// Padding given to cells in CSS is laid out in the paint device's pixels, and the PDF writer's are 1/300 inch,
// so cells came out with hairline padding and a heading ran into the table above it. A table's own format is
// in 1/96-inch units that the layout scales to the device: set padding and margins there, in points.
void spaceTables(QTextDocument &doc)
{
    const auto points = [](qreal pt) { return pt * 96.0 / 72.0; };
    for (QTextFrame *frame : doc.rootFrame()->childFrames()) {
        auto *table = qobject_cast<QTextTable *>(frame);
        if (!table)
            continue;
        QTextTableFormat format = table->format();
        format.setCellPadding(points(3));
        format.setTopMargin(points(2));
        format.setBottomMargin(points(8));
        table->setFormat(format);
    }
}

struct Feedback {
    int rating = 0;
    QString correction;
};

QHash<qint64, QList<Feedback>> feedbackByMessage(QSqlDatabase &db)
{
    QHash<qint64, QList<Feedback>> out;
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT message_id, rating, correction FROM feedback ORDER BY at, id")))
        return out;
    while (q.next())
        out[q.value(0).toLongLong()].append({q.value(1).toInt(), q.value(2).toString()});
    return out;
}

QString governanceHtml(const QJsonObject &g)
{
    QString out;
    const QJsonArray withheld = g.value(QLatin1String("withheld")).toArray();
    if (!withheld.isEmpty()) {
        QStringList parts;
        int total = 0;
        for (const QJsonValue v : withheld) {
            const QJsonObject w = v.toObject();
            total += w.value(QLatin1String("passages")).toInt();
            parts << QStringLiteral("%1 (%2)").arg(esc(w.value(QLatin1String("document")).toString()))
                         .arg(w.value(QLatin1String("passages")).toInt());
        }
        out += QStringLiteral("<p class='gov'><b>Withheld by policy:</b> %1 passage(s) from Restricted documents were not "
                              "sent to the cloud provider: %2.</p>")
                   .arg(total)
                   .arg(parts.join(QStringLiteral(", ")));
    }
    const QJsonObject redactions = g.value(QLatin1String("redactions")).toObject();
    if (!redactions.isEmpty()) {
        QStringList parts;
        for (auto it = redactions.begin(); it != redactions.end(); ++it)
            parts << QStringLiteral("%1 \u00d7 %2").arg(it.value().toInt()).arg(esc(it.key()));
        out += QStringLiteral("<p class='gov'><b>Redactions applied:</b> %1 in %2 passage(s); the provider saw placeholders, "
                              "the answer shows the originals.</p>")
                   .arg(parts.join(QStringLiteral(", ")))
                   .arg(g.value(QLatin1String("redacted_passages")).toInt());
    }
    if (g.value(QLatin1String("routed_locally")).toBool())
        out += QStringLiteral("<p class='gov'><b>Answered locally:</b> Restricted passages were involved, so the local "
                              "provider answered instead of the cloud provider.</p>");
    for (const QJsonValue v : g.value(QLatin1String("injection_flags")).toArray()) {
        const QJsonObject f = v.toObject();
        QStringList signalNames;
        for (const QJsonValue s : f.value(QLatin1String("signals")).toArray())
            signalNames << s.toString();
        out += QStringLiteral("<p class='warn'><b>Possible prompt injection</b> in %1, page %2 (score %3: %4).</p>")
                   .arg(esc(f.value(QLatin1String("document")).toString()))
                   .arg(f.value(QLatin1String("page")).toInt())
                   .arg(f.value(QLatin1String("score")).toDouble(), 0, 'f', 2)
                   .arg(esc(signalNames.join(QStringLiteral(", "))));
    }
    const QJsonObject leak = g.value(QLatin1String("leak")).toObject();
    if (leak.value(QLatin1String("withheld")).toBool())
        out += QStringLiteral("<p class='warn'><b>Answer withheld:</b> %1.</p>").arg(esc(leak.value(QLatin1String("reason")).toString()));
    if (g.value(QLatin1String("budget_blocked")).toBool())
        out += QStringLiteral("<p class='warn'><b>Not sent:</b> the monthly cloud budget was spent.</p>");
    return out;
}

} // namespace

QString auditreport::osUserName()
{
    // The account, not the environment: USER and HOME are whatever the shell says (a sudo, a container, a
    // service), and a home folder's name is not a person. The full name from the account's GECOS field, with
    // the login in brackets, is what an auditor can trace.
    QString login;
    QString fullName;
    if (const passwd *account = ::getpwuid(::geteuid())) {
        login = QString::fromLocal8Bit(account->pw_name);
        if (account->pw_gecos)
            fullName = QString::fromLocal8Bit(account->pw_gecos).section(QLatin1Char(','), 0, 0).trimmed();
    }
    if (login.isEmpty()) {
        for (const char *variable : {"USER", "LOGNAME", "USERNAME"}) {
            login = qEnvironmentVariable(variable);
            if (!login.isEmpty())
                break;
        }
    }
    if (login.isEmpty())
        return QStringLiteral("unknown (user id %1)").arg(::geteuid());
    if (fullName.isEmpty() || fullName == login)
        return login;
    return QStringLiteral("%1 (%2)").arg(fullName, login);
}

QString auditreport::html(const std::shared_ptr<Library> &library, const AuditReportOptions &options, AuditReportResult *facts)
{
    QSqlDatabase db = library->connection();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QDateTime to = options.to.isValid() ? options.to : now.addSecs(1);
    const QDateTime from = options.from.isValid() ? options.from : QDateTime::fromMSecsSinceEpoch(0, Qt::UTC);
    const QString analyst = options.analyst.isEmpty() ? osUserName() : options.analyst;
    const QString libraryName = options.libraryName.isEmpty() ? QFileInfo(library->rootPath()).fileName() : options.libraryName;

    const MessageStore conversations(library);
    const QList<StoredMessage> messages = conversations.messages(options.conversationId, from, to);
    const QHash<qint64, QList<Feedback>> feedback = feedbackByMessage(db);

    // The documents: all of the library, or only those a conversation's answers touched.
    QList<DocumentRecord> documents = DocumentStore(library).list();
    QHash<qint64, QString> namesById;
    for (const DocumentRecord &d : std::as_const(documents))
        namesById.insert(d.id, d.name);
    if (options.conversationId != 0) {
        QSet<qint64> used;
        for (const StoredMessage &m : messages) {
            for (const StoredCitation &c : m.citations)
                used.insert(c.documentId);
            for (const QJsonValue v : m.governance.value(QLatin1String("withheld")).toArray())
                used.insert(v.toObject().value(QLatin1String("document_id")).toInteger());
            for (const QJsonValue v : m.governance.value(QLatin1String("source_document_ids")).toArray())
                used.insert(v.toInteger());
        }
        documents.removeIf([&](const DocumentRecord &d) { return !used.contains(d.id); });
    }

    const AuditVerification verification = auditlog::verify(db);
    const QString head = readMeta(db, QStringLiteral("audit_head")).value_or(QStringLiteral("(none)"));
    const UsageSummary usage = UsageMeter(library).summarize(from, to);

    QString h;
    h += QStringLiteral("<html><head><style>"
                        "body { font-family: 'DejaVu Sans'; font-size: 9pt; }"
                        "h1 { font-size: 20pt; } h2 { font-size: 14pt; margin-top: 14pt; } h3 { font-size: 11pt; margin-top: 10pt; }"
                        "table { border-collapse: collapse; } th, td { border: 1px solid #999; }"
                        "th { background: #e8e8e8; }"
                        ".mono { font-family: 'DejaVu Sans Mono'; font-size: 7.5pt; }"
                        ".quote { margin-left: 14pt; color: #333; font-style: italic; }"
                        ".gov { color: #1a4f8b; } .warn { color: #8b1a1a; }"
                        ".ok { color: #1b6e20; font-weight: bold; } .failed { color: #b00000; font-weight: bold; }"
                        "</style></head><body>");

    // Cover.
    const QString chainStatus = verification.intact
        ? QStringLiteral("<span class='ok'>VERIFIED</span> (%1 events)").arg(verification.events)
        : QStringLiteral("<span class='failed'>FAILED</span> at event %1: %2").arg(verification.firstBadSeq).arg(esc(verification.problem));
    h += QStringLiteral("<h1>Docsight audit report</h1><table width='100%' cellspacing='0' cellpadding='4'>");
    h += row({QStringLiteral("Library"), esc(libraryName) + QStringLiteral("<br/><span class='mono'>") + esc(QDir::toNativeSeparators(library->rootPath())) + QStringLiteral("</span>")});
    h += row({QStringLiteral("Analyst"), esc(analyst)});
    h += row({QStringLiteral("Period"), QStringLiteral("%1 to %2").arg(options.from.isValid() ? when(from) : QStringLiteral("the beginning"), when(to))});
    h += row({QStringLiteral("Scope"), options.conversationId != 0 ? QStringLiteral("conversation %1").arg(options.conversationId)
                                                                   : QStringLiteral("all conversations")});
    h += row({QStringLiteral("Generated"), when(now)});
    h += row({QStringLiteral("Docsight version"), QStringLiteral(DOCSIGHT_VERSION)});
    h += row({QStringLiteral("Audit trail"), chainStatus});
    h += row({QStringLiteral("Chain head"), QStringLiteral("<span class='mono'>") + esc(head) + QStringLiteral("</span>")});
    h += QStringLiteral("</table>");
    h += QStringLiteral("<p>%1 question(s), %2 document(s).</p>").arg(messages.size()).arg(documents.size());

    // Documents: one block each, so a 64-digit hash never wraps.
    h += QStringLiteral("<h2>Documents</h2>");
    for (const DocumentRecord &d : std::as_const(documents)) {
        h += QStringLiteral("<p><b>%1</b> (id %2) \u2014 %3 page(s), %4 read by OCR, %5, %6<br/>"
                            "<span class='mono'>SHA-256 %7</span></p>")
                 .arg(esc(d.name))
                 .arg(d.id)
                 .arg(d.pageCount)
                 .arg(d.ocrPages)
                 .arg(classificationName(d.classification), documentStatusName(d.status), d.sha256);
    }

    // Questions and answers.
    h += QStringLiteral("<h2>Questions and answers</h2>");
    if (messages.isEmpty())
        h += QStringLiteral("<p>No questions were asked in this period.</p>");
    int number = 0;
    for (const StoredMessage &m : messages) {
        ++number;
        h += QStringLiteral("<h3>Q%1 \u2014 conversation %2, %3</h3>").arg(number).arg(m.conversationId).arg(when(m.at));
        h += QStringLiteral("<p><b>Question:</b> %1</p>").arg(esc(m.question));
        h += QStringLiteral("<p><b>Answer</b> (%1): %2</p>").arg(esc(m.outcome), esc(m.answer).replace(QLatin1Char('\n'), QStringLiteral("<br/>")));
        QStringList params;
        const QString scope = documentNames(m.parameters.value(QLatin1String("documents")).toArray(), namesById);
        for (auto it = m.parameters.begin(); it != m.parameters.end(); ++it) {
            if (it.key() == QLatin1String("documents"))
                continue; // named in "Searched:" below
            params << QStringLiteral("%1 = %2").arg(it.key(), it.value().isString() ? it.value().toString()
                                                                                    : QString::fromUtf8(QJsonDocument(QJsonArray{it.value()}).toJson(QJsonDocument::Compact)).mid(1).chopped(1));
        }
        h += QStringLiteral("<p><b>Provider:</b> %1 (%2) \u2014 <b>model:</b> %3%4</p>")
                 .arg(esc(m.provider), esc(m.trust), esc(m.model),
                      params.isEmpty() ? QString() : QStringLiteral(" \u2014 <b>parameters:</b> ") + esc(params.join(QStringLiteral(", "))));
        h += QStringLiteral("<p><b>Searched:</b> %1</p>").arg(esc(scope));
        if (!m.citations.isEmpty()) {
            h += QStringLiteral("<p><b>Quoted passages:</b></p>");
            for (const StoredCitation &c : m.citations) {
                // "document, page N" kept on one line, so the reference reads (and searches) as one.
                h += QStringLiteral("<p class='quote'>[%1] <span style='white-space: nowrap'>%2, page %3</span>: \u201C%4\u201D</p>")
                         .arg(esc(c.marker), esc(c.document))
                         .arg(c.page)
                         .arg(esc(c.quote));
            }
        }
        h += governanceHtml(m.governance);
        for (const QJsonValue v : m.governance.value(QLatin1String("notices")).toArray())
            h += QStringLiteral("<p class='gov'>Note: %1</p>").arg(esc(v.toString()));
        for (const Feedback &f : feedback.value(m.id)) {
            h += QStringLiteral("<p><b>Feedback:</b> %1%2</p>")
                     .arg(f.rating > 0 ? QStringLiteral("thumbs up") : f.rating < 0 ? QStringLiteral("thumbs down")
                         : f.correction.isEmpty()            ? QStringLiteral("rating taken back")
                                                             : QStringLiteral("correction"),
                          f.correction.isEmpty() ? QString() : QStringLiteral(" \u2014 correction: \u201C") + esc(f.correction) + QStringLiteral("\u201D"));
        }
        h += QStringLiteral("<p class='mono'>question SHA-256 %1<br/>answer SHA-256 %2</p>").arg(m.questionSha256, m.answerSha256);
    }

    // Usage, cost, feedback.
    h += QStringLiteral("<h2>Usage and cost</h2><table cellspacing='0' cellpadding='4'>");
    h += row({QStringLiteral("Requests"), QString::number(usage.requests)});
    h += row({QStringLiteral("Errors"), QStringLiteral("%1 (%2)").arg(usage.errors).arg(percent(usage.errorRate))});
    h += row({QStringLiteral("Tokens in / out"), QStringLiteral("%1 / %2").arg(usage.inputTokens).arg(usage.outputTokens)});
    h += row({QStringLiteral("Cost"), money(usage.costUsd) + (usage.unpriced > 0 ? QStringLiteral(" (%1 request(s) without a price)").arg(usage.unpriced) : QString())});
    h += row({QStringLiteral("Latency p50 / p95 / p99"), QStringLiteral("%1 / %2 / %3 ms").arg(usage.latency.p50).arg(usage.latency.p95).arg(usage.latency.p99)});
    if (usage.budget.budgetUsd > 0)
        h += row({QStringLiteral("Monthly cloud budget"), QStringLiteral("%1 of %2 spent this month").arg(money(usage.budget.spentUsd), money(usage.budget.budgetUsd))});
    h += QStringLiteral("</table>");
    if (!usage.byModel.isEmpty()) {
        h += QStringLiteral("<p></p><table cellspacing='0' cellpadding='4'>") + row({QStringLiteral("Provider"), QStringLiteral("Model"), QStringLiteral("Requests"),
                                                     QStringLiteral("Errors"), QStringLiteral("Tokens in"), QStringLiteral("Tokens out"),
                                                     QStringLiteral("Cost")}, true);
        for (const UsageBreakdown &b : usage.byModel)
            h += row({esc(b.provider), esc(b.model), QString::number(b.requests), QString::number(b.errors),
                      QString::number(b.inputTokens), QString::number(b.outputTokens), money(b.costUsd)});
        h += QStringLiteral("</table>");
    }
    h += QStringLiteral("<h2>Feedback</h2><p>%1 answer(s), %2 rated: %3 thumbs up (%4), %5 thumbs down (%6); %7 correction(s) (%8 of answers).</p>")
             .arg(usage.feedback.answers)
             .arg(usage.feedback.rated)
             .arg(usage.feedback.up)
             .arg(percent(usage.feedback.upRate))
             .arg(usage.feedback.down)
             .arg(percent(usage.feedback.downRate))
             .arg(usage.feedback.corrections)
             .arg(percent(usage.feedback.correctionRate));

    // The audit trail.
    h += QStringLiteral("<h2>Audit trail</h2>");
    h += QStringLiteral("<p><b>Verification:</b> %1</p>").arg(chainStatus);
    h += QStringLiteral("<p><b>Chain head</b> (keep it elsewhere to prove later that nothing was rewritten):<br/><span class='mono'>%1</span></p>").arg(esc(head));
    if (verification.intact)
        h += QStringLiteral("<p>Every event's hash was recomputed from the one before it, from the first event to the head.</p>");
    else
        h += QStringLiteral("<p class='failed'>The audit trail FAILED verification: it was edited, truncated or reordered after "
                            "it was written. Events from %1 on cannot be trusted.</p>").arg(verification.firstBadSeq);
    const QList<AuditEvent> events = auditlog::events(db, options.from, options.to);
    h += QStringLiteral("<table cellspacing='0' cellpadding='3'>") + row({QStringLiteral("#"), QStringLiteral("Time"), QStringLiteral("Event"), QStringLiteral("Subject")}, true);
    for (qsizetype i = std::max<qsizetype>(0, events.size() - kMaxAuditRows); i < events.size(); ++i) {
        const AuditEvent &e = events.at(i);
        h += row({QString::number(e.seq), when(e.at), esc(e.kind), esc(e.subject)});
    }
    h += QStringLiteral("</table>");
    if (events.size() > kMaxAuditRows)
        h += QStringLiteral("<p>(the last %1 of %2 events in the period)</p>").arg(kMaxAuditRows).arg(events.size());
    h += QStringLiteral("</body></html>");

    if (facts) {
        facts->questions = static_cast<int>(messages.size());
        facts->documents = static_cast<int>(documents.size());
        facts->verification = verification;
        facts->chainHead = head;
    }
    return h;
}

AuditReportResult auditreport::exportPdf(const std::shared_ptr<Library> &library, const QString &path,
                                         const AuditReportOptions &options)
{
    AuditReportResult result;
    result.path = path;
    const QString content = html(library, options, &result);
    // Written beside the target and renamed over it only once complete and audited: a crash, a kill
    // or a full disk never leaves a half-written report at path (nor destroys an earlier one there),
    // and no report exists that the audit trail does not record.
    const QString part = path + QStringLiteral(".part");
    struct RemovePart {
        QString path;
        ~RemovePart() { QFile::remove(path); }
    } removePart{part};
    {
        QPdfWriter writer(part);
        writer.setTitle(QStringLiteral("Docsight audit report"));
        writer.setCreator(QStringLiteral("Docsight ") + QStringLiteral(DOCSIGHT_VERSION));
        writer.setPageSize(QPageSize(QPageSize::A4));
        writer.setResolution(300);
        writer.setPageMargins(QMarginsF(18, 16, 18, 16), QPageLayout::Millimeter);

        QTextDocument doc;
        doc.documentLayout()->setPaintDevice(&writer);
        // No ligatures: "confidential" must come out of the PDF as f-i, not U+FB01, so names and quotes can be
        // searched and copied.
        QFont font(QStringLiteral("DejaVu Sans"), 9);
        font.setStyleStrategy(QFont::PreferNoShaping);
        doc.setDefaultFont(font);
        doc.setHtml(content);
        spaceTables(doc);
        const QRectF paint = writer.pageLayout().paintRectPixels(writer.resolution());
        const qreal footer = writer.resolution() * 0.3; // about 7.5 mm for the page footer
        const QSizeF page(paint.width(), paint.height() - footer);
        doc.setPageSize(page);
        result.pages = doc.pageCount();

        QPainter painter;
        if (!painter.begin(&writer)) {
            result.error = QStringLiteral("cannot write %1").arg(QDir::toNativeSeparators(path));
            return result;
        }
        QFont small(QStringLiteral("DejaVu Sans"), 7);
        for (int i = 0; i < result.pages; ++i) {
            if (i > 0)
                writer.newPage();
            painter.save();
            painter.translate(0, -i * page.height());
            doc.drawContents(&painter, QRectF(0, i * page.height(), page.width(), page.height()));
            painter.restore();
            painter.setFont(small);
            painter.drawText(QRectF(0, page.height(), page.width(), footer), Qt::AlignRight | Qt::AlignBottom,
                             QStringLiteral("Docsight audit report \u2014 page %1 of %2").arg(i + 1).arg(result.pages));
        }
        painter.end();
    }
    QFile written(part);
    if (!written.open(QIODevice::ReadOnly) || written.size() == 0) {
        result.error = QStringLiteral("the report could not be written to %1").arg(QDir::toNativeSeparators(path));
        return result;
    }
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&written);
    result.sha256 = QString::fromLatin1(hash.result().toHex());

    QString error;
    const bool audited = library->write(
        [&](QSqlDatabase &db) {
            return auditlog::append(db, QStringLiteral("report.exported"), QStringLiteral("report:") + result.sha256.left(16),
                                    {{QStringLiteral("pdf_sha256"), result.sha256},
                                     {QStringLiteral("pages"), result.pages},
                                     {QStringLiteral("questions"), result.questions},
                                     {QStringLiteral("documents"), result.documents},
                                     {QStringLiteral("conversation_id"), options.conversationId},
                                     {QStringLiteral("from"), options.from.isValid() ? options.from.toUTC().toString(Qt::ISODate) : QString()},
                                     {QStringLiteral("to"), options.to.isValid() ? options.to.toUTC().toString(Qt::ISODate) : QString()},
                                     {QStringLiteral("chain_verified"), result.verification.intact},
                                     {QStringLiteral("chain_head"), result.chainHead}},
                                    &error);
        },
        &error);
    if (!audited) {
        result.error = QStringLiteral("the report was not saved: it could not be recorded in the audit trail: ") + error;
        return result;
    }
    written.close();
    if (std::rename(QFile::encodeName(part).constData(), QFile::encodeName(path).constData()) != 0) {
        result.error = QStringLiteral("the report could not be saved as %1: %2")
                           .arg(QDir::toNativeSeparators(path), QString::fromLocal8Bit(std::strerror(errno)));
        return result;
    }
    result.ok = true;
    qCInfo(lcReport) << "report" << result.pages << "pages," << result.questions << "questions," << result.documents << "documents";
    return result;
}

} // namespace docsight
