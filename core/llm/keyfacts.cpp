#include "llm/keyfacts.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace docsight {

QString factTemplateName(FactTemplate t)
{
    switch (t) {
    case FactTemplate::Invoice: return QStringLiteral("invoice");
    case FactTemplate::Contract: return QStringLiteral("contract");
    case FactTemplate::Generic: return QStringLiteral("generic");
    }
    return {};
}

std::optional<FactTemplate> parseFactTemplate(const QString &name)
{
    for (const FactTemplate t : {FactTemplate::Invoice, FactTemplate::Contract, FactTemplate::Generic}) {
        if (name.compare(factTemplateName(t), Qt::CaseInsensitive) == 0)
            return t;
    }
    return std::nullopt;
}

QStringList factTemplateNames()
{
    return {QStringLiteral("invoice"), QStringLiteral("contract"), QStringLiteral("generic")};
}

QList<FactField> templateFields(FactTemplate t)
{
    switch (t) {
    case FactTemplate::Invoice:
        return {{QStringLiteral("vendor"), FactType::Text, false, QStringLiteral("the company or person who issued the invoice")},
                {QStringLiteral("invoice_number"), FactType::Text, false, QStringLiteral("the invoice's number or reference")},
                {QStringLiteral("date"), FactType::Date, false, QStringLiteral("the date the invoice was issued (not the due date)")},
                {QStringLiteral("total"), FactType::Amount, false,
                 QStringLiteral("the invoice's grand total including tax (not a subtotal or a balance after deposits)")},
                {QStringLiteral("currency"), FactType::Currency, false, QStringLiteral("the currency of the total")}};
    case FactTemplate::Contract:
        return {{QStringLiteral("parties"), FactType::Text, true, QStringLiteral("each party to the contract, by name")},
                {QStringLiteral("effective_date"), FactType::Date, false, QStringLiteral("the date the contract takes effect")},
                {QStringLiteral("term"), FactType::Text, false, QStringLiteral("the duration of the (initial) term, e.g. \"two (2) years\"")},
                {QStringLiteral("governing_law"), FactType::Text, false, QStringLiteral("the jurisdiction whose law governs it")}};
    case FactTemplate::Generic:
        return {{QStringLiteral("people"), FactType::Text, true, QStringLiteral("names of people")},
                {QStringLiteral("organisations"), FactType::Text, true, QStringLiteral("names of companies and organisations")},
                {QStringLiteral("dates"), FactType::Date, true, QStringLiteral("dates mentioned")},
                {QStringLiteral("amounts"), FactType::Amount, true, QStringLiteral("monetary amounts mentioned")}};
    }
    return {};
}

QStringList ExtractionResult::values(const QString &field) const
{
    QStringList out;
    for (const KeyFact &f : facts) {
        if (f.field == field)
            out << f.value;
    }
    return out;
}

QJsonObject ExtractionResult::toJson() const
{
    QJsonArray list;
    for (const KeyFact &f : facts) {
        list.append(QJsonObject{{QStringLiteral("field"), f.field},
                                {QStringLiteral("value"), f.value},
                                {QStringLiteral("raw"), f.raw},
                                {QStringLiteral("method"), f.method},
                                {QStringLiteral("source"), QJsonObject{{QStringLiteral("document_id"), f.source.documentId},
                                                                       {QStringLiteral("document"), f.source.document},
                                                                       {QStringLiteral("page"), f.source.page},
                                                                       {QStringLiteral("chunk_id"), f.source.chunkId},
                                                                       {QStringLiteral("quote"), f.source.quote},
                                                                       {QStringLiteral("char_start"), f.source.charStart},
                                                                       {QStringLiteral("char_end"), f.source.charEnd}}}});
    }
    QJsonObject o{{QStringLiteral("template"), factTemplateName(templ)},
                  {QStringLiteral("document_id"), documentId},
                  {QStringLiteral("document"), document},
                  {QStringLiteral("method"), method},
                  {QStringLiteral("facts"), list},
                  {QStringLiteral("warnings"), QJsonArray::fromStringList(warnings)}};
    if (!provider.isEmpty()) {
        o.insert(QStringLiteral("provider"), provider);
        o.insert(QStringLiteral("model"), model);
        o.insert(QStringLiteral("usage"), QJsonObject{{QStringLiteral("input_tokens"), usage.inputTokens},
                                                      {QStringLiteral("output_tokens"), usage.outputTokens}});
        o.insert(QStringLiteral("latency_ms"), latencyMs);
    }
    if (!error.isEmpty())
        o.insert(QStringLiteral("error"), error);
    return o;
}

namespace facts {
namespace {

int monthNumber(QStringView name)
{
    static const QStringList months{QStringLiteral("jan"), QStringLiteral("feb"), QStringLiteral("mar"), QStringLiteral("apr"),
                                    QStringLiteral("may"), QStringLiteral("jun"), QStringLiteral("jul"), QStringLiteral("aug"),
                                    QStringLiteral("sep"), QStringLiteral("oct"), QStringLiteral("nov"), QStringLiteral("dec")};
    const QString key = name.left(3).toString().toLower();
    return static_cast<int>(months.indexOf(key)) + 1;
}

const QString kMonth = QStringLiteral(
    "(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|"
    "Nov(?:ember)?|Dec(?:ember)?)");

} // namespace

QString collapse(QStringView text)
{
    return text.toString().simplified();
}

std::optional<QDate> parseDate(QStringView text, bool monthFirst)
{
    static const QRegularExpression dayMonth(QStringLiteral("\\b([0-3]?[0-9])(?:st|nd|rd|th)?\\.?\\s+(?:day\\s+of\\s+|of\\s+)?") + kMonth
                                                 + QStringLiteral("\\.?,?\\s+([12][0-9]{3})\\b"),
                                             QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression monthDay(QStringLiteral("\\b") + kMonth
                                                 + QStringLiteral("\\.?\\s+([0-3]?[0-9])(?:st|nd|rd|th)?,?\\s+([12][0-9]{3})\\b"),
                                             QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression iso(QStringLiteral("\\b([12][0-9]{3})[\\-/.]([01]?[0-9])[\\-/.]([0-3]?[0-9])\\b"));
    static const QRegularExpression numeric(QStringLiteral("\\b([0-3]?[0-9])[./\\-]([0-3]?[0-9])[./\\-]([12][0-9]{3})\\b"));
    const QString s = text.toString();
    struct Found {
        qsizetype at;
        QDate date;
    };
    std::optional<Found> best;
    const auto consider = [&](qsizetype at, const QDate &d) {
        if (d.isValid() && (!best || at < best->at))
            best = Found{at, d};
    };
    if (const auto m = dayMonth.match(s); m.hasMatch())
        consider(m.capturedStart(), QDate(m.captured(3).toInt(), monthNumber(m.capturedView(2)), m.captured(1).toInt()));
    if (const auto m = monthDay.match(s); m.hasMatch())
        consider(m.capturedStart(), QDate(m.captured(3).toInt(), monthNumber(m.capturedView(1)), m.captured(2).toInt()));
    if (const auto m = iso.match(s); m.hasMatch())
        consider(m.capturedStart(), QDate(m.captured(1).toInt(), m.captured(2).toInt(), m.captured(3).toInt()));
    if (const auto m = numeric.match(s); m.hasMatch()) {
        const int a = m.captured(1).toInt();
        const int b = m.captured(2).toInt();
        const int y = m.captured(3).toInt();
        // A part above 12 settles the order; otherwise follow the document's convention.
        const bool firstIsMonth = a > 12 ? false : b > 12 ? true : monthFirst;
        consider(m.capturedStart(), firstIsMonth ? QDate(y, a, b) : QDate(y, b, a));
    }
    if (!best)
        return std::nullopt;
    return best->date;
}

std::optional<QString> parseAmount(QStringView text)
{
    static const QRegularExpression re(QStringLiteral("(\\()?(?<![0-9.,'\\x{2019}])([0-9]{1,3}(?:[,.'\\x{2019}][0-9]{3})+|[0-9]+)(?:([.,])([0-9]{1,2}))?(?![0-9])"));
    const QString s = text.toString();
    const auto m = re.match(s);
    if (!m.hasMatch())
        return std::nullopt;
    QString whole = m.captured(2);
    QString cents = m.captured(4);
    // "12.481" with nothing after: the separator groups thousands. "1.5" style single-digit decimals pad.
    static const QRegularExpression groupSeparators(QStringLiteral("[,.'\\x{2019}]"));
    whole.remove(groupSeparators);
    if (cents.size() == 1)
        cents += QLatin1Char('0');
    if (cents.isEmpty())
        cents = QStringLiteral("00");
    while (whole.size() > 1 && whole.startsWith(QLatin1Char('0')))
        whole.remove(0, 1);
    return whole + QLatin1Char('.') + cents;
}

std::optional<QString> currencyCode(QStringView text)
{
    static const QRegularExpression code(QStringLiteral(
        "\\b(USD|EUR|GBP|CHF|AUD|CAD|NZD|JPY|CNY|SEK|NOK|DKK|INR|SGD|HKD|ZAR|PLN|CZK|MXN|BRL)\\b"));
    static const QList<std::pair<QRegularExpression, QString>> words{
        {QRegularExpression(QStringLiteral("\\b(US|U\\.S\\.|American) dollars?\\b"), QRegularExpression::CaseInsensitiveOption), QStringLiteral("USD")},
        {QRegularExpression(QStringLiteral("\\bAustralian dollars?\\b"), QRegularExpression::CaseInsensitiveOption), QStringLiteral("AUD")},
        {QRegularExpression(QStringLiteral("\\bCanadian dollars?\\b"), QRegularExpression::CaseInsensitiveOption), QStringLiteral("CAD")},
        {QRegularExpression(QStringLiteral("\\beuros?\\b"), QRegularExpression::CaseInsensitiveOption), QStringLiteral("EUR")},
        {QRegularExpression(QStringLiteral("\\b(pounds? sterling|sterling)\\b"), QRegularExpression::CaseInsensitiveOption), QStringLiteral("GBP")},
        {QRegularExpression(QStringLiteral("\\bSwiss francs?\\b"), QRegularExpression::CaseInsensitiveOption), QStringLiteral("CHF")},
        {QRegularExpression(QStringLiteral("\\byen\\b"), QRegularExpression::CaseInsensitiveOption), QStringLiteral("JPY")},
    };
    static const QList<std::pair<QString, QString>> symbols{
        {QStringLiteral("A$"), QStringLiteral("AUD")}, {QStringLiteral("C$"), QStringLiteral("CAD")},
        {QStringLiteral("NZ$"), QStringLiteral("NZD")}, {QStringLiteral("US$"), QStringLiteral("USD")},
        {QStringLiteral("\u20AC"), QStringLiteral("EUR")}, {QStringLiteral("\u00A3"), QStringLiteral("GBP")},
        {QStringLiteral("\u00A5"), QStringLiteral("JPY")}, {QStringLiteral("Fr."), QStringLiteral("CHF")},
        {QStringLiteral("$"), QStringLiteral("USD")}};
    const QString s = text.toString();
    if (const auto m = code.match(s); m.hasMatch())
        return m.captured(1);
    for (const auto &[re, iso] : words) {
        if (re.match(s).hasMatch())
            return iso;
    }
    for (const auto &[symbol, iso] : symbols) {
        if (s.contains(symbol))
            return iso;
    }
    return std::nullopt;
}

} // namespace facts

} // namespace docsight
