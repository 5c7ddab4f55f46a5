#pragma once

// PiiRedactor: the per-request reversible redaction that replaces what pii::detect finds with placeholders.

#include "governance/piidetector.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

namespace docsight {

// One replacement made for a request: the provider saw placeholder, the analyst sees original.
struct Redaction {
    PiiKind kind = PiiKind::Email;
    QString placeholder;   // "[EMAIL_1]"
    QString original;      // stays on this computer: never logged, audited or reported
    int occurrences = 0;
};

// A per-request reversible redaction: the same original always gets the same placeholder ([EMAIL_1],
// [PHONE_2]...), across every text of the request (question, passages, history), so the model can refer to
// them consistently; restore() puts the originals back into the model's answer locally. A document that
// itself contains text shaped like a placeholder is left alone: restore() only touches placeholders this
// redactor issued. Not thread-safe; use one per request.
class PiiRedactor final
{
public:
    explicit PiiRedactor(PiiKinds kinds = allPiiKinds());

    QString redact(const QString &text);
    QString restore(const QString &text) const;

    // Replacements made so far, in the order they were first issued.
    QList<Redaction> redactions() const { return m_redactions; }
    bool isEmpty() const { return m_redactions.isEmpty(); }
    // How many distinct values of each kind were replaced ("EMAIL" -> 2), for notices and the audit trail.
    QHash<QString, int> countsByKind() const;
    int occurrences() const;

private:
    PiiKinds m_kinds;
    QList<Redaction> m_redactions;
    QHash<QString, int> m_byOriginal;   // normalised original -> index in m_redactions
    QHash<PiiKind, int> m_nextNumber;
    QSet<QString> m_reserved;           // "EMAIL_1": placeholder-like text seen in the input, never issued
};

} // namespace docsight
