// The search and eval CLI contract, through the real binary.
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace docsight;
using test::runCli;

class TestSearchCli final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_lib;

    test::ProcessResult cli(QStringList arguments)
    {
        arguments.prepend(m_lib);
        arguments.prepend(QStringLiteral("--library"));
        return runCli(arguments);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_lib = m_dir.filePath(QStringLiteral("lib"));
        const auto r = cli({QStringLiteral("import"), test::corpusPath(QStringLiteral("pdf/R-intro.pdf")),
                            test::corpusPath(QStringLiteral("pdf/libtasn1.pdf")), test::corpusPath(QStringLiteral("pdf/a-text.pdf"))});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        // Import leaves the library searchable by meaning too.
        QVERIFY2(r.err.contains("embedded"), r.err.constData());
    }

    void searchPrintsJsonResults()
    {
        const auto r = cli({QStringLiteral("search"), QStringLiteral("How do I draw a stem-and-leaf plot?"), QStringLiteral("--k"),
                            QStringLiteral("3"), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray results = QJsonDocument::fromJson(r.out).object().value(QLatin1String("results")).toArray();
        QCOMPARE(results.size(), 3);
        double previous = 1e9;
        for (const QJsonValue v : results) {
            const QJsonObject o = v.toObject();
            QCOMPARE(o.value(QLatin1String("document")).toString(), QStringLiteral("R-intro.pdf"));
            QVERIFY(o.value(QLatin1String("page")).toInt() >= 1);
            QVERIFY(!o.value(QLatin1String("text")).toString().isEmpty());
            QVERIFY(o.value(QLatin1String("score")).toDouble() <= previous);
            previous = o.value(QLatin1String("score")).toDouble();
        }
        QVERIFY(results.first().toObject().value(QLatin1String("text")).toString().contains(QLatin1String("stem")));
    }

    void searchFiltersByDocumentNameOrId()
    {
        QString id;
        const QJsonArray docs = QJsonDocument::fromJson(cli({QStringLiteral("list"), QStringLiteral("--json")}).out).array();
        for (const QJsonValue d : docs) {
            if (d.toObject().value(QLatin1String("name")).toString() == QLatin1String("libtasn1.pdf"))
                id = QString::number(d.toObject().value(QLatin1String("id")).toInteger());
        }
        QVERIFY(!id.isEmpty());
        for (const QString &doc : {QStringLiteral("libtasn1.pdf"), id}) {
            const auto r = cli({QStringLiteral("search"), QStringLiteral("plot a matrix"), QStringLiteral("--docs"), doc,
                                QStringLiteral("--k"), QStringLiteral("5"), QStringLiteral("--json")});
            QCOMPARE(r.exitCode, 0);
            const QJsonArray results = QJsonDocument::fromJson(r.out).object().value(QLatin1String("results")).toArray();
            QCOMPARE(results.size(), 5);
            for (const QJsonValue v : results)
                QCOMPARE(v.toObject().value(QLatin1String("document")).toString(), QStringLiteral("libtasn1.pdf"));
        }
        const auto unknown = cli({QStringLiteral("search"), QStringLiteral("x"), QStringLiteral("--docs"), QStringLiteral("nope.pdf")});
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY(unknown.err.contains("nope.pdf"));
    }

    void searchModesAndHostileInput()
    {
        for (const QString &mode : {QStringLiteral("hybrid"), QStringLiteral("bm25"), QStringLiteral("vector")}) {
            const auto r = cli({QStringLiteral("search"), QStringLiteral("\"foo\" AND (bar OR NEAR(x y)) * - :col matrix"),
                                QStringLiteral("--mode"), mode, QStringLiteral("--json")});
            QCOMPARE(r.exitCode, 0);
            QVERIFY(!QJsonDocument::fromJson(r.out).object().value(QLatin1String("results")).toArray().isEmpty());
        }
        const auto stop = cli({QStringLiteral("search"), QStringLiteral("how is it the"), QStringLiteral("--json")});
        QCOMPARE(stop.exitCode, 0);
        QVERIFY(QJsonDocument::fromJson(stop.out).object().value(QLatin1String("results")).toArray().isEmpty());
        QVERIFY(!QJsonDocument::fromJson(stop.out).object().value(QLatin1String("message")).toString().isEmpty());
        const auto badMode = cli({QStringLiteral("search"), QStringLiteral("x"), QStringLiteral("--mode"), QStringLiteral("fuzzy")});
        QCOMPARE(badMode.exitCode, 2);
        const auto badK = cli({QStringLiteral("search"), QStringLiteral("x"), QStringLiteral("--k"), QStringLiteral("0")});
        QCOMPARE(badK.exitCode, 2);
    }

    void evalReportsRecallMrrAndLatency()
    {
        const auto r = cli({QStringLiteral("eval"), test::goldenPath(QStringLiteral("r-intro.jsonl")), QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        for (const char *key : {"recall_at_1", "recall_at_5", "recall_at_10", "mrr", "latency_ms_mean", "latency_ms_p95"}) {
            QVERIFY2(o.contains(QLatin1String(key)), key);
            QVERIFY(o.value(QLatin1String(key)).toDouble() >= 0.0);
        }
        QCOMPARE(o.value(QLatin1String("questions")).toInt(), 16);
        QVERIFY(o.value(QLatin1String("recall_at_5")).toDouble() >= 0.9);
        QVERIFY(o.value(QLatin1String("recall_at_1")).toDouble() <= o.value(QLatin1String("recall_at_5")).toDouble());
        const auto text = cli({QStringLiteral("eval"), test::goldenPath(QStringLiteral("r-intro.jsonl")), QStringLiteral("--mode"),
                               QStringLiteral("bm25")});
        QCOMPARE(text.exitCode, 0);
        QVERIFY(text.out.contains("recall@5"));
        QVERIFY(text.out.contains("latency_ms_p95"));
    }

    void searchOnAnEmptyLibraryExplains()
    {
        QTemporaryDir empty;
        const auto r = runCli({QStringLiteral("--library"), empty.filePath(QStringLiteral("lib")), QStringLiteral("search"),
                               QStringLiteral("matrix"), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(QJsonDocument::fromJson(r.out).object().value(QLatin1String("results")).toArray().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestSearchCli)
#include "tst_searchcli.moc"
