#pragma once

#include <memory>
#include <optional>

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QString>

namespace docsight {

class Library;

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

// Monthly spending limit on cloud providers.
struct Budget {
    double monthlyUsd = 0;                       // 0: no budget
    QList<double> warnAt = defaultWarnAt();      // shares of the budget that raise a warning
    bool hardStop = true;                        // refuse cloud calls once the budget is spent

    QJsonObject toJson() const;
    static Budget fromJson(const QJsonObject &json);
    static QList<double> defaultWarnAt();        // 50%, 80%, 90%
};

enum class BudgetLevel { NoBudget, Ok, Warning, Exceeded };

struct BudgetStatus {
    BudgetLevel level = BudgetLevel::NoBudget;
    double spentUsd = 0;          // cloud spending this month
    double budgetUsd = 0;
    double share = 0;             // spent / budget
    double thresholdCrossed = 0;  // highest warnAt reached (0 when none)
    bool blocksCloud = false;     // hard stop and exceeded
    QDateTime monthStart;         // UTC instant of local midnight on the 1st
    QDateTime nextMonthStart;
    QString message;              // analyst-facing; empty when nothing to say
};

// One call to a provider.
struct UsageRecord {
    qint64 id = 0;
    QDateTime at;                 // UTC
    QString kind = QStringLiteral("ask"); // "ask", "extract"
    QString provider;
    QString model;
    QString trust = QStringLiteral("cloud");
    qint64 inputTokens = 0;
    qint64 outputTokens = 0;
    qint64 latencyMs = 0;
    bool ok = true;
    QString error;                // short kind, e.g. "timeout", "http"; never a message with content
    double costUsd = 0;           // priced when recorded: later price changes do not rewrite history
    bool priced = true;
    qint64 messageId = 0;         // the stored answer, when there is one
};

struct LatencyStats {
    int count = 0;
    qint64 p50 = 0;
    qint64 p95 = 0;
    qint64 p99 = 0;
    qint64 max = 0;
    double mean = 0;
};

struct FeedbackStats {
    int answers = 0;              // answers given in the period
    int rated = 0;                // answers whose latest feedback is a thumb
    int up = 0;
    int down = 0;
    int corrections = 0;          // answers with a correction
    double upRate = 0;            // up / rated
    double downRate = 0;          // down / rated
    double correctionRate = 0;    // corrections / answers
};

struct UsageBreakdown {
    QString provider;
    QString model;
    int requests = 0;
    int errors = 0;
    qint64 inputTokens = 0;
    qint64 outputTokens = 0;
    double costUsd = 0;
};

struct UsageSummary {
    QDateTime from;
    QDateTime to;
    int requests = 0;
    int errors = 0;
    double errorRate = 0;
    qint64 inputTokens = 0;
    qint64 outputTokens = 0;
    double costUsd = 0;
    int unpriced = 0;             // cloud requests the price table had no entry for
    LatencyStats latency;         // over successful requests
    QList<UsageBreakdown> byModel;
    FeedbackStats feedback;
    BudgetStatus budget;

    QJsonObject toJson() const;
};

// Tokens, latency, errors and cost per request; monthly cloud budget with warnings and a hard stop; answer
// feedback. Prices and budget live in the library's meta table (shared by GUI and CLI); changes are audited.
// Thread-safe: each thread uses its own connection.
class UsageMeter final
{
public:
    explicit UsageMeter(std::shared_ptr<Library> library);

    PriceTable prices() const;
    bool setPrices(const PriceTable &table, QString *error = nullptr);
    Budget budget() const;
    bool setBudget(const Budget &budget, QString *error = nullptr);

    // Prices the record (local providers cost nothing) and stores it; inside the caller's write transaction.
    static bool record(QSqlDatabase &db, const PriceTable &prices, UsageRecord *record, QString *error = nullptr);
    bool record(UsageRecord *record, QString *error = nullptr);

    BudgetStatus budgetStatus(const QDateTime &now = QDateTime::currentDateTimeUtc()) const;
    // The refusal to show when a cloud call must not be made (hard budget spent); nullopt to go ahead. Each
    // refusal is audited ("usage.budget_blocked").
    std::optional<QString> refuseCloudCall(const QString &provider, const QDateTime &now = QDateTime::currentDateTimeUtc()) const;

    UsageSummary summarize(const QDateTime &from, const QDateTime &to) const;
    UsageSummary thisMonth(const QDateTime &now = QDateTime::currentDateTimeUtc()) const;
    QList<UsageRecord> records(const QDateTime &from = {}, const QDateTime &to = {}) const;

    // rating: +1 thumbs up, -1 thumbs down, 0 none (a correction alone; with no correction either, the
    // answer's thumb is taken back). Audited ("answer.feedback") without the correction's text.
    bool recordFeedback(qint64 messageId, int rating, const QString &correction, QString *error = nullptr);
    FeedbackStats feedback(const QDateTime &from, const QDateTime &to) const;

    // Nearest-rank percentile (p in 0..100) of ascending values; 0 for none.
    static qint64 percentile(const QList<qint64> &sortedAscending, double p);
    static LatencyStats latencyStats(QList<qint64> values);
    // Local midnight on the 1st of now's month, as UTC.
    static QDateTime monthStart(const QDateTime &now);

private:
    std::shared_ptr<Library> m_library;
};

} // namespace docsight
