// The analyst vocabulary and the second ranking stage, on the data files Docsight ships.
#include "search/keywordsearch.h"
#include "search/passageranker.h"
#include "search/vocabulary.h"

#include <QTest>

using namespace docsight;

class TestSecondStage final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void theShippedVocabularyIsCompiledIn()
    {
        QVERIFY(Vocabulary::analyst().groupCount() > 50);
    }

    void analystWordsFindTheStatementsWording()
    {
        const auto expansions = Vocabulary::analyst().expand(QStringLiteral("What was Best Buy's capex in FY17?"));
        QCOMPARE(expansions.size(), 1);
        QCOMPARE(expansions.first().matched, QStringLiteral("capex"));
        QVERIFY(expansions.first().alternatives.contains(QStringLiteral("purchases of property and equipment")));
        // Stems match, so plurals and case do not matter.
        const auto plural = Vocabulary::analyst().expand(QStringLiteral("share BUYBACKS in 2020"));
        QCOMPARE(plural.size(), 1);
        QVERIFY(plural.first().alternatives.contains(QStringLiteral("repurchases of common stock")));
    }

    void theLongestPhraseWinsAndAWordIsUsedOnce()
    {
        // "net utility plant" is its own group; "utility plant" alone would also match the PP&E group.
        const auto e = Vocabulary::analyst().expand(QStringLiteral("net utility plant at year end"));
        QVERIFY(!e.isEmpty());
        QCOMPARE(e.first().matched, QStringLiteral("net utility plant"));
        for (const auto &x : e)
            QVERIFY2(x.matched != QStringLiteral("utility plant"), "a word of the question was matched twice");
    }

    void aTableIsReadGroupByGroup()
    {
        const Vocabulary v(QStringLiteral("# comment\nalpha | beta gamma\n\nlonely\ndelta|epsilon | zeta\n"));
        QCOMPARE(v.groupCount(), 2); // a line with one phrase is no group
        QCOMPARE(v.expand(QStringLiteral("about Beta Gammas")).first().alternatives, QStringList{QStringLiteral("alpha")});
        QVERIFY(v.expand(QStringLiteral("nothing here")).isEmpty());
    }

    void periodsAreSpelledOut()
    {
        QCOMPARE(spellOutPeriods(QStringLiteral("capex in FY2017")), QStringLiteral("capex in fiscal 2017"));
        QCOMPARE(spellOutPeriods(QStringLiteral("FY'17 and fy 16")), QStringLiteral("fiscal 2017 and fiscal 2016"));
        QCOMPARE(spellOutPeriods(QStringLiteral("sales in Q3 2020")), QStringLiteral("sales in third quarter 2020"));
        QCOMPARE(spellOutPeriods(QStringLiteral("FYI the QA team")), QStringLiteral("FYI the QA team"));
    }

    void theShippedWeightsNameEveryFeature()
    {
        QVERIFY(PassageRanker::shipped().isUsable());
        QVERIFY(!PassageRanker(QStringLiteral("{\"weights\": {\"fused\": 1}}")).isUsable());
        QVERIFY(!PassageRanker(QStringLiteral("not json")).isUsable());
    }

    void featuresSayWhatAReaderWouldCheck()
    {
        KeywordQuery query; // no library: every word weighs the same
        query.expansionPhrases = {QStringLiteral("purchases of property and equipment")};
        query.expandedFrom = {QStringLiteral("capex")};
        const QString question = QStringLiteral("How much was Adobe's capex in fiscal 2015?");
        const QList<PassageRanker::Candidate> candidates{
            {1, QStringLiteral("CONSOLIDATED STATEMENTS OF CASH FLOWS"),
             QStringLiteral("Purchases of property and equipment (184,936) (148,332) (188,358)"),
             QStringLiteral("ADOBE SYSTEMS INCORPORATED\nCONSOLIDATED STATEMENTS OF CASH FLOWS\n2015 2014 2013\n"), 1.0, 5.0, 0.3, 1},
            {2, QStringLiteral("Contents"), QStringLiteral("Capital expenditures . . . . . . . 45\nLiquidity . . . . . . 46\nDividends . . . . . . 47\nShare repurchases . . . . . . 48\nLegal proceedings . . . . . . 52"),
             QString(), 0.9, 6.0, 0.2, 2},
        };
        const QHash<qint64, double> documents{{1, 4.0}, {2, 1.0}};
        const auto f = PassageRanker::shipped().features(question, query, candidates, documents);
        QCOMPARE(f.size(), 2);
        QCOMPARE(f.at(0)[PassageRanker::Phrase], 1.0);        // the statement's wording stands in for "capex"
        QCOMPARE(f.at(0)[PassageRanker::PageYear], 1.0);      // 2015 heads the page's columns
        QVERIFY(f.at(0)[PassageRanker::Numbers] > 0.5);        // "how much" and a row of figures
        QCOMPARE(f.at(0)[PassageRanker::DocumentPrior], 1.0);
        QCOMPARE(f.at(1)[PassageRanker::Navigational], 1.0);  // a table of contents
        QCOMPARE(f.at(1)[PassageRanker::DocumentPrior], 0.25);
        QCOMPARE(f.at(0)[PassageRanker::FirstStageRank], 1.0);
        QVERIFY(PassageRanker::shipped().score(f.at(0)) > PassageRanker::shipped().score(f.at(1)));
    }
};

QTEST_GUILESS_MAIN(TestSecondStage)
#include "tst_secondstage.moc"
