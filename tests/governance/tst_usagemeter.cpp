// Usage metering: cost arithmetic from the price table, latency percentiles, error rate, the monthly budget
// with its warnings and hard stop, and feedback rates.
#include "audit/auditlog.h"
#include "governance/usagemeter.h"
#include "store/messagestore.h"
#include "store/library.h"

#include <algorithm>

#include <QJsonDocument>
#include <QSqlDatabase>
#include <QTemporaryDir>
#include <QTest>

using namespace docsight;

class TestUsageMeter final : public QObject
{
    Q_OBJECT

private:
    std::shared_ptr<Library> freshLibrary(QTemporaryDir &dir)
    {
        QString error;
        auto library = Library::open(dir.filePath(QStringLiteral("lib")), &error);
        if (!library)
            qWarning() << error;
        return library;
    }

    qint64 storeMessage(const std::shared_ptr<Library> &library, const QDateTime &at)
    {
        StoredMessage m;
        m.at = at;
        m.question = QStringLiteral("q");
        m.answer = QStringLiteral("a");
        m.provider = QStringLiteral("openai");
        m.model = QStringLiteral("gpt-4o-mini");
        m.trust = QStringLiteral("cloud");
        m.outcome = QStringLiteral("answered");
        library->write([&](QSqlDatabase &db) { return MessageStore::append(db, &m); });
        return m.id;
    }

private Q_SLOTS:
    void costIsTokensTimesPricePerMillion()
    {
        const PriceTable t = PriceTable::defaults();
        bool priced = false;
        // 12,000 in at $0.15/M + 3,000 out at $0.60/M = 0.0018 + 0.0018.
        QVERIFY(qFuzzyCompare(t.cost(QStringLiteral("openai"), QStringLiteral("gpt-4o-mini-2024-07-18"), 12'000, 3'000, &priced),
                              0.0036));
        QVERIFY(priced);
        // The longest matching prefix wins: gpt-4o-mini is not priced as gpt-4o.
        QCOMPARE(t.lookup(QStringLiteral("openai"), QStringLiteral("gpt-4o-mini-2024-07-18"))->model, QStringLiteral("gpt-4o-mini"));
        QCOMPARE(t.lookup(QStringLiteral("openai"), QStringLiteral("gpt-4o-2024-08-06"))->model, QStringLiteral("gpt-4o"));
        QCOMPARE(t.cost(QStringLiteral("openai"), QStringLiteral("o9-unknown"), 1'000, 1'000, &priced), 0.0);
        QVERIFY(!priced);

        QString error;
        const PriceTable custom = PriceTable::fromJson(
            QJsonDocument::fromJson(R"({"acme/\u002a": {"input": 1.25, "output": 10}, "acme/tiny": {"input": 0.1, "output": 0.2}})")
                .object(),
            &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(qFuzzyCompare(custom.cost(QStringLiteral("acme"), QStringLiteral("big-2"), 2'000'000, 500'000), 2.5 + 5.0));
        QVERIFY(qFuzzyCompare(custom.cost(QStringLiteral("acme"), QStringLiteral("tiny"), 1'000'000, 1'000'000), 0.3));
        PriceTable::fromJson(QJsonDocument::fromJson(R"({"nomodel": {"input": 1, "output": 2}})").object(), &error);
        QVERIFY(!error.isEmpty());
    }

    void percentilesUseTheNearestRank()
    {
        QList<qint64> values;
        for (qint64 v = 1; v <= 100; ++v)
            values << v * 10; // 10..1000
        std::reverse(values.begin(), values.end());
        const LatencyStats s = UsageMeter::latencyStats(values);
        QCOMPARE(s.count, 100);
        QCOMPARE(s.p50, 500);
        QCOMPARE(s.p95, 950);
        QCOMPARE(s.p99, 990);
        QCOMPARE(s.max, 1000);
        QVERIFY(qFuzzyCompare(s.mean, 505.0));
        QCOMPARE(UsageMeter::percentile({}, 50), 0);
        QCOMPARE(UsageMeter::percentile({7}, 99), 7);
        QCOMPARE(UsageMeter::percentile({1, 2, 3, 4}, 50), 2);
        QCOMPARE(UsageMeter::percentile({1, 2, 3, 4}, 51), 3);
    }

    void summaryAddsUpRequestsErrorsTokensAndCost()
    {
        QTemporaryDir dir;
        const auto library = freshLibrary(dir);
        QVERIFY(library);
        UsageMeter meter(library);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const QList<qint64> latencies{120, 340, 90, 2'000, 450};
        for (int i = 0; i < latencies.size(); ++i) {
            UsageRecord r;
            r.at = now.addSecs(-60 * (i + 1));
            r.provider = QStringLiteral("openai");
            r.model = QStringLiteral("gpt-4o-mini");
            r.inputTokens = 10'000;
            r.outputTokens = 1'000;
            r.latencyMs = latencies.at(i);
            QVERIFY(meter.record(&r));
            QVERIFY(qFuzzyCompare(r.costUsd, 0.0021));
        }
        UsageRecord failed;
        failed.at = now.addSecs(-10);
        failed.provider = QStringLiteral("anthropic");
        failed.model = QStringLiteral("claude-haiku-4-5");
        failed.ok = false;
        failed.error = QStringLiteral("timeout");
        failed.latencyMs = 60'000;
        QVERIFY(meter.record(&failed));
        UsageRecord local;
        local.at = now.addSecs(-5);
        local.provider = QStringLiteral("extractive");
        local.model = QStringLiteral("sentence-overlap-v1");
        local.trust = QStringLiteral("local");
        local.inputTokens = 500;
        local.latencyMs = 15;
        QVERIFY(meter.record(&local));

        const UsageSummary s = meter.summarize(now.addDays(-1), now.addSecs(1));
        QCOMPARE(s.requests, 7);
        QCOMPARE(s.errors, 1);
        QVERIFY(qFuzzyCompare(s.errorRate, 1.0 / 7.0));
        QCOMPARE(s.inputTokens, 50'500);
        QCOMPARE(s.outputTokens, 5'000);
        QVERIFY(qFuzzyCompare(s.costUsd, 5 * 0.0021));
        QCOMPARE(s.latency.count, 6); // failures do not count towards latency
        QCOMPARE(s.latency.p50, 120);
        QCOMPARE(s.latency.p95, 2'000);
        QCOMPARE(s.byModel.size(), 3);
        const QJsonObject json = s.toJson();
        QCOMPARE(json.value(QLatin1String("requests")).toInt(), 7);
        QCOMPARE(json.value(QLatin1String("latency_ms")).toObject().value(QLatin1String("p99")).toInt(), 2'000);
    }

    void budgetWarnsThenStopsCloudCalls()
    {
        QTemporaryDir dir;
        const auto library = freshLibrary(dir);
        QVERIFY(library);
        UsageMeter meter(library);
        QCOMPARE(meter.budgetStatus().level, BudgetLevel::NoBudget);
        QVERIFY(!meter.refuseCloudCall(QStringLiteral("openai")));

        Budget b;
        b.monthlyUsd = 1.00;
        b.warnAt = {0.5, 0.8};
        QVERIFY(meter.setBudget(b));
        QCOMPARE(meter.budget().monthlyUsd, 1.00);
        QCOMPARE(meter.budgetStatus().level, BudgetLevel::Ok);

        const auto spend = [&](double usd) {
            UsageRecord r;
            r.provider = QStringLiteral("acme");
            r.model = QStringLiteral("m");
            r.inputTokens = qRound64(usd * 1'000'000); // priced at $1/M below
            QVERIFY(meter.record(&r));
        };
        PriceTable prices;
        prices.set({QStringLiteral("acme"), QStringLiteral("*"), 1.0, 1.0});
        QVERIFY(meter.setPrices(prices));
        spend(0.55);
        BudgetStatus s = meter.budgetStatus();
        QCOMPARE(s.level, BudgetLevel::Warning);
        QCOMPARE(s.thresholdCrossed, 0.5);
        QVERIFY(s.message.contains(QLatin1String("$0.55 of the $1.00")));
        spend(0.30);
        QCOMPARE(meter.budgetStatus().thresholdCrossed, 0.8);
        QVERIFY(!meter.refuseCloudCall(QStringLiteral("acme")));
        spend(0.20);
        s = meter.budgetStatus();
        QCOMPARE(s.level, BudgetLevel::Exceeded);
        QVERIFY(s.blocksCloud);
        const std::optional<QString> refusal = meter.refuseCloudCall(QStringLiteral("acme"));
        QVERIFY(refusal);
        QVERIFY2(refusal->contains(QLatin1String("budget of $1.00 is spent")) && refusal->contains(QLatin1String("local providers")),
                 qPrintable(*refusal));

        // Local providers never count towards the cloud budget.
        UsageRecord local;
        local.provider = QStringLiteral("acme");
        local.model = QStringLiteral("m");
        local.trust = QStringLiteral("local");
        local.inputTokens = 5'000'000;
        QVERIFY(meter.record(&local));
        QCOMPARE(local.costUsd, 0.0);

        // Last month's spending is not this month's.
        QVERIFY(!meter.budgetStatus(QDateTime::currentDateTimeUtc().addMonths(1)).blocksCloud);

        // A soft budget warns but does not stop.
        b.hardStop = false;
        QVERIFY(meter.setBudget(b));
        QVERIFY(!meter.refuseCloudCall(QStringLiteral("acme")));

        QSqlDatabase db = library->connection();
        QStringList kinds;
        for (const AuditEvent &e : auditlog::events(db))
            kinds << e.kind;
        QVERIFY(kinds.contains(QStringLiteral("usage.budget_changed")));
        QVERIFY(kinds.contains(QStringLiteral("usage.prices_changed")));
        QCOMPARE(kinds.count(QStringLiteral("usage.budget_blocked")), 1);
    }

    void feedbackIsStoredAndReportedAsRates()
    {
        QTemporaryDir dir;
        const auto library = freshLibrary(dir);
        QVERIFY(library);
        MessageStore messages(library);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        QList<qint64> ids;
        for (int i = 0; i < 5; ++i)
            ids << storeMessage(library, now.addSecs(-100 + i));
        QVERIFY(messages.recordFeedback(ids[0], +1, {}));
        QVERIFY(messages.recordFeedback(ids[1], -1, QStringLiteral("The total is 4,313.25, not 4,050.00.")));
        QVERIFY(messages.recordFeedback(ids[2], +1, {}));
        QVERIFY(messages.recordFeedback(ids[2], -1, {})); // changed their mind: the latest counts
        QVERIFY(messages.recordFeedback(ids[3], 0, QStringLiteral("Cite page 2 instead.")));
        QVERIFY(messages.recordFeedback(ids[4], +1, {}));
        // Neither a thumb nor a correction (blank text counts as none): the thumb is taken back.
        QVERIFY(messages.recordFeedback(ids[4], 0, QStringLiteral("  ")));

        const FeedbackStats f = messages.feedback(now.addDays(-1), now.addSecs(1));
        QCOMPARE(f.answers, 5);
        QCOMPARE(f.rated, 3);
        QCOMPARE(f.up, 1);
        QCOMPARE(f.down, 2);
        QCOMPARE(f.corrections, 2);
        QVERIFY(qFuzzyCompare(f.upRate, 1.0 / 3.0));
        QVERIFY(qFuzzyCompare(f.correctionRate, 0.4));

        // The audit trail records that feedback was given, never the correction's words.
        QSqlDatabase db = library->connection();
        int cleared = 0;
        for (const AuditEvent &e : auditlog::events(db)) {
            QVERIFY(!QJsonDocument(e.payload).toJson().contains("4,313.25"));
            cleared += e.kind == QLatin1String("answer.feedback") && e.payload.value(QLatin1String("cleared")).toBool() ? 1 : 0;
        }
        QCOMPARE(cleared, 1);
    }
};

QTEST_GUILESS_MAIN(TestUsageMeter)
#include "tst_usagemeter.moc"
