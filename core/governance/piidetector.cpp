// The detectors: each kind of personal data found by pattern and validated by its checksum or issued
// ranges, overlaps resolved in favour of the more specific kind.
#include "governance/piidetector.h"

#include <algorithm>

#include <QRegularExpression>
#include <QStringList>

namespace docsight {

namespace {

// When two findings overlap, the more specific detector wins: an IBAN contains digit runs a card or phone
// detector would also take, an email can contain digits shaped like a phone number.
int priority(PiiKind kind)
{
    switch (kind) {
    case PiiKind::Iban: return 0;
    case PiiKind::Email: return 1;
    case PiiKind::PaymentCard: return 2;
    case PiiKind::Ssn: return 3;
    case PiiKind::IpAddress: return 4;
    case PiiKind::Phone: return 5;
    }
    return 9;
}

int digitCount(QStringView s)
{
    return static_cast<int>(std::count_if(s.begin(), s.end(), [](QChar c) { return c.isDigit(); }));
}

QString compact(QStringView s)
{
    QString out;
    out.reserve(s.size());
    for (const QChar c : s) {
        if (c.isLetterOrNumber())
            out.append(c.toUpper());
    }
    return out;
}

// Labels that turn a number nobody would otherwise call personal into one (a national phone number, an
// unformatted SSN). Looked for just before the number.
bool labelledBefore(QStringView text, qsizetype start, const QRegularExpression &label, qsizetype window = 32)
{
    const qsizetype from = std::max<qsizetype>(0, start - window);
    const QString before = text.mid(from, start - from).toString();
    return label.match(before).hasMatch();
}

// Tries the longest prefix of a candidate first, shortening it at separator boundaries, so a match that ran
// into the next word or number ("DE89 3704 0044 0532 0130 00 BIC ...") still yields the valid part.
template<typename Valid>
qsizetype longestValidPrefix(QStringView candidate, Valid valid)
{
    for (qsizetype end = candidate.size(); end > 0; --end) {
        const bool boundary = end == candidate.size() || !candidate.at(end).isLetterOrNumber();
        if (!boundary || !candidate.at(end - 1).isLetterOrNumber())
            continue;
        if (valid(candidate.left(end)))
            return end;
    }
    return 0;
}

void add(QList<PiiMatch> &out, PiiKind kind, QStringView text, qsizetype start, qsizetype length)
{
    out.append({kind, start, length, text.mid(start, length).toString()});
}

void findEmails(QStringView text, QList<PiiMatch> &out)
{
    static const QRegularExpression re(QStringLiteral(
        "(?<![A-Za-z0-9._%+\\-])[A-Za-z0-9_%+\\-](?:[A-Za-z0-9._%+\\-]*[A-Za-z0-9_%+\\-])?@"
        "[A-Za-z0-9](?:[A-Za-z0-9\\-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9\\-]*[A-Za-z0-9])?)*\\.[A-Za-z]{2,24}\\b"));
    const QString s = text.toString();
    for (auto it = re.globalMatch(s); it.hasNext();) {
        const auto m = it.next();
        add(out, PiiKind::Email, text, m.capturedStart(), m.capturedLength());
    }
}

void findIbans(QStringView text, QList<PiiMatch> &out)
{
    static const QRegularExpression re(QStringLiteral("\\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}"));
    const QString s = text.toString();
    for (auto it = re.globalMatch(s); it.hasNext();) {
        const auto m = it.next();
        const QStringView candidate = text.mid(m.capturedStart(), m.capturedLength());
        const qsizetype length = longestValidPrefix(candidate, [](QStringView c) { return pii::ibanValid(c); });
        if (length > 0)
            add(out, PiiKind::Iban, text, m.capturedStart(), length);
    }
}

// Cards are printed in groups of four (a shorter last group for 13-15 and 19 digits), or 4-6-5 / 4-6-4
// (Amex, Diners). Other groupings are account, order or reference numbers that merely pass Luhn (one in ten).
bool cardGrouping(QStringView candidate)
{
    QList<int> groups;
    int run = 0;
    for (const QChar c : candidate) {
        if (c.isDigit()) {
            ++run;
        } else if (run > 0) {
            groups.append(run);
            run = 0;
        }
    }
    if (run > 0)
        groups.append(run);
    if (groups.size() == 1)
        return true; // written without separators
    if (groups == QList<int>{4, 6, 5} || groups == QList<int>{4, 6, 4})
        return true;
    for (qsizetype i = 0; i + 1 < groups.size(); ++i) {
        if (groups.at(i) != 4)
            return false;
    }
    const int last = groups.constLast();
    return groups.size() == 4 ? last >= 1 && last <= 4 : groups.size() == 5 && last == 3;
}

void findCards(QStringView text, QList<PiiMatch> &out)
{
    // Issuer prefixes 2-6 (Mastercard 2-series, Amex/Diners 3, Visa 4, Mastercard 5, Discover/UnionPay 6).
    static const QRegularExpression re(QStringLiteral("(?<![0-9\\-])[2-6][0-9](?:[ \\-]?[0-9]){11,17}(?![0-9])"));
    const QString s = text.toString();
    for (auto it = re.globalMatch(s); it.hasNext();) {
        const auto m = it.next();
        const QStringView candidate = text.mid(m.capturedStart(), m.capturedLength());
        const qsizetype length = longestValidPrefix(candidate, [](QStringView c) {
            const QString digits = compact(c);
            if (digits.size() < 13 || digits.size() > 19)
                return false;
            // Mixed separators ("4111-1111 1111") are not how cards are written; dates and codes often are.
            const bool spaces = c.contains(QLatin1Char(' '));
            const bool dashes = c.contains(QLatin1Char('-'));
            return !(spaces && dashes) && cardGrouping(c) && pii::luhnValid(digits);
        });
        if (length > 0)
            add(out, PiiKind::PaymentCard, text, m.capturedStart(), length);
    }
}

void findSsns(QStringView text, QList<PiiMatch> &out)
{
    static const QRegularExpression dashed(QStringLiteral("(?<![0-9\\-])[0-9]{3}-[0-9]{2}-[0-9]{4}(?![0-9\\-])"));
    static const QRegularExpression loose(QStringLiteral("(?<![0-9\\-])[0-9]{3} ?[0-9]{2} ?[0-9]{4}(?![0-9\\-])"));
    static const QRegularExpression label(QStringLiteral("\\b(SSN|SSA|social security( number| no\\.?)?)\\W*$"),
                                          QRegularExpression::CaseInsensitiveOption);
    const QString s = text.toString();
    for (auto it = dashed.globalMatch(s); it.hasNext();) {
        const auto m = it.next();
        if (pii::ssnValid(m.capturedView()))
            add(out, PiiKind::Ssn, text, m.capturedStart(), m.capturedLength());
    }
    // Without dashes nine digits could be anything: only next to an SSN label.
    for (auto it = loose.globalMatch(s); it.hasNext();) {
        const auto m = it.next();
        if (!m.capturedView().contains(QLatin1Char('-')) && pii::ssnValid(m.capturedView())
            && labelledBefore(text, m.capturedStart(), label))
            add(out, PiiKind::Ssn, text, m.capturedStart(), m.capturedLength());
    }
}

void findPhones(QStringView text, QList<PiiMatch> &out)
{
    // +CC and groups: "+49 40 3186 5520", "+1 (510) 555-0142", "+44 20 7946 0958".
    static const QRegularExpression international(
        QStringLiteral("(?<![\\w+])\\+[1-9][0-9]{0,2}(?:[ .\\-]?\\(?[0-9]{1,5}\\)?){1,6}(?![0-9])"));
    // North American: area and exchange codes start 2-9, separators required, so "2024-03-14" and
    // "321081669" are not phone numbers.
    static const QRegularExpression nanp(QStringLiteral(
        "(?<![\\w\\-/.])(?:1[ .\\-])?(?:\\([2-9][0-9]{2}\\) ?|[2-9][0-9]{2}[ .\\-])[2-9][0-9]{2}[ .\\-][0-9]{4}(?![0-9\\-/])"));
    // National formats ("020 7946 0321", "030 1234567") only after a label saying it is a number to call.
    static const QRegularExpression labelled(QStringLiteral(
        "\\b(?:tel|telephone|phone|ph|fax|mobile|mob|cell|call(?: [A-Z][a-z]+)? on)\\.?:?[ \\t]*"
        "(\\(?\\+?[0-9][0-9 ()./\\-]{5,18}[0-9])(?![0-9])"),
        QRegularExpression::CaseInsensitiveOption);
    const QString s = text.toString();
    for (auto it = international.globalMatch(s); it.hasNext();) {
        const auto m = it.next();
        const int digits = digitCount(m.capturedView());
        if (digits >= 8 && digits <= 15)
            add(out, PiiKind::Phone, text, m.capturedStart(), m.capturedLength());
    }
    for (auto it = nanp.globalMatch(s); it.hasNext();) {
        const auto m = it.next();
        add(out, PiiKind::Phone, text, m.capturedStart(), m.capturedLength());
    }
    for (auto it = labelled.globalMatch(s); it.hasNext();) {
        const auto m = it.next();
        const int digits = digitCount(m.capturedView(1));
        if (digits >= 7 && digits <= 15)
            add(out, PiiKind::Phone, text, m.capturedStart(1), m.capturedLength(1));
    }
}

bool ipv6Valid(QStringView candidate)
{
    QString s = candidate.toString();
    int groupsNeeded = 8;
    // An embedded IPv4 tail ("::ffff:192.0.2.1") counts as two groups.
    const qsizetype lastColon = s.lastIndexOf(QLatin1Char(':'));
    if (s.indexOf(QLatin1Char('.'), lastColon) >= 0) {
        static const QRegularExpression v4(QStringLiteral("^(25[0-5]|2[0-4][0-9]|1?[0-9]{1,2})(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]{1,2})){3}$"));
        if (!v4.match(s.mid(lastColon + 1)).hasMatch())
            return false;
        s = s.left(lastColon + 1) + QStringLiteral("0");
        groupsNeeded = 7;
    }
    const qsizetype doubleColon = s.indexOf(QStringLiteral("::"));
    if (doubleColon >= 0 && s.indexOf(QStringLiteral("::"), doubleColon + 1) >= 0)
        return false;
    if (s.contains(QStringLiteral(":::")))
        return false;
    QStringList groups;
    if (doubleColon >= 0) {
        const QString head = s.left(doubleColon);
        const QString tail = s.mid(doubleColon + 2);
        if (!head.isEmpty())
            groups += head.split(QLatin1Char(':'));
        if (!tail.isEmpty())
            groups += tail.split(QLatin1Char(':'));
        if (groups.size() >= groupsNeeded || groups.isEmpty())
            return false;
    } else {
        groups = s.split(QLatin1Char(':'));
        if (groups.size() != groupsNeeded)
            return false;
    }
    static const QRegularExpression hex(QStringLiteral("^[0-9A-Fa-f]{1,4}$"));
    for (const QString &g : std::as_const(groups)) {
        if (!hex.match(g).hasMatch())
            return false;
    }
    // "be::ad" or "cafe::face" in prose or code is not an address.
    return std::any_of(candidate.begin(), candidate.end(), [](QChar c) { return c.isDigit(); });
}

void findIps(QStringView text, QList<PiiMatch> &out)
{
    static const QRegularExpression v4(QStringLiteral(
        "(?<![0-9.])((?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3})(?![0-9]|\\.[0-9])"));
    static const QRegularExpression v6(QStringLiteral(
        "(?<![\\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9]{1,3}(?:\\.[0-9]{1,3}){3}|[0-9A-Fa-f]{1,4}|:)?(?![\\w:])"));
    static const QRegularExpression label(QStringLiteral("\\b(ip|ipv4|address|addr|host|server|from|to)\\W*$"),
                                          QRegularExpression::CaseInsensitiveOption);
    const QString s = text.toString();
    for (auto it = v4.globalMatch(s); it.hasNext();) {
        const auto m = it.next();
        // "1.2.3.4" is more often a section or version number than an address, unless labelled as one.
        const bool allSingle = m.capturedLength() == 7;
        if (!allSingle || labelledBefore(text, m.capturedStart(), label))
            add(out, PiiKind::IpAddress, text, m.capturedStart(), m.capturedLength());
    }
    for (auto it = v6.globalMatch(s); it.hasNext();) {
        const auto m = it.next();
        if (ipv6Valid(m.capturedView()))
            add(out, PiiKind::IpAddress, text, m.capturedStart(), m.capturedLength());
    }
}

} // namespace

QString normalisedPiiKey(PiiKind kind, const QString &original)
{
    switch (kind) {
    case PiiKind::Email:
    case PiiKind::IpAddress:
        return piiKindName(kind) + QLatin1Char(':') + original.toLower();
    default:
        // The same number written with other spacing is the same number.
        return piiKindName(kind) + QLatin1Char(':') + compact(original);
    }
}

QString piiKindName(PiiKind kind)
{
    switch (kind) {
    case PiiKind::Email: return QStringLiteral("EMAIL");
    case PiiKind::Phone: return QStringLiteral("PHONE");
    case PiiKind::Iban: return QStringLiteral("IBAN");
    case PiiKind::PaymentCard: return QStringLiteral("CARD");
    case PiiKind::Ssn: return QStringLiteral("SSN");
    case PiiKind::IpAddress: return QStringLiteral("IP");
    }
    return QStringLiteral("PII");
}

QList<PiiKind> piiKindList(PiiKinds kinds)
{
    QList<PiiKind> out;
    for (const PiiKind k : {PiiKind::Email, PiiKind::Phone, PiiKind::Iban, PiiKind::PaymentCard, PiiKind::Ssn,
                            PiiKind::IpAddress}) {
        if (kinds.testFlag(k))
            out.append(k);
    }
    return out;
}

bool pii::luhnValid(QStringView digits)
{
    int sum = 0;
    int n = 0;
    for (qsizetype i = digits.size() - 1; i >= 0; --i) {
        const QChar c = digits.at(i);
        if (c == QLatin1Char(' ') || c == QLatin1Char('-'))
            continue;
        if (!c.isDigit())
            return false;
        int d = c.digitValue();
        if (n % 2 == 1) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
        ++n;
    }
    return n >= 13 && sum % 10 == 0;
}

bool pii::ibanValid(QStringView iban)
{
    const QString s = compact(iban);
    if (s.size() < 15 || s.size() > 34 || !s.at(0).isLetter() || !s.at(1).isLetter() || !s.at(2).isDigit()
        || !s.at(3).isDigit())
        return false;
    // ISO 7064 mod 97-10 over the rearranged string, letters as 10..35, computed piecewise.
    const QString rearranged = s.mid(4) + s.left(4);
    int remainder = 0;
    for (const QChar c : rearranged) {
        const ushort u = c.unicode();
        if (u >= '0' && u <= '9') {
            remainder = (remainder * 10 + (u - '0')) % 97;
        } else if (u >= 'A' && u <= 'Z') {
            const int v = u - 'A' + 10;
            remainder = (remainder * 100 + v) % 97;
        } else {
            return false;
        }
    }
    return remainder == 1;
}

bool pii::ssnValid(QStringView ssn)
{
    const QString d = compact(ssn);
    if (d.size() != 9 || digitCount(d) != 9)
        return false;
    const int area = QStringView(d).left(3).toInt();
    const int group = QStringView(d).mid(3, 2).toInt();
    const int serial = QStringView(d).mid(5).toInt();
    return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
}

QList<PiiMatch> pii::detect(QStringView text, PiiKinds kinds)
{
    QList<PiiMatch> candidates;
    if (kinds.testFlag(PiiKind::Iban))
        findIbans(text, candidates);
    if (kinds.testFlag(PiiKind::Email))
        findEmails(text, candidates);
    if (kinds.testFlag(PiiKind::PaymentCard))
        findCards(text, candidates);
    if (kinds.testFlag(PiiKind::Ssn))
        findSsns(text, candidates);
    if (kinds.testFlag(PiiKind::IpAddress))
        findIps(text, candidates);
    if (kinds.testFlag(PiiKind::Phone))
        findPhones(text, candidates);

    std::stable_sort(candidates.begin(), candidates.end(), [](const PiiMatch &a, const PiiMatch &b) {
        if (priority(a.kind) != priority(b.kind))
            return priority(a.kind) < priority(b.kind);
        return a.length > b.length;
    });
    QList<PiiMatch> accepted;
    for (const PiiMatch &c : std::as_const(candidates)) {
        const bool overlaps = std::any_of(accepted.cbegin(), accepted.cend(), [&](const PiiMatch &a) {
            return c.start < a.start + a.length && a.start < c.start + c.length;
        });
        if (!overlaps)
            accepted.append(c);
    }
    std::sort(accepted.begin(), accepted.end(), [](const PiiMatch &a, const PiiMatch &b) { return a.start < b.start; });
    return accepted;
}

} // namespace docsight
