// The classification suggested at import from the personal data the detectors find in a document.
#include "governance/classificationsuggestion.h"

#include "governance/piidetector.h"

#include "model/pagecontent.h"

#include <QLoggingCategory>
#include <QSet>
#include <QStringList>

namespace docsight {

Q_LOGGING_CATEGORY(lcPii, "docsight.governance.pii")

ClassificationSuggestion suggestClassification(const QList<PageContent> &pages, int contactThreshold)
{
    ClassificationSuggestion s;
    QHash<QString, QSet<QString>> distinct;
    for (const PageContent &page : pages) {
        const QList<PiiMatch> found = pii::detect(page.text);
        if (found.isEmpty())
            continue;
        s.pages.append(page.number);
        for (const PiiMatch &m : found)
            distinct[piiKindName(m.kind)].insert(normalisedPiiKey(m.kind, m.text));
    }
    for (auto it = distinct.cbegin(); it != distinct.cend(); ++it)
        s.counts.insert(it.key(), static_cast<int>(it.value().size()));
    if (s.counts.isEmpty())
        return s;

    const int identifiers = s.counts.value(QStringLiteral("SSN")) + s.counts.value(QStringLiteral("CARD"))
        + s.counts.value(QStringLiteral("IBAN"));
    const int contacts = s.counts.value(QStringLiteral("EMAIL")) + s.counts.value(QStringLiteral("PHONE"));
    QStringList parts;
    for (const PiiKind k : piiKindList()) {
        const int n = s.counts.value(piiKindName(k));
        if (n > 0)
            parts << QStringLiteral("%1 %2").arg(n).arg(piiKindName(k));
    }
    const QString found = parts.join(QStringLiteral(", "));
    if (identifiers > 0 || contacts >= contactThreshold) {
        s.level = Classification::Restricted;
        s.reason = QStringLiteral("Personal data found (%1 on %2 page(s)): consider classifying it Restricted.")
                       .arg(found)
                       .arg(s.pages.size());
    } else {
        s.level = Classification::Confidential;
        s.reason = QStringLiteral("Some personal data found (%1 on %2 page(s)): consider classifying it Confidential.")
                       .arg(found)
                       .arg(s.pages.size());
    }
    qCDebug(lcPii) << "suggestion" << (s.level ? classificationName(*s.level) : QString()) << "pages" << s.pages.size();
    return s;
}

} // namespace docsight
