// The price table: public list prices to start from, the analyst's JSON, and which entry prices a model.
#include "governance/pricetable.h"

namespace docsight {

PriceTable PriceTable::defaults()
{
    PriceTable t;
    t.m_entries = {
        {QStringLiteral("openai"), QStringLiteral("gpt-4o-mini"), 0.15, 0.60},
        {QStringLiteral("openai"), QStringLiteral("gpt-4o"), 2.50, 10.00},
        {QStringLiteral("openai"), QStringLiteral("gpt-4.1-mini"), 0.40, 1.60},
        {QStringLiteral("openai"), QStringLiteral("gpt-4.1"), 2.00, 8.00},
        {QStringLiteral("anthropic"), QStringLiteral("claude-haiku-4-5"), 1.00, 5.00},
        {QStringLiteral("anthropic"), QStringLiteral("claude-sonnet-4"), 3.00, 15.00},
        {QStringLiteral("anthropic"), QStringLiteral("claude-3-5-haiku"), 0.80, 4.00},
    };
    return t;
}

PriceTable PriceTable::fromJson(const QJsonObject &json, QString *error)
{
    PriceTable t;
    for (auto it = json.begin(); it != json.end(); ++it) {
        const qsizetype slash = it.key().indexOf(QLatin1Char('/'));
        const QJsonObject o = it.value().toObject();
        if (slash <= 0 || slash == it.key().size() - 1 || !o.value(QLatin1String("input")).isDouble()
            || !o.value(QLatin1String("output")).isDouble() || o.value(QLatin1String("input")).toDouble() < 0
            || o.value(QLatin1String("output")).toDouble() < 0) {
            if (error)
                *error = QStringLiteral("price entry '%1' must be \"provider/model\": {\"input\": USD per 1M tokens, "
                                        "\"output\": USD per 1M tokens}")
                             .arg(it.key());
            return {};
        }
        t.m_entries.append({it.key().left(slash).toLower(), it.key().mid(slash + 1),
                            o.value(QLatin1String("input")).toDouble(), o.value(QLatin1String("output")).toDouble()});
    }
    return t;
}

QJsonObject PriceTable::toJson() const
{
    QJsonObject o;
    for (const ModelPrice &p : m_entries)
        o.insert(p.provider + QLatin1Char('/') + p.model,
                 QJsonObject{{QStringLiteral("input"), p.inputPerMillion}, {QStringLiteral("output"), p.outputPerMillion}});
    return o;
}

void PriceTable::set(const ModelPrice &price)
{
    for (ModelPrice &p : m_entries) {
        if (p.provider == price.provider && p.model == price.model) {
            p = price;
            return;
        }
    }
    m_entries.append(price);
}

std::optional<ModelPrice> PriceTable::lookup(const QString &provider, const QString &model) const
{
    const ModelPrice *best = nullptr;
    const ModelPrice *any = nullptr;
    for (const ModelPrice &p : m_entries) {
        if (p.provider.compare(provider, Qt::CaseInsensitive) != 0)
            continue;
        if (p.model == QLatin1String("*")) {
            any = &p;
            continue;
        }
        if (p.model.compare(model, Qt::CaseInsensitive) == 0)
            return p;
        if (model.startsWith(p.model, Qt::CaseInsensitive) && (!best || p.model.size() > best->model.size()))
            best = &p;
    }
    if (best)
        return *best;
    if (any)
        return *any;
    return std::nullopt;
}

double PriceTable::cost(const QString &provider, const QString &model, qint64 inputTokens, qint64 outputTokens,
                        bool *priced) const
{
    const std::optional<ModelPrice> p = lookup(provider, model);
    if (priced)
        *priced = p.has_value();
    if (!p)
        return 0.0;
    return (double(inputTokens) * p->inputPerMillion + double(outputTokens) * p->outputPerMillion) / 1'000'000.0;
}

} // namespace docsight
