#include "governance/usagemeter.h"
#include "util/sqlerror.h"

#include "audit/auditlog.h"
#include "store/library.h"
#include "store/messagestore.h"
#include "store/meta.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace docsight {

Q_LOGGING_CATEGORY(lcUsage, "docsight.governance.usage")

namespace {

const QString kPricesKey = QStringLiteral("usage.prices");
const QString kBudgetKey = QStringLiteral("usage.budget");

QString ts(const QDateTime &at)
{
    return at.toUTC().toString(Qt::ISODateWithMs);
}

// SQLite stores a null QString as NULL, which NOT NULL text columns refuse.
QString nonNull(const QString &s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

QString money(double usd)
{
    return QStringLiteral("$") + QString::number(usd, 'f', 2);
}

QJsonObject readJsonMeta(const Library &library, const QString &key, bool *present)
{
    QSqlDatabase db = library.connection();
    const std::optional<QString> v = readMeta(db, key);
    *present = v.has_value();
    return v ? QJsonDocument::fromJson(v->toUtf8()).object() : QJsonObject();
}

bool writeAuditedMeta(const Library &library, const QString &key, const QJsonObject &value, const QString &kind,
                      const QJsonObject &payload, QString *error)
{
    return library.write(
        [&](QSqlDatabase &db) {
            return writeMeta(db, key, QString::fromUtf8(QJsonDocument(value).toJson(QJsonDocument::Compact)), error)
                && auditlog::append(db, kind, QStringLiteral("library"), payload, error);
        },
        error);
}

} // namespace

// --- UsageSummary ---------------------------------------------------------------------------------------------

QJsonObject UsageSummary::toJson() const
{
    QJsonArray models;
    for (const UsageBreakdown &b : byModel) {
        models.append(QJsonObject{{QStringLiteral("provider"), b.provider},
                                  {QStringLiteral("model"), b.model},
                                  {QStringLiteral("requests"), b.requests},
                                  {QStringLiteral("errors"), b.errors},
                                  {QStringLiteral("input_tokens"), b.inputTokens},
                                  {QStringLiteral("output_tokens"), b.outputTokens},
                                  {QStringLiteral("cost_usd"), b.costUsd}});
    }
    const auto levelName = [](BudgetLevel l) {
        switch (l) {
        case BudgetLevel::NoBudget: return QStringLiteral("none");
        case BudgetLevel::Ok: return QStringLiteral("ok");
        case BudgetLevel::Warning: return QStringLiteral("warning");
        case BudgetLevel::Exceeded: return QStringLiteral("exceeded");
        }
        return QString();
    };
    return {{QStringLiteral("from"), ts(from)},
            {QStringLiteral("to"), ts(to)},
            {QStringLiteral("requests"), requests},
            {QStringLiteral("errors"), errors},
            {QStringLiteral("error_rate"), errorRate},
            {QStringLiteral("input_tokens"), inputTokens},
            {QStringLiteral("output_tokens"), outputTokens},
            {QStringLiteral("cost_usd"), costUsd},
            {QStringLiteral("unpriced_requests"), unpriced},
            {QStringLiteral("latency_ms"), QJsonObject{{QStringLiteral("count"), latency.count},
                                                       {QStringLiteral("p50"), latency.p50},
                                                       {QStringLiteral("p95"), latency.p95},
                                                       {QStringLiteral("p99"), latency.p99},
                                                       {QStringLiteral("max"), latency.max},
                                                       {QStringLiteral("mean"), latency.mean}}},
            {QStringLiteral("by_model"), models},
            {QStringLiteral("feedback"), QJsonObject{{QStringLiteral("answers"), feedback.answers},
                                                     {QStringLiteral("rated"), feedback.rated},
                                                     {QStringLiteral("up"), feedback.up},
                                                     {QStringLiteral("down"), feedback.down},
                                                     {QStringLiteral("corrections"), feedback.corrections},
                                                     {QStringLiteral("up_rate"), feedback.upRate},
                                                     {QStringLiteral("down_rate"), feedback.downRate},
                                                     {QStringLiteral("correction_rate"), feedback.correctionRate}}},
            {QStringLiteral("budget"), QJsonObject{{QStringLiteral("level"), levelName(budget.level)},
                                                   {QStringLiteral("monthly_usd"), budget.budgetUsd},
                                                   {QStringLiteral("spent_usd"), budget.spentUsd},
                                                   {QStringLiteral("share"), budget.share},
                                                   {QStringLiteral("blocks_cloud"), budget.blocksCloud},
                                                   {QStringLiteral("message"), budget.message}}}};
}

// --- UsageMeter -----------------------------------------------------------------------------------------------

UsageMeter::UsageMeter(std::shared_ptr<Library> library)
    : m_library(std::move(library))
{
}

PriceTable UsageMeter::prices() const
{
    bool present = false;
    const QJsonObject json = readJsonMeta(*m_library, kPricesKey, &present);
    return present ? PriceTable::fromJson(json) : PriceTable::defaults();
}

bool UsageMeter::setPrices(const PriceTable &table, QString *error)
{
    const QJsonObject json = table.toJson();
    const QString digest = QString::fromLatin1(
        QCryptographicHash::hash(QJsonDocument(json).toJson(QJsonDocument::Compact), QCryptographicHash::Sha256).toHex());
    return writeAuditedMeta(*m_library, kPricesKey, json, QStringLiteral("usage.prices_changed"),
                            {{QStringLiteral("entries"), static_cast<int>(table.entries().size())},
                             {QStringLiteral("sha256"), digest}},
                            error);
}

Budget UsageMeter::budget() const
{
    bool present = false;
    return Budget::fromJson(readJsonMeta(*m_library, kBudgetKey, &present));
}

bool UsageMeter::setBudget(const Budget &budget, QString *error)
{
    return writeAuditedMeta(*m_library, kBudgetKey, budget.toJson(), QStringLiteral("usage.budget_changed"),
                            budget.toJson(), error);
}

bool UsageMeter::record(QSqlDatabase &db, const PriceTable &prices, UsageRecord *r, QString *error)
{
    if (!r->at.isValid())
        r->at = QDateTime::currentDateTimeUtc();
    if (r->trust == QLatin1String("local")) {
        r->costUsd = 0;
        r->priced = true;
    } else {
        r->costUsd = prices.cost(r->provider, r->model, r->inputTokens, r->outputTokens, &r->priced);
    }
    QSqlQuery q(db);
    q.prepare(QStringLiteral("INSERT INTO usage_events (at, kind, provider, model, trust, input_tokens, output_tokens, "
                             "latency_ms, ok, error, cost_usd, priced, message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(ts(r->at));
    q.addBindValue(nonNull(r->kind));
    q.addBindValue(nonNull(r->provider));
    q.addBindValue(nonNull(r->model));
    q.addBindValue(nonNull(r->trust));
    q.addBindValue(r->inputTokens);
    q.addBindValue(r->outputTokens);
    q.addBindValue(r->latencyMs);
    q.addBindValue(r->ok ? 1 : 0);
    q.addBindValue(nonNull(r->error));
    q.addBindValue(r->costUsd);
    q.addBindValue(r->priced ? 1 : 0);
    q.addBindValue(r->messageId > 0 ? QVariant(r->messageId) : QVariant(QMetaType(QMetaType::LongLong)));
    if (!q.exec()) {
        if (error)
            *error = sqlErrorText(q.lastError());
        qCWarning(lcUsage).noquote() << "cannot record usage:" << sqlErrorText(q.lastError());
        return false;
    }
    r->id = q.lastInsertId().toLongLong();
    return true;
}

bool UsageMeter::record(UsageRecord *r, QString *error)
{
    const PriceTable table = prices();
    return m_library->write([&](QSqlDatabase &db) { return record(db, table, r, error); }, error);
}

QDateTime UsageMeter::monthStart(const QDateTime &now)
{
    const QDate local = now.toLocalTime().date();
    return QDateTime(QDate(local.year(), local.month(), 1), QTime(0, 0), Qt::LocalTime).toUTC();
}

qint64 UsageMeter::percentile(const QList<qint64> &sorted, double p)
{
    if (sorted.isEmpty())
        return 0;
    const double clamped = std::clamp(p, 0.0, 100.0);
    // Nearest rank: the smallest value with at least p% of the values at or below it.
    const qsizetype rank = std::max<qsizetype>(1, static_cast<qsizetype>(std::ceil(clamped / 100.0 * double(sorted.size()))));
    return sorted.at(std::min(rank, sorted.size()) - 1);
}

LatencyStats UsageMeter::latencyStats(QList<qint64> values)
{
    LatencyStats s;
    if (values.isEmpty())
        return s;
    std::sort(values.begin(), values.end());
    s.count = static_cast<int>(values.size());
    s.p50 = percentile(values, 50);
    s.p95 = percentile(values, 95);
    s.p99 = percentile(values, 99);
    s.max = values.constLast();
    double sum = 0;
    for (const qint64 v : std::as_const(values))
        sum += double(v);
    s.mean = sum / double(values.size());
    return s;
}

QList<UsageRecord> UsageMeter::records(const QDateTime &from, const QDateTime &to) const
{
    QList<UsageRecord> out;
    QSqlQuery q(m_library->connection());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT id, at, kind, provider, model, trust, input_tokens, output_tokens, latency_ms, ok, "
                             "error, cost_usd, priced, message_id FROM usage_events WHERE at >= ? AND at < ? ORDER BY at, id"));
    q.addBindValue(from.isValid() ? ts(from) : QStringLiteral("0000"));
    q.addBindValue(to.isValid() ? ts(to) : QStringLiteral("9999"));
    if (!q.exec())
        return out;
    while (q.next()) {
        UsageRecord r;
        r.id = q.value(0).toLongLong();
        r.at = QDateTime::fromString(q.value(1).toString(), Qt::ISODateWithMs);
        r.kind = q.value(2).toString();
        r.provider = q.value(3).toString();
        r.model = q.value(4).toString();
        r.trust = q.value(5).toString();
        r.inputTokens = q.value(6).toLongLong();
        r.outputTokens = q.value(7).toLongLong();
        r.latencyMs = q.value(8).toLongLong();
        r.ok = q.value(9).toInt() != 0;
        r.error = q.value(10).toString();
        r.costUsd = q.value(11).toDouble();
        r.priced = q.value(12).toInt() != 0;
        r.messageId = q.value(13).toLongLong();
        out.append(r);
    }
    return out;
}

BudgetStatus UsageMeter::budgetStatus(const QDateTime &now) const
{
    BudgetStatus s;
    s.monthStart = monthStart(now);
    s.nextMonthStart = monthStart(s.monthStart.toLocalTime().addDays(40));
    const Budget b = budget();
    QSqlQuery q(m_library->connection());
    q.prepare(QStringLiteral("SELECT COALESCE(SUM(cost_usd), 0) FROM usage_events WHERE trust = 'cloud' AND at >= ? AND at < ?"));
    q.addBindValue(ts(s.monthStart));
    q.addBindValue(ts(s.nextMonthStart));
    if (q.exec() && q.next())
        s.spentUsd = q.value(0).toDouble();
    s.budgetUsd = b.monthlyUsd;
    if (b.monthlyUsd <= 0)
        return s;
    s.share = s.spentUsd / b.monthlyUsd;
    for (const double w : b.warnAt) {
        if (s.share >= w)
            s.thresholdCrossed = w;
    }
    const QString until = QLocale::c().toString(s.nextMonthStart.toLocalTime().date(), QStringLiteral("d MMMM yyyy"));
    if (s.share >= 1.0) {
        s.level = BudgetLevel::Exceeded;
        s.blocksCloud = b.hardStop;
        s.message = b.hardStop
            ? QStringLiteral("The monthly cloud budget of %1 is spent (%2 this month). Cloud providers are stopped until %3 "
                             "or until the budget is raised; local providers still answer.")
                  .arg(money(b.monthlyUsd), money(s.spentUsd), until)
            : QStringLiteral("Cloud spending this month (%1) is over the %2 budget.").arg(money(s.spentUsd), money(b.monthlyUsd));
    } else if (s.thresholdCrossed > 0) {
        s.level = BudgetLevel::Warning;
        s.message = QStringLiteral("Cloud spending this month is %1 of the %2 budget (%3%).")
                        .arg(money(s.spentUsd), money(b.monthlyUsd))
                        .arg(qRound(s.share * 100));
    } else {
        s.level = BudgetLevel::Ok;
    }
    return s;
}

std::optional<QString> UsageMeter::refuseCloudCall(const QString &provider, const QDateTime &now) const
{
    const BudgetStatus s = budgetStatus(now);
    if (!s.blocksCloud)
        return std::nullopt;
    QString error;
    const bool audited = m_library->write(
        [&](QSqlDatabase &db) {
            return auditlog::append(db, QStringLiteral("usage.budget_blocked"), QStringLiteral("provider:") + provider,
                                    {{QStringLiteral("spent_usd"), s.spentUsd}, {QStringLiteral("monthly_usd"), s.budgetUsd}},
                                    &error);
        },
        &error);
    if (!audited)
        qCWarning(lcUsage).noquote() << "budget refusal not audited:" << error;
    return s.message;
}

UsageSummary UsageMeter::summarize(const QDateTime &from, const QDateTime &to) const
{
    UsageSummary s;
    s.from = from;
    s.to = to;
    QList<qint64> latencies;
    std::map<std::pair<QString, QString>, UsageBreakdown> models;
    for (const UsageRecord &r : records(from, to)) {
        ++s.requests;
        s.errors += r.ok ? 0 : 1;
        s.inputTokens += r.inputTokens;
        s.outputTokens += r.outputTokens;
        s.costUsd += r.costUsd;
        s.unpriced += r.priced ? 0 : 1;
        if (r.ok)
            latencies.append(r.latencyMs);
        UsageBreakdown &b = models[{r.provider, r.model}];
        b.provider = r.provider;
        b.model = r.model;
        ++b.requests;
        b.errors += r.ok ? 0 : 1;
        b.inputTokens += r.inputTokens;
        b.outputTokens += r.outputTokens;
        b.costUsd += r.costUsd;
    }
    s.errorRate = s.requests > 0 ? double(s.errors) / double(s.requests) : 0.0;
    s.latency = latencyStats(latencies);
    for (const auto &[key, b] : models)
        s.byModel.append(b);
    s.feedback = MessageStore(m_library).feedback(from, to);
    s.budget = budgetStatus(to.isValid() ? to.addMSecs(-1) : QDateTime::currentDateTimeUtc());
    return s;
}

UsageSummary UsageMeter::thisMonth(const QDateTime &now) const
{
    const QDateTime start = monthStart(now);
    UsageSummary s = summarize(start, monthStart(start.toLocalTime().addDays(40)));
    s.budget = budgetStatus(now);
    return s;
}

} // namespace docsight
