#pragma once

// PriceTable: what a provider's model costs per token, for pricing usage records.

#include <optional>

#include <QJsonObject>
#include <QList>
#include <QString>

namespace docsight {

// A price per 1M tokens, in US dollars.
struct ModelPrice {
    QString provider;            // "openai"
    QString model;               // "gpt-4o-mini"; "*" for any model of the provider; a prefix matches dated ids
    double inputPerMillion = 0;
    double outputPerMillion = 0;
};

// Prices by provider and model. JSON: {"openai/gpt-4o-mini": {"input": 0.15, "output": 0.60}, "openai/*": {...}}.
// A model matches its exact entry, else the longest entry that is a prefix of it ("gpt-4o-mini" prices
// "gpt-4o-mini-2024-07-18"), else the provider's "*" entry.
class PriceTable final
{
public:
    // A few public list prices (USD per 1M tokens, late 2025) to start from; the analyst's table replaces them.
    static PriceTable defaults();
    static PriceTable fromJson(const QJsonObject &json, QString *error = nullptr);
    QJsonObject toJson() const;

    std::optional<ModelPrice> lookup(const QString &provider, const QString &model) const;
    // Cost in USD; priced is false (and the cost 0) when the table has no entry.
    double cost(const QString &provider, const QString &model, qint64 inputTokens, qint64 outputTokens,
                bool *priced = nullptr) const;

    QList<ModelPrice> entries() const { return m_entries; }
    void set(const ModelPrice &price);

private:
    QList<ModelPrice> m_entries;
};

} // namespace docsight
