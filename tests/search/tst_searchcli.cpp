// The search and eval CLI contract, through the real binary.
#include "testsupport.h"

#include <algorithm>

#include <QFile>
#include <QHash>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
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

    void evalPrintsTheBm25FloorAndOfflineAnswerQuality()
    {
        const auto r = cli({QStringLiteral("eval"), test::goldenPath(QStringLiteral("r-intro.jsonl")), QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        const QJsonObject floor = o.value(QLatin1String("floor")).toObject();
        for (const char *key : {"recall_at_1", "recall_at_5", "recall_at_10", "mrr"}) {
            QVERIFY2(floor.value(QLatin1String(key)).isDouble(), key);
            QVERIFY(floor.value(QLatin1String(key)).toDouble() >= 0.0);
            QVERIFY(floor.value(QLatin1String(key)).toDouble() <= 1.0);
        }
        QVERIFY(floor.value(QLatin1String("recall_at_1")).toDouble() <= floor.value(QLatin1String("recall_at_5")).toDouble());
        // The extractive answerer cites the expected page for most of these questions.
        QVERIFY2(o.value(QLatin1String("answer_cites_expected")).toDouble() > 0.5, r.out.constData());
        QCOMPARE(o.value(QLatin1String("answer_contains_questions")).toInt(), 16); // every line has answer_contains
        QVERIFY(o.value(QLatin1String("answer_contains")).toDouble() >= 0.0);
        const QJsonArray details = o.value(QLatin1String("details")).toArray();
        QCOMPARE(details.size(), 16);
        for (const QJsonValue v : details) {
            const QJsonObject d = v.toObject();
            QVERIFY(d.value(QLatin1String("floor_rank")).toInt(-1) >= 0 && d.value(QLatin1String("floor_rank")).toInt() <= 10);
            QVERIFY(d.value(QLatin1String("answer_cites_expected")).isBool());
            QVERIFY(d.value(QLatin1String("answer_contains")).isBool());
        }

        const auto text = cli({QStringLiteral("eval"), test::goldenPath(QStringLiteral("r-intro.jsonl"))});
        QCOMPARE(text.exitCode, 0);
        const QStringList lines = test::lines(text.out);
        // Today's lines first, unchanged, then the floor and the answers.
        QVERIFY(lines.value(0).startsWith(QLatin1String("questions\t16")));
        QVERIFY(lines.value(2).startsWith(QLatin1String("recall@1\t")));
        for (const char *key : {"floor_recall@1", "floor_recall@5", "floor_recall@10", "floor_mrr", "answer_cites_expected",
                                "answer_contains"}) {
            const auto line = std::find_if(lines.cbegin(), lines.cend(), [&](const QString &l) {
                return l.startsWith(QLatin1String(key) + QLatin1Char('\t'));
            });
            QVERIFY2(line != lines.cend(), key);
            bool ok = false;
            const double value = line->section(QLatin1Char('\t'), 1).toDouble(&ok);
            QVERIFY2(ok && value >= 0.0 && value <= 1.0, qPrintable(*line));
        }
    }

    void evalFloorFindsTheOnlyPageWithAWord()
    {
        // An independent computation of one floor rank: a long word found on one page of one document
        // (no other page holds even its first six letters, so no stem match either) makes the floor's
        // best window one of that page.
        QHash<QString, QSet<QString>> pagesOf; // word -> "document\tpage"
        QString allText;
        for (const QJsonValue d : test::listJson(m_lib)) {
            const QString name = d.toObject().value(QLatin1String("name")).toString();
            const auto r = cli({QStringLiteral("text"), name, QStringLiteral("--json")});
            QCOMPARE(r.exitCode, 0);
            for (const QJsonValue p : QJsonDocument::fromJson(r.out).object().value(QLatin1String("pages")).toArray()) {
                const QString page = p.toObject().value(QLatin1String("text")).toString().toLower();
                const QString where = name + QLatin1Char('\t') + QString::number(p.toObject().value(QLatin1String("page")).toInt());
                allText += page + QLatin1Char('\n');
                static const QRegularExpression word(QStringLiteral("\\b[a-z]{9,}\\b"));
                for (auto it = word.globalMatch(page); it.hasNext();)
                    pagesOf[it.next().captured()].insert(where);
            }
        }
        QString unique;
        QString where;
        QStringList words = pagesOf.keys();
        words.sort();
        for (const QString &w : std::as_const(words)) {
            if (pagesOf.value(w).size() != 1 || !pagesOf.value(w).begin()->startsWith(QLatin1String("R-intro.pdf\t")))
                continue;
            // The prefix occurs once in the whole library: on that page, in that word.
            if (allText.count(w.left(6)) == 1) {
                unique = w;
                where = *pagesOf.value(w).begin();
                break;
            }
        }
        QVERIFY2(!unique.isEmpty(), "no word of R-intro.pdf is on one page only");
        const int page = where.section(QLatin1Char('\t'), 1).toInt();

        QTemporaryDir dir;
        const QString set = dir.filePath(QStringLiteral("set.jsonl"));
        QFile file(set);
        QVERIFY(file.open(QIODevice::WriteOnly));
        const auto line = [](const QJsonObject &o) -> QByteArray {
            return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
        };
        // "what" and "is" are stop words: the floor searches for that one word alone.
        file.write(line({{QStringLiteral("question"), QStringLiteral("What is %1?").arg(unique)},
                         {QStringLiteral("document"), QStringLiteral("R-intro.pdf")},
                         {QStringLiteral("pages"), QJsonArray{page}}}));
        // Only stop words: the floor has nothing to search for.
        file.write(line({{QStringLiteral("question"), QStringLiteral("how is it the")},
                         {QStringLiteral("document"), QStringLiteral("R-intro.pdf")},
                         {QStringLiteral("pages"), QJsonArray{page}}}));
        file.write(line({{QStringLiteral("question"), QStringLiteral("How can I send all console output to a file?")},
                         {QStringLiteral("document"), QStringLiteral("R-intro.pdf")},
                         {QStringLiteral("pages"), QJsonArray{12}},
                         {QStringLiteral("answer_contains"), QStringLiteral("  SINK ")}}));
        file.close();

        const auto r = cli({QStringLiteral("eval"), set, QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        const QJsonArray details = o.value(QLatin1String("details")).toArray();
        QCOMPARE(details.size(), 3);
        QVERIFY2(details.at(0).toObject().value(QLatin1String("floor_rank")).toInt() == 1, qPrintable(unique));
        QCOMPARE(details.at(1).toObject().value(QLatin1String("floor_rank")).toInt(), 0);
        QVERIFY(details.at(0).toObject().value(QLatin1String("answer_contains")).isNull());
        QVERIFY(details.at(1).toObject().value(QLatin1String("answer_contains")).isNull());
        // Case and surrounding whitespace do not matter; only the one line with the key is counted.
        QCOMPARE(details.at(2).toObject().value(QLatin1String("answer_contains")).toBool(), true);
        QCOMPARE(o.value(QLatin1String("answer_contains_questions")).toInt(), 1);
        QCOMPARE(o.value(QLatin1String("answer_contains")).toDouble(), 1.0);
        const QJsonObject floor = o.value(QLatin1String("floor")).toObject();
        QVERIFY(floor.value(QLatin1String("recall_at_1")).toDouble() >= 1.0 / 3.0 - 1e-9);
    }

    void evalRecordsNothing()
    {
        const auto before = cli({QStringLiteral("audit"), QStringLiteral("verify")});
        const auto r = cli({QStringLiteral("eval"), test::goldenPath(QStringLiteral("r-intro.jsonl"))});
        QCOMPARE(r.exitCode, 0);
        const auto after = cli({QStringLiteral("audit"), QStringLiteral("verify")});
        QCOMPARE(after.exitCode, 0);
        QCOMPARE(after.out, before.out); // same head: no question.answered event
        const auto conversations = cli({QStringLiteral("conversations"), QStringLiteral("--json")});
        QCOMPARE(conversations.exitCode, 0);
        QVERIFY2(QJsonDocument::fromJson(conversations.out).object().value(QLatin1String("conversations")).toArray().isEmpty(),
                 conversations.out.constData());
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
