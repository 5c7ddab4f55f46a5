#pragma once

// pii::detect: which personal data a text contains (emails, phone numbers, IBANs, payment cards, US SSNs,
// IP addresses), each finding validated so ordinary numbers stay untouched.

#include <QFlags>
#include <QList>
#include <QString>
#include <QStringView>

namespace docsight {

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

// Finds personal data. Each detector validates what it finds, so ordinary numbers stay untouched: payment
// cards pass the Luhn check (13-19 digits, spaces or dashes between groups), IBANs the ISO 7064 mod-97 check,
// US SSNs the issued ranges (no 000, 666 or 9xx area, no 00 group, no 0000 serial); phone numbers need an
// international "+" prefix, the North American shape (area and exchange codes 2-9, e.g. (555) 201-4477) or a
// "Tel"/"Phone" label, so dates (2024-03-14, 03/14/2024), years and page numbers are not phone numbers;
// IPv4 octets are 0-255 and IPv6 follows RFC 4291 text forms. Overlaps keep the more specific kind.
// Stateless and thread-safe.
namespace pii {

QList<PiiMatch> detect(QStringView text, PiiKinds kinds = allPiiKinds());

bool luhnValid(QStringView digits);
bool ibanValid(QStringView iban); // spaces allowed
bool ssnValid(QStringView ssn);   // "123-45-6789" or 9 digits

} // namespace pii

// The key under which one value counts once however it is written: emails and IP addresses in lower
// case, numbers without their spacing ("EMAIL:a@b.com", "CARD:4111111111111111").
QString normalisedPiiKey(PiiKind kind, const QString &original);

} // namespace docsight
