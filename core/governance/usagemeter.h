#pragma once

#include "governance/budget.h"
#include "governance/pricetable.h"

#include "store/messagestore.h"

#include <memory>
#include <optional>

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QString>

namespace docsight {

class Library;

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
    FeedbackStats feedback;       // from the message store
    BudgetStatus budget;

    QJsonObject toJson() const;
};

// Tokens, latency, errors and cost per request; monthly cloud budget with warnings and a hard stop. The
// summary adds the answers' feedback, which MessageStore keeps. Prices and budget live in the library's meta table (shared by GUI and CLI); changes are audited.
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

    // Nearest-rank percentile (p in 0..100) of ascending values; 0 for none.
    static qint64 percentile(const QList<qint64> &sortedAscending, double p);
    static LatencyStats latencyStats(QList<qint64> values);
    // Local midnight on the 1st of now's month, as UTC.
    static QDateTime monthStart(const QDateTime &now);

private:
    std::shared_ptr<Library> m_library;
};

} // namespace docsight
