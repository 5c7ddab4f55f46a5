// The reversible redaction of one request: placeholders issued per distinct value, and restored.
#include "governance/piiredactor.h"

#include <QRegularExpression>

namespace docsight {

namespace {

// A placeholder as restore() accepts it: brackets optional, any case. Captures kind and number.
const QRegularExpression &placeholderPattern()
{
    static const QRegularExpression re(QStringLiteral("\\[?\\b(EMAIL|PHONE|IBAN|CARD|SSN|IP)_([0-9]{1,4})\\b\\]?"),
                                       QRegularExpression::CaseInsensitiveOption);
    return re;
}

} // namespace

PiiRedactor::PiiRedactor(PiiKinds kinds)
    : m_kinds(kinds)
{
}

QString PiiRedactor::redact(const QString &text)
{
    // Text that already reads like a placeholder ("[EMAIL_1]" in a document about redaction) keeps that
    // number from being issued, so restore() cannot turn the document's own words into someone's address.
    for (auto it = placeholderPattern().globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        m_reserved.insert(m.captured(1).toUpper() + QLatin1Char('_') + m.captured(2));
    }
    const QList<PiiMatch> found = pii::detect(text, m_kinds);
    if (found.isEmpty())
        return text;
    QString out;
    out.reserve(text.size());
    qsizetype at = 0;
    for (const PiiMatch &m : found) {
        out += QStringView(text).mid(at, m.start - at);
        const QString key = normalisedPiiKey(m.kind, m.text);
        auto it = m_byOriginal.constFind(key);
        if (it == m_byOriginal.cend()) {
            const QString kind = piiKindName(m.kind);
            int number = ++m_nextNumber[m.kind];
            while (m_reserved.contains(kind + QLatin1Char('_') + QString::number(number)))
                number = ++m_nextNumber[m.kind];
            m_redactions.append({m.kind, QStringLiteral("[%1_%2]").arg(piiKindName(m.kind)).arg(number), m.text, 0});
            it = m_byOriginal.insert(key, static_cast<int>(m_redactions.size() - 1));
        }
        Redaction &r = m_redactions[*it];
        ++r.occurrences;
        out += r.placeholder;
        at = m.start + m.length;
    }
    out += QStringView(text).mid(at);
    return out;
}

QString PiiRedactor::restore(const QString &text) const
{
    if (m_redactions.isEmpty())
        return text;
    // Models sometimes drop the brackets or change the case; accept that, but only for placeholders issued.
    const QRegularExpression &re = placeholderPattern();
    QHash<QString, QString> byPlaceholder;
    for (const Redaction &r : m_redactions)
        byPlaceholder.insert(r.placeholder.mid(1, r.placeholder.size() - 2), r.original);
    QString out;
    qsizetype at = 0;
    for (auto it = re.globalMatch(text); it.hasNext();) {
        const auto m = it.next();
        const QString key = m.captured(1).toUpper() + QLatin1Char('_') + m.captured(2);
        const auto found = byPlaceholder.constFind(key);
        if (found == byPlaceholder.cend())
            continue;
        out += QStringView(text).mid(at, m.capturedStart() - at);
        // Keep a bracket the match took only when it was not part of the placeholder pair.
        const bool open = m.captured().startsWith(QLatin1Char('['));
        const bool close = m.captured().endsWith(QLatin1Char(']'));
        if (open && !close)
            out += QLatin1Char('[');
        out += *found;
        if (close && !open)
            out += QLatin1Char(']');
        at = m.capturedEnd();
    }
    out += QStringView(text).mid(at);
    return out;
}

QHash<QString, int> PiiRedactor::countsByKind() const
{
    QHash<QString, int> counts;
    for (const Redaction &r : m_redactions)
        ++counts[piiKindName(r.kind)];
    return counts;
}

int PiiRedactor::occurrences() const
{
    int n = 0;
    for (const Redaction &r : m_redactions)
        n += r.occurrences;
    return n;
}

} // namespace docsight
