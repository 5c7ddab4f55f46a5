#include "llm/keyfactrules.h"

#include "llm/facttext.h"

#include <algorithm>
#include <functional>
#include <optional>

#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSet>

namespace docsight {

Q_LOGGING_CATEGORY(lcFactRules, "docsight.llm.factrules")

namespace {

using namespace facttext;

struct Candidate {
    int score = 0;
    KeyFact fact;
};

void keepBest(std::optional<Candidate> &best, int score, const KeyFact &fact)
{
    if (!best || score > best->score)
        best = Candidate{score, fact};
}

// --- invoices -------------------------------------------------------------------------------------------------

bool inCustomerBlock(const QList<Line> &lines, int index)
{
    static const RE label(ci(QStringLiteral("^\\s*(bill(ed)? to|sold to|ship to|invoice to|deliver to|to|client|customer|"
                                             "attn|attention|buyer|recipient)\\b")));
    for (int j = index; j >= 0 && j >= index - 5; --j) {
        const QString &t = lines.at(j).match;
        if (label.match(t).hasMatch()) {
            // "Sold to: X      Ship to: Y" or a label at the start of the block.
            return true;
        }
        if (t.trimmed().isEmpty())
            return false;
    }
    return false;
}

QString cleanVendor(QString name)
{
    static const RE email(QStringLiteral("<[^>]*>|\\S+@\\S+"));
    static const RE dept(ci(QStringLiteral("\\s+(accounts receivable|accounts payable|accounts|billing|invoicing|finance|"
                                            "sales|team)\\s*$")));
    name.remove(email);
    name = name.simplified();
    name.remove(dept);
    while (name.endsWith(QLatin1Char(',')) || name.endsWith(QLatin1Char('|')))
        name.chop(1);
    return name.trimmed();
}

std::optional<KeyFact> invoiceVendor(const QList<Line> &lines)
{
    static const RE labelled(ci(QStringLiteral("^\\s*(from|vendor|supplier|seller|issued by|remit to|payee|billed by)\\s*[:|]\\s*(.+)$")));
    static const RE company(cs(kCompany));
    static const RE title(ci(QStringLiteral("^\\s*(tax\\s+)?(invoice|rechnung|bill|statement|receipt|facture)\\b")));
    static const RE contact(ci(QStringLiteral("@|https?://|www\\.|\\b(tel|phone|fax|vat|abn|ust|iban)\\b|[0-9]{3,}")));
    std::optional<Candidate> best;
    int nonEmpty = 0;
    for (int i = 0; i < lines.size(); ++i) {
        const Line &line = lines.at(i);
        if (line.match.trimmed().isEmpty())
            continue;
        ++nonEmpty;
        if (const auto m = labelled.match(line.match); m.hasMatch()) {
            const QString name = cleanVendor(m.captured(2));
            if (!name.isEmpty())
                keepBest(best, 4, lineFact(QStringLiteral("vendor"), name, m.captured(2), line));
        }
        if (nonEmpty <= 12 && !inCustomerBlock(lines, i)) {
            if (const auto m = company.match(line.match); m.hasMatch())
                keepBest(best, 3, lineFact(QStringLiteral("vendor"), m.captured(1).trimmed(), m.captured(1), line));
        }
        if (nonEmpty <= 3 && !title.match(line.match).hasMatch() && !contact.match(line.match).hasMatch()
            && !inCustomerBlock(lines, i)) {
            keepBest(best, 1, lineFact(QStringLiteral("vendor"), cleanVendor(line.match), line.match, line));
        }
    }
    if (!best)
        return std::nullopt;
    return best->fact;
}

std::optional<KeyFact> invoiceNumber(const QList<Line> &lines)
{
    static const RE strong(ci(QStringLiteral("\\b(invoice|inv|rechnung|bill)\\s*(no\\.?|number|num\\.?|nr\\.?|#|reference|ref\\.?|id)(?![\\p{L}])")));
    static const RE weak(ci(QStringLiteral("\\b(invoice|rechnung)\\s*[:#]?\\s+([A-Z0-9][A-Z0-9\\-/]*[0-9][A-Z0-9\\-/]*)\\b")));
    static const RE token(QStringLiteral("^([A-Za-z0-9][A-Za-z0-9\\-/.]*[A-Za-z0-9]|[0-9])"));
    std::optional<Candidate> best;
    for (int i = 0; i < lines.size(); ++i) {
        const Line &line = lines.at(i);
        if (const auto m = strong.match(line.match); m.hasMatch()) {
            const QString rest = afterLabel(line, m);
            const auto t = token.match(rest);
            static const RE digit(QStringLiteral("[0-9]"));
            if (t.hasMatch() && t.captured(1).contains(digit)) {
                keepBest(best, 3, lineFact(QStringLiteral("invoice_number"), t.captured(1), t.captured(1), line));
            } else if (const auto below = valueBelow(lines, i, m.capturedStart(), m.capturedEnd())) {
                const auto bt = token.match(below->first);
                if (bt.hasMatch())
                    keepBest(best, 3, lineFact(QStringLiteral("invoice_number"), bt.captured(1), bt.captured(1), lines.at(below->second)));
            }
        }
        if (const auto m = weak.match(line.match); m.hasMatch())
            keepBest(best, 1, lineFact(QStringLiteral("invoice_number"), m.captured(2), m.captured(2), line));
    }
    if (!best)
        return std::nullopt;
    return best->fact;
}

std::optional<KeyFact> invoiceDate(const QList<Line> &lines, bool monthFirst)
{
    static const RE strong(ci(QStringLiteral("\\b(invoice date|date of issue|issue date|date issued|issued( on)?|dated|"
                                              "tax point|statement date|billing date|invoice dt)\\b")));
    static const RE plain(ci(QStringLiteral("\\bdate\\b")));
    static const RE notIssue(ci(QStringLiteral("\\b(due|payable|deliver\\w*|period|expir\\w*|valid|order date|ship\\w*|"
                                                "event|service date|start|end)\\b")));
    static const RE date(ci(kDate));
    std::optional<Candidate> best;
    const auto dateIn = [&](const QString &text) -> std::optional<std::pair<QDate, QString>> {
        const auto m = date.match(text);
        if (!m.hasMatch())
            return std::nullopt;
        const auto d = facts::parseDate(m.capturedView(), monthFirst);
        if (!d)
            return std::nullopt;
        return std::make_pair(*d, m.captured());
    };
    for (int i = 0; i < lines.size(); ++i) {
        const Line &line = lines.at(i);
        for (const auto &[re, score] : {std::make_pair(&strong, 3), std::make_pair(&plain, 2)}) {
            const auto m = re->match(line.match);
            if (!m.hasMatch())
                continue;
            // "Due Date:" and "Payment is due by" name other dates; look only at what follows the label.
            const QString before = line.match.left(m.capturedStart()).right(20);
            if (notIssue.match(before + m.captured()).hasMatch())
                continue;
            const QString rest = line.match.mid(m.capturedEnd());
            static const RE firstDigit(QStringLiteral("[0-9]"));
            const qsizetype digitAt = rest.indexOf(firstDigit);
            if (notIssue.match(rest.left(std::min<qsizetype>(digitAt < 0 ? 30 : digitAt, 30))).hasMatch())
                continue;
            if (const auto d = dateIn(rest)) {
                keepBest(best, score, lineFact(QStringLiteral("date"), d->first.toString(Qt::ISODate), d->second, line));
            } else if (const auto below = valueBelow(lines, i, m.capturedStart(), m.capturedEnd())) {
                if (const auto bd = dateIn(below->first))
                    keepBest(best, score, lineFact(QStringLiteral("date"), bd->first.toString(Qt::ISODate), bd->second,
                                                   lines.at(below->second)));
            }
            break;
        }
        if (!notIssue.match(line.match).hasMatch()) {
            if (const auto d = dateIn(line.match))
                keepBest(best, 1, lineFact(QStringLiteral("date"), d->first.toString(Qt::ISODate), d->second, line));
        }
    }
    if (!best)
        return std::nullopt;
    return best->fact;
}

struct TotalPick {
    KeyFact total;
    Line line;
};

std::optional<TotalPick> invoiceTotal(const QList<Line> &lines)
{
    static const QList<std::pair<RE, int>> labels{
        {ci(QStringLiteral("\\b(invoice total|grand total|total due|total amount due|amount due|total payable|total amount|"
                           "gross amount|gross total|total \\(|total incl|total [A-Z]{3}\\b|total to pay|amount payable)")),
         5},
        {ci(QStringLiteral("(?<![\\p{L}\\-])total\\b")), 4},
        {ci(QStringLiteral("\\b(balance due|balance|please pay|due amount|betrag)\\b")), 3},
    };
    static const RE excluded(ci(QStringLiteral("\\b(sub-?\\s?total|net|vat|tax|gst|hst|deposit|paid|discount|shipping|freight|"
                                                "credit)\\b")));
    std::optional<Candidate> best;
    std::optional<Line> bestLine;
    for (int i = 0; i < lines.size(); ++i) {
        const Line &line = lines.at(i);
        for (const auto &[re, score] : labels) {
            const auto m = re.match(line.match);
            if (!m.hasMatch())
                continue;
            QList<std::pair<qsizetype, QString>> amounts = moneyIn(line.match, m.capturedEnd());
            const Line *source = &line;
            if (amounts.isEmpty() && i + 1 < lines.size()) {
                amounts = moneyIn(lines.at(i + 1).match, 0);
                source = &lines.at(i + 1);
            }
            if (amounts.isEmpty())
                break;
            // "Balance due: USD 18,250.00 (no sales tax applies)": only the words before the amount label it.
            if (score < 5 && source == &line && excluded.match(line.match.left(amounts.constLast().first)).hasMatch())
                break;
            const QString raw = amounts.constLast().second;
            const std::optional<QString> value = facts::parseAmount(raw);
            // Later totals sum up earlier ones: at equal strength the later line wins.
            if (value && (!best || score >= best->score)) {
                best = Candidate{score, lineFact(QStringLiteral("total"), *value, raw, *source)};
                bestLine = *source;
            }
            break;
        }
    }
    if (!best)
        return std::nullopt;
    return TotalPick{best->fact, *bestLine};
}

std::optional<KeyFact> invoiceCurrency(const QList<Line> &lines, const std::optional<TotalPick> &total)
{
    static const RE explicitCode(QStringLiteral("\\b(USD|EUR|GBP|CHF|AUD|CAD|NZD|JPY|CNY|SEK|NOK|DKK|INR|SGD|HKD|ZAR)\\b"));
    static const RE dollarWords(ci(QStringLiteral("\\b(AUD|CAD|NZD|SGD|HKD|Australian dollars?|Canadian dollars?)\\b")));
    if (total) {
        if (const auto code = facts::currencyCode(total->line.match)) {
            // A bare "$" is read as USD unless the document names another dollar.
            if (*code == QLatin1String("USD") && !explicitCode.match(total->line.match).hasMatch()) {
                for (const Line &l : lines) {
                    if (dollarWords.match(l.match).hasMatch()) {
                        if (const auto other = facts::currencyCode(l.match))
                            return lineFact(QStringLiteral("currency"), *other, *other, l);
                    }
                }
            }
            return lineFact(QStringLiteral("currency"), *code, *code, total->line);
        }
    }
    // The currency the document names most often.
    QHash<QString, int> counts;
    QHash<QString, Line> where;
    for (const Line &l : lines) {
        if (const auto code = facts::currencyCode(l.match)) {
            ++counts[*code];
            if (!where.contains(*code))
                where.insert(*code, l);
        }
    }
    if (counts.isEmpty())
        return std::nullopt;
    QString top;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
        if (top.isEmpty() || it.value() > counts.value(top))
            top = it.key();
    }
    return lineFact(QStringLiteral("currency"), top, top, where.value(top));
}

QList<KeyFact> invoiceFacts(const QList<FactPage> &pages)
{
    const QList<Line> lines = linesOf(pages);
    // All-numeric dates are month-first in US documents.
    bool us = false;
    for (const Line &l : lines)
        us = us || l.match.contains(QLatin1String("USD")) || l.match.contains(QLatin1Char('$'));
    QList<KeyFact> out;
    if (const auto v = invoiceVendor(lines))
        out << *v;
    if (const auto n = invoiceNumber(lines))
        out << *n;
    if (const auto d = invoiceDate(lines, us))
        out << *d;
    const std::optional<TotalPick> total = invoiceTotal(lines);
    if (total)
        out << total->total;
    if (const auto c = invoiceCurrency(lines, total))
        out << *c;
    return out;
}

// --- contracts and generic ------------------------------------------------------------------------------------

// A party's name at the start of text: up to the descriptor that follows it (", a Delaware corporation",
// " incorporated in", " (the "Supplier")"), keeping commas that introduce a legal form (", Inc.").
QString partyName(const QString &text)
{
    static const RE stop(ci(QStringLiteral(",\\s+(?!(?:Inc|LLC|L\\.L\\.C|Ltd|Limited|P\\.C|Corp|Co|LLP|LP|S\\.A|AG|GmbH|PLC)\\b)"
                                            "|\\s*\\(|;|\\s+(?:a|an)\\s+(?:company|corporation|limited|private|public|"
                                            "\\p{Lu}\\p{Ll}+\\s+(?:corporation|company|limited))|\\s+incorporated|\\s+whose|\\s+having|"
                                            "\\s+with\\s+(?:offices|its)|\\s+residing|\\s+registered|\\s+organi[sz]ed|\\s+and\\s+|\"|\\x{201C}")));
    const QString head = text.left(160);
    const auto m = stop.match(head);
    QString name = (m.hasMatch() ? head.left(m.capturedStart()) : head).trimmed();
    static const RE lead(ci(QStringLiteral("^(the|:)\\s+")));
    name.remove(lead);
    while (!name.isEmpty() && (name.endsWith(QLatin1Char(',')) || name.endsWith(QLatin1Char(':'))))
        name.chop(1);
    return name.trimmed();
}

QList<KeyFact> contractParties(const QList<Flat> &flats)
{
    static const RE between(ci(QStringLiteral("\\bbetween\\s*:?\\s+")));
    static const RE andNext(ci(QStringLiteral("(?:\\)|;|,)\\s*[,;]?\\s*and\\s*[,:]?\\s+|\\s+and\\s+(?=\\p{Lu})")));
    static const RE numbered(cs(QStringLiteral("\\(\\s*([12])\\s*\\)\\s+(?=\\p{Lu})")));
    static const RE partiesHeading(cs(QStringLiteral("\\bPARTIES\\b|\\bParties\\b")));
    QList<KeyFact> out;
    for (const Flat &flat : flats.mid(0, 2)) {
        const QString &t = flat.text;
        // "(1) FENWICK DATA SERVICES LIMITED incorporated ... (2) OAKRIDGE ..." under a PARTIES heading.
        const auto heading = partiesHeading.match(t);
        if (heading.hasMatch()) {
            for (auto it = numbered.globalMatch(t, heading.capturedEnd()); it.hasNext() && out.size() < 2;) {
                const auto m = it.next();
                const QString name = partyName(t.mid(m.capturedEnd()));
                if (!name.isEmpty())
                    out << flatFact(QStringLiteral("parties"), name, name, flat, m.capturedEnd(), m.capturedEnd() + name.size());
            }
            if (out.size() == 2)
                return out;
            out.clear();
        }
        const auto b = between.match(t);
        if (!b.hasMatch() || b.capturedStart() > 3000)
            continue;
        const qsizetype firstAt = b.capturedEnd();
        const QString first = partyName(t.mid(firstAt));
        if (first.isEmpty())
            continue;
        out << flatFact(QStringLiteral("parties"), first, first, flat, firstAt, firstAt + first.size());
        const auto a = andNext.match(t, firstAt + first.size());
        if (a.hasMatch() && a.capturedStart() - firstAt < 600) {
            const QString second = partyName(t.mid(a.capturedEnd()));
            if (!second.isEmpty())
                out << flatFact(QStringLiteral("parties"), second, second, flat, a.capturedEnd(), a.capturedEnd() + second.size());
        }
        return out;
    }
    return out;
}

// The best match over all pages of patterns ranked by how explicitly they state the field.
std::optional<KeyFact> rankedFlatMatch(const QList<Flat> &flats, const QString &field,
                                       const QList<std::pair<RE, int>> &patterns,
                                       const std::function<std::optional<QString>(const QString &)> &normalise)
{
    std::optional<Candidate> best;
    for (const Flat &flat : flats) {
        for (const auto &[re, score] : patterns) {
            if (best && best->score >= score)
                continue;
            for (auto it = re.globalMatch(flat.text); it.hasNext();) {
                const auto m = it.next();
                const QString raw = m.captured(QStringLiteral("v")).trimmed();
                const std::optional<QString> value = normalise(raw);
                if (!value || value->isEmpty())
                    continue;
                keepBest(best, score, flatFact(field, *value, raw, flat, m.capturedStart(QStringLiteral("v")),
                                               m.capturedEnd(QStringLiteral("v"))));
                break;
            }
        }
    }
    if (!best)
        return std::nullopt;
    return best->fact;
}

QList<KeyFact> contractFacts(const QList<FactPage> &pages)
{
    QList<Flat> flats;
    for (const FactPage &p : pages)
        flats << flatten(p);
    bool us = false;
    for (const Flat &f : std::as_const(flats))
        us = us || f.text.contains(QLatin1Char('$')) || f.text.contains(QLatin1String("State of"));
    QList<KeyFact> out = contractParties(flats);

    const QString d = QStringLiteral("(?<v>") + kDate + QLatin1Char(')');
    const QList<std::pair<RE, int>> effective{
        {ci(QStringLiteral("\\beffective\\s+(?:as\\s+of\\s+|on\\s+|from\\s+)?") + d), 5},
        {ci(d + QStringLiteral("\\s*\\(\\s*(?:the\\s+)?[\"\\x{201C}]?Effective\\s+Date")), 5},
        {ci(QStringLiteral("\\b(?:takes?|shall\\s+take)\\s+effect\\s+(?:on|as\\s+of|from)\\s+") + d), 4},
        {ci(QStringLiteral("\\bcommenc\\w*\\s+(?:on|as\\s+of)\\s+") + d), 4},
        {ci(QStringLiteral("\\bEffective\\s+Date\\W{0,5}(?:is|shall\\s+be|:)?\\s*") + d), 4},
        {ci(QStringLiteral("\\bdated\\s+(?:as\\s+of\\s+)?") + d), 3},
        {ci(QStringLiteral("\\b(?:made|entered\\s+into|executed)(?:\\s+\\w+){0,3}\\s+(?:on|as\\s+of)\\s+") + d), 3},
        {ci(d), 1},
    };
    if (const auto f = rankedFlatMatch(flats, QStringLiteral("effective_date"), effective, [us](const QString &raw) {
            const auto date = facts::parseDate(raw, us);
            return date ? std::optional<QString>(date->toString(Qt::ISODate)) : std::nullopt;
        }))
        out << *f;

    const QString dur = QStringLiteral(
        "(?<v>(?:(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|eighteen|twenty|twenty-four|"
        "thirty|thirty-six|forty-eight|sixty)(?:\\s*\\(\\d+\\))?|\\d+)\\s*(?:-\\s*)?(?:calendar\\s+)?(?:years?|months?|weeks?|days?))"
        "(?!\\W{0,3}(?:written\\s+)?notice)");
    const QList<std::pair<RE, int>> term{
        {ci(QStringLiteral("\\binitial\\s+(?:term|period)\\s+of\\s+") + dur), 5},
        {ci(QStringLiteral("\\b(?:for|of)\\s+(?:a|an)\\s+(?:initial\\s+)?(?:fixed\\s+)?(?:term|period)\\s+of\\s+") + dur), 5},
        {ci(QStringLiteral("\\bterm\\s+(?:of\\s+this\\s+\\w+\\s+)?(?:shall\\s+be|is)\\s+(?:an?\\s+)?(?:initial\\s+)?(?:period\\s+of\\s+)?") + dur), 5},
        {ci(QStringLiteral("\\b(?:remain\\s+in\\s+(?:full\\s+force\\s+and\\s+)?effect|continue|be\\s+in\\s+force)\\s+for\\s+(?:a\\s+period\\s+of\\s+)?") + dur), 4},
        {ci(QStringLiteral("(?<!notice\\s)\\b(?:term|period)\\s+of\\s+") + dur), 2},
    };
    if (const auto f = rankedFlatMatch(flats, QStringLiteral("term"), term,
                                       [](const QString &raw) { return std::optional<QString>(raw.simplified()); }))
        out << *f;

    const QString place = QStringLiteral("(?<v>[^.;,()]{2,60}?)(?=\\s*(?:,|\\.|;|\\(|\\bwithout\\b|\\bexcluding\\b|\\band\\s+the\\b|"
                                         "\\band\\s+any\\b|\\bapplicable\\b|\\bas\\s+applied\\b|\\bshall\\b|$))");
    const QList<std::pair<RE, int>> law{
        {ci(QStringLiteral("\\bgoverned\\s+by(?:,?\\s+and\\s+(?:construed|interpreted)(?:\\s+and\\s+(?:construed|interpreted|enforced))?"
                           "\\s+in\\s+accordance\\s+with,?)?\\s+(?:the\\s+)?laws?\\s+of\\s+(?:the\\s+)?") + place), 5},
        {ci(QStringLiteral("\\bconstrued\\s+in\\s+accordance\\s+with\\s+(?:the\\s+)?laws?\\s+of\\s+(?:the\\s+)?") + place), 5},
        {cs(QStringLiteral("\\b(?:[Gg]overned\\s+by|[Ss]ubject\\s+to)\\s+(?:the\\s+)?(?<v>\\p{Lu}\\p{L}+(?:\\s+\\p{Lu}\\p{L}+)?)\\s+law\\b")), 4},
        {cs(QStringLiteral("\\b(?<v>\\p{Lu}\\p{L}+)\\s+law\\s+(?:shall\\s+)?(?:applies|apply|governs|govern)\\b")), 4},
        {ci(QStringLiteral("\\blaws?\\s+of\\s+(?:the\\s+)?(?<v>(?:State|Province|Commonwealth|Republic|Kingdom)\\s+of\\s+\\p{Lu}\\p{L}+(?:\\s+\\p{Lu}\\p{L}+)?)")), 3},
    };
    if (const auto f = rankedFlatMatch(flats, QStringLiteral("governing_law"), law,
                                       [](const QString &raw) { return std::optional<QString>(raw.simplified()); }))
        out << *f;
    return out;
}

QList<KeyFact> genericFacts(const QList<FactPage> &pages)
{
    static const RE company(cs(kCompany));
    static const RE titled(cs(QStringLiteral("\\b(?:Mr|Mrs|Ms|Dr|Prof)\\.?\\s+(?<v>\\p{Lu}\\p{Ll}+(?:\\s+\\p{Lu}\\.)?(?:\\s+\\p{Lu}[\\p{Ll}'\\-]+){1,2})")));
    static const RE signer(cs(QStringLiteral("\\b(?:By|Signed\\s+by|Attn|Attention|Contact|Name|[Dd]irector|Regards)\\s*[:,]?\\s+"
                                             "(?<v>\\p{Lu}\\p{Ll}+(?:\\s+\\p{Lu}\\.)?\\s+\\p{Lu}[\\p{Ll}'\\-]+)(?![\\p{L}])")));
    static const RE date(ci(kDate));
    static const RE money(cs(QStringLiteral("(?:(?:USD|EUR|GBP|CHF|AUD|CAD|JPY|US\\$|A\\$|C\\$|[$\\x{20AC}\\x{00A3}\\x{00A5}])\\s*"
                                            "(?<v>[0-9][0-9,.'\\x{2019}]*[0-9])|(?<w>[0-9][0-9,.'\\x{2019}]*[0-9])\\s*(?:USD|EUR|GBP|CHF|AUD|CAD|JPY)\\b)")));
    QList<KeyFact> out;
    QSet<QString> seen;
    const auto add = [&](const QString &field, const QString &value, const QString &raw, const Flat &flat, qsizetype s, qsizetype e) {
        const QString key = field + QLatin1Char(':') + value.toLower();
        if (value.isEmpty() || seen.contains(key))
            return;
        seen.insert(key);
        out << flatFact(field, value, raw, flat, s, e);
    };
    for (const FactPage &p : pages) {
        const Flat flat = flatten(p);
        for (auto it = company.globalMatch(flat.text); it.hasNext();) {
            const auto m = it.next();
            add(QStringLiteral("organisations"), m.captured(1).trimmed(), m.captured(1), flat, m.capturedStart(1), m.capturedEnd(1));
        }
        for (const RE *re : {&titled, &signer}) {
            for (auto it = re->globalMatch(flat.text); it.hasNext();) {
                const auto m = it.next();
                add(QStringLiteral("people"), m.captured(QStringLiteral("v")), m.captured(QStringLiteral("v")), flat,
                    m.capturedStart(QStringLiteral("v")), m.capturedEnd(QStringLiteral("v")));
            }
        }
        for (auto it = date.globalMatch(flat.text); it.hasNext();) {
            const auto m = it.next();
            if (const auto d = facts::parseDate(m.capturedView()))
                add(QStringLiteral("dates"), d->toString(Qt::ISODate), m.captured(), flat, m.capturedStart(), m.capturedEnd());
        }
        for (auto it = money.globalMatch(flat.text); it.hasNext();) {
            const auto m = it.next();
            const QString raw = m.captured(QStringLiteral("v")).isEmpty() ? m.captured(QStringLiteral("w")) : m.captured(QStringLiteral("v"));
            const auto amount = facts::parseAmount(raw);
            const auto code = facts::currencyCode(m.captured());
            if (amount)
                add(QStringLiteral("amounts"), *amount + (code ? QLatin1Char(' ') + *code : QString()), m.captured(), flat,
                    m.capturedStart(), m.capturedEnd());
        }
    }
    return out;
}

} // namespace

QList<KeyFact> factrules::extract(const QList<FactPage> &pages, FactTemplate templ)
{
    QList<KeyFact> out;
    switch (templ) {
    case FactTemplate::Invoice: out = invoiceFacts(pages); break;
    case FactTemplate::Contract: out = contractFacts(pages); break;
    case FactTemplate::Generic: out = genericFacts(pages); break;
    }
    qCDebug(lcFactRules) << factTemplateName(templ) << "facts" << out.size();
    return out;
}

} // namespace docsight
