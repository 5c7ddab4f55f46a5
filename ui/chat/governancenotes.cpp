#include "chat/governancenotes.h"

#include <QCoreApplication>

namespace docsight {
namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("GovernanceNotes", text);
}

// "1 passage", "3 passages": English plurals without depending on a translation being installed.
QString count(int n, const char *one, const char *many)
{
    return n == 1 ? tr(one) : tr(many).arg(n);
}

// The notices PolicyGate wrote for what a note already says (see PolicyGate::apply).
bool noticeShownAsNote(const Answer &a, const QString &notice)
{
    const AnswerGovernance &g = a.governance;
    if (g.withheldPassages > 0 && notice == PolicyGate::withheldNotice(g.withheld, a.provider))
        return true;
    if (g.routedLocally && notice.startsWith(QLatin1String("Passages from Restricted documents were found")))
        return true;
    return g.redactedPassages > 0 && notice.startsWith(QLatin1String("Personal data in"));
}

} // namespace

QList<GovernanceNote> governanceNotes(const Answer &answer)
{
    const AnswerGovernance &g = answer.governance;
    QList<GovernanceNote> notes;
    if (g.leakWithheld) {
        notes.append({GovernanceNote::Kind::Leak, QStringLiteral("leakNote"), tr("Answer withheld."),
                      tr("It leaked the system prompt or its canary (%1), which usually means a passage manipulated the "
                         "model. Nothing it wrote is shown; the event is in the audit trail.")
                          .arg(g.leakReason.isEmpty() ? tr("canary token found") : g.leakReason),
                      true});
    }
    if (g.budgetBlocked) {
        notes.append({GovernanceNote::Kind::Budget, QStringLiteral("budgetNote"), tr("Monthly budget spent."),
                      (answer.errorMessage.isEmpty() ? tr("The hard budget stop refused this cloud call.") : answer.errorMessage)
                          + QLatin1Char(' ') + tr("Raise the budget in Settings → Governance, or ask a local provider."),
                      true});
    }
    if (g.withheldPassages > 0) {
        QStringList documents;
        for (const WithheldDocument &w : g.withheld)
            documents << QStringLiteral("%1 (%2, %3)")
                             .arg(w.documentName, classificationName(w.level), count(w.passages, "1 passage", "%1 passages"));
        notes.append({GovernanceNote::Kind::Withheld, QStringLiteral("withheldNote"),
                      count(g.withheldPassages, "1 passage withheld by policy:", "%1 passages withheld by policy:"),
                      tr("%1. They were not sent to %2 because Restricted documents never leave this computer; the answer "
                         "rests on the other passages only.")
                          .arg(documents.join(QStringLiteral(", ")), answer.provider),
                      false});
    }
    if (g.routedLocally) {
        notes.append({GovernanceNote::Kind::RoutedLocally, QStringLiteral("localNote"), tr("Answered on this computer."),
                      tr("Passages of Restricted documents were found, so policy had the local answerer reply instead of "
                         "the cloud provider."),
                      false});
    }
    if (!g.injectionFlags.isEmpty()) {
        QStringList where;
        for (const InjectionFlag &f : g.injectionFlags)
            where << tr("%1, page %2 (%3)").arg(f.document).arg(f.page).arg(f.signalIds.join(QStringLiteral(", ")));
        notes.append({GovernanceNote::Kind::Injection, QStringLiteral("injectionNote"),
                      count(static_cast<int>(g.injectionFlags.size()), "1 passage reads like instructions to the model:",
                            "%1 passages read like instructions to the model:"),
                      where.join(QStringLiteral("; ")) + QStringLiteral(". ")
                          + tr("They were treated as data; check the answer against them (⚠ marks them among the sources)."),
                      false});
    }
    int redacted = 0;
    QStringList kinds;
    for (auto it = g.redactions.cbegin(); it != g.redactions.cend(); ++it) {
        redacted += it.value();
        kinds << QStringLiteral("%1 %2").arg(it.value()).arg(it.key().toLower());
    }
    if (redacted > 0) {
        kinds.sort();
        notes.append({GovernanceNote::Kind::Redaction, QStringLiteral("redactionNote"),
                      count(redacted, "1 item redacted before sending;", "%1 items redacted before sending;"),
                      tr("shown restored (%1).").arg(kinds.join(QStringLiteral(", "))), false});
    }
    return notes;
}

QStringList remainingWarnings(const Answer &answer)
{
    const AnswerGovernance &g = answer.governance;
    QStringList out;
    for (const QString &w : answer.warnings) {
        if (g.notices.contains(w) && noticeShownAsNote(answer, w))
            continue;
        if (!g.injectionFlags.isEmpty() && w.contains(QLatin1String("reads like instructions to the model")))
            continue;
        if (g.leakWithheld && w.startsWith(QLatin1String("The answer was withheld:")))
            continue;
        out << w;
    }
    return out;
}

bool isInjectionFlagged(const Answer &answer, qint64 chunkId)
{
    for (const InjectionFlag &f : answer.governance.injectionFlags) {
        if (f.chunkId == chunkId)
            return true;
    }
    return false;
}

} // namespace docsight
