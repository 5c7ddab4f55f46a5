#pragma once

#include "model/classification.h"

#include <optional>

#include <QFlags>
#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QStringView>

namespace docsight {

struct PageContent;

enum class PiiKind {
    Email = 0x01,
    Phone = 0x02,
    Iban = 0x04,
    PaymentCard = 0x08,
    Ssn = 0x10,
    IpAddress = 0x20,
};
Q_DECLARE_FLAGS(PiiKinds, PiiKind)
Q_DECLARE_OPERATORS_FOR_FLAGS(PiiKinds)

constexpr PiiKinds allPiiKinds()
{
    return PiiKinds(PiiKind::Email) | PiiKind::Phone | PiiKind::Iban | PiiKind::PaymentCard | PiiKind::Ssn
        | PiiKind::IpAddress;
}

// "EMAIL", "PHONE", "IBAN", "CARD", "SSN", "IP": the stem of a placeholder and the name in reports.
QString piiKindName(PiiKind kind);
QList<PiiKind> piiKindList(PiiKinds kinds = allPiiKinds());

// One piece of personal data found in a text.
struct PiiMatch {
    PiiKind kind = PiiKind::Email;
    qsizetype start = 0;   // span in the scanned text (UTF-16 code units)
    qsizetype length = 0;
    QString text;
};

// One replacement made for a request: the provider saw placeholder, the analyst sees original.
struct Redaction {
    PiiKind kind = PiiKind::Email;
    QString placeholder;   // "[EMAIL_1]"
    QString original;      // stays on this computer: never logged, audited or reported
    int occurrences = 0;
};

// Finds personal data. Each detector validates what it finds, so ordinary numbers stay untouched: payment
// cards pass the Luhn check (13-19 digits, spaces or dashes between groups), IBANs the ISO 7064 mod-97 check,
// US SSNs the issued ranges (no 000, 666 or 9xx area, no 00 group, no 0000 serial); phone numbers need an
// international "+" prefix, the North American shape (area and exchange codes 2-9, e.g. (555) 201-4477) or a
// "Tel"/"Phone" label, so dates (2024-03-14, 03/14/2024), years and page numbers are not phone numbers;
// IPv4 octets are 0-255 and IPv6 follows RFC 4291 text forms. Overlaps keep the more specific kind.
// Stateless and thread-safe.
class PiiDetector final
{
public:
    static QList<PiiMatch> detect(QStringView text, PiiKinds kinds = allPiiKinds());

    static bool luhnValid(QStringView digits);
    static bool ibanValid(QStringView iban);     // spaces allowed
    static bool ssnValid(QStringView ssn);       // "123-45-6789" or 9 digits
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

// Restores placeholders in a streamed answer: text is released only up to the last whitespace, since a
// placeholder (even one split across deltas, "[EMA" + "IL_1]") never contains any. Per request.
class RestoringStream final
{
public:
    explicit RestoringStream(const PiiRedactor &redactor);
    QString push(QStringView delta);
    QString finish();

private:
    const PiiRedactor &m_redactor;
    QString m_pending;
};

// What the detectors found across a document, to suggest a classification at import. Suggests only: the
// analyst decides (DocumentStore::setClassification).
struct ClassificationSuggestion {
    std::optional<Classification> level;  // nullopt: nothing found, no suggestion
    QHash<QString, int> counts;           // distinct values per kind ("SSN" -> 3)
    QList<int> pages;                     // pages where anything was found
    QString reason;                       // one analyst-facing sentence
};

// Restricted when identifiers that enable fraud or identity theft occur (SSNs, payment cards, IBANs) or when
// contact details of many people do (threshold distinct emails/phones); Confidential for a few contact details
// or IP addresses. Never suggests lowering a level: compare with the current one before offering it.
ClassificationSuggestion suggestClassification(const QList<PageContent> &pages, int contactThreshold = 10);

} // namespace docsight
