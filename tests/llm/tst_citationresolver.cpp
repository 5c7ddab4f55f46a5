// [S#] markers: the forms models write, what they map to, and what is flagged.
#include "llm/citationresolver.h"

#include <QTest>

using namespace docsight;

namespace {

RetrievedPassage passage(qint64 chunk, const QString &document, int page, int charStart, const QString &text)
{
    RetrievedPassage p;
    p.chunkId = chunk;
    p.documentId = chunk * 10;
    p.documentName = document;
    p.page = page;
    p.charStart = charStart;
    p.charEnd = charStart + static_cast<int>(text.size());
    p.firstWord = 40;
    p.wordCount = 25;
    p.text = text;
    return p;
}

QList<RetrievedPassage> threeSources()
{
    return {passage(1, QStringLiteral("R-intro.pdf"), 12, 100,
                    QStringLiteral("If commands are stored in a file they may be run.\nThe function sink,\n\n> sink(\"record.lis\")\n\n"
                                   "will divert all subsequent output from the console to an external file, record.lis.")),
            passage(2, QStringLiteral("R-intro.pdf"), 15, 0, QStringLiteral("Shorter vectors in the expression are recycled as often as need be.")),
            passage(3, QStringLiteral("notes.txt"), 1, 7, QStringLiteral("Unrelated text about gardening."))};
}

} // namespace

class TestCitationResolver final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesTheMarkerFormsModelsWrite_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QList<QList<int>>>("expected");
        QTest::newRow("single") << QStringLiteral("Claim [S1].") << QList<QList<int>>{{1}};
        QTest::newRow("list") << QStringLiteral("Claim [S1, S3].") << QList<QList<int>>{{1, 3}};
        QTest::newRow("adjacent") << QStringLiteral("Claim [S1][S2].") << QList<QList<int>>{{1}, {2}};
        QTest::newRow("range") << QStringLiteral("Claim [S1-S3].") << QList<QList<int>>{{1, 2, 3}};
        QTest::newRow("en dash range, bare end") << QStringLiteral("Claim [S2\u20134].") << QList<QList<int>>{{2, 3, 4}};
        QTest::newRow("semicolons, lower case, spaces") << QStringLiteral("Claim [ s1 ; S12 ].") << QList<QList<int>>{{1, 12}};
        QTest::newRow("and") << QStringLiteral("Claim [S1 and S2].") << QList<QList<int>>{{1, 2}};
        QTest::newRow("duplicates once") << QStringLiteral("Claim [S3, S3, 3].") << QList<QList<int>>{{3}};
        QTest::newRow("zero kept for flagging") << QStringLiteral("Claim [S0].") << QList<QList<int>>{{0}};
        QTest::newRow("absurd range not expanded") << QStringLiteral("[S1-S900]") << QList<QList<int>>{{1, 900}};
        QTest::newRow("plain numbers are not markers") << QStringLiteral("See [1] and [Source 1] and [S] and S1.")
                                                       << QList<QList<int>>{};
        QTest::newRow("unclosed") << QStringLiteral("Claim [S1, S2") << QList<QList<int>>{};
    }

    void parsesTheMarkerFormsModelsWrite()
    {
        QFETCH(QString, text);
        QFETCH(QList<QList<int>>, expected);
        const QList<CitationMarker> markers = citations::findMarkers(text);
        QList<QList<int>> numbers;
        for (const CitationMarker &m : markers) {
            numbers << m.numbers;
            QCOMPARE(text.at(m.start), QLatin1Char('['));
            QCOMPARE(text.at(m.start + m.length - 1), QLatin1Char(']'));
        }
        QCOMPARE(numbers, expected);
    }

    void mapsMarkersToDocumentPageAndSpan()
    {
        Answer a;
        citations::resolve(QStringLiteral("Vectors are recycled when lengths differ [S2]. Output can go to a file [S1, S2]."),
                                  threeSources(), &a);
        QCOMPARE(a.citations.size(), 2); // the second [S2] names the same span again
        QCOMPARE(a.citations.at(0).marker, QStringLiteral("S2"));
        QCOMPARE(a.citations.at(0).document, QStringLiteral("R-intro.pdf"));
        QCOMPARE(a.citations.at(0).page, 15);
        QCOMPARE(a.citations.at(0).chunkId, 2);
        QCOMPARE(a.citations.at(0).sentence, 0);
        QCOMPARE(a.citations.at(1).marker, QStringLiteral("S1"));
        QCOMPARE(a.citations.at(1).page, 12);
        QCOMPARE(a.citations.at(1).sentence, 1);
        // A paraphrase is not a quote: the whole passage is, with its span and word boxes.
        QVERIFY(!a.citations.at(1).exactQuote);
        QCOMPARE(a.citations.at(1).charStart, 100);
        QCOMPARE(a.citations.at(1).charEnd, 100 + int(threeSources().at(0).text.size()));
        QCOMPARE(a.citations.at(1).firstWord, 40);
        QCOMPARE(a.citations.at(1).wordCount, 25);
        QVERIFY(a.citations.at(1).quote.startsWith(QLatin1String("If commands are stored")));
        QVERIFY(a.unknownMarkers.isEmpty());
        QVERIFY(a.uncitedSentences.isEmpty());
        QCOMPARE(a.sentences.size(), 2);
        QCOMPARE(a.sentences.at(1).markers, QStringList({QStringLiteral("S1"), QStringLiteral("S2")}));
    }

    void quotedSentenceNarrowsTheSpanAcrossLineBreaks()
    {
        Answer a;
        const QString quote = QStringLiteral("The function sink, > sink(\"record.lis\") will divert all subsequent output from "
                                             "the console to an external file, record.lis.");
        citations::resolve(quote + QStringLiteral(" [S1]"), threeSources(), &a);
        QCOMPARE(a.citations.size(), 1);
        const Citation &c = a.citations.constFirst();
        QVERIFY(c.exactQuote);
        QCOMPARE(c.quote, quote);
        const QString source = threeSources().constFirst().text;
        const int offset = static_cast<int>(source.indexOf(QLatin1String("The function sink")));
        QCOMPARE(c.charStart, 100 + offset);
        QCOMPARE(c.charEnd, 100 + static_cast<int>(source.size()));
    }

    void markersNamingNoPassageAreDroppedAndFlagged()
    {
        Answer a;
        citations::resolve(QStringLiteral("First claim here [S9]. Second claim [S2, S7]. Third [S0][S2]."),
                                  threeSources(), &a);
        QCOMPARE(a.unknownMarkers, QStringList({QStringLiteral("S9"), QStringLiteral("S7"), QStringLiteral("S0")}));
        QCOMPARE(a.text, QStringLiteral("First claim here. Second claim [S2]. Third [S2]."));
        QCOMPARE(a.citations.size(), 1);
        QCOMPARE(a.citations.constFirst().marker, QStringLiteral("S2"));
        // Its only marker named nothing, so the first sentence now cites nothing, and says so.
        QCOMPARE(a.uncitedSentences, QStringList({QStringLiteral("First claim here.")}));
        QCOMPARE(a.sentences.constFirst().markers, QStringList());
    }

    void sentencesCitingNothingAreListed()
    {
        Answer a;
        citations::resolve(QStringLiteral("Sink diverts output to a file [S1]. It was added in version 2.0 of R. "
                                                 "Vectors recycle [S2].\nHere is a summary:\n- Shorter vectors repeat as needed."),
                                  threeSources(), &a);
        QCOMPARE(a.uncitedSentences, QStringList({QStringLiteral("It was added in version 2.0 of R."),
                                                  QStringLiteral("Shorter vectors repeat as needed.")}));
        QVERIFY(!a.declined);
    }

    void markerAfterTheFullStopBelongsToTheSentenceBefore()
    {
        Answer a;
        citations::resolve(QStringLiteral("Output can be diverted to a file. [S1] Vectors are recycled. [S2]"),
                                  threeSources(), &a);
        QCOMPARE(a.sentences.size(), 2);
        QCOMPARE(a.sentences.at(0).markers, QStringList({QStringLiteral("S1")}));
        QCOMPARE(a.sentences.at(1).markers, QStringList({QStringLiteral("S2")}));
        QVERIFY(a.uncitedSentences.isEmpty());
    }

    void abbreviationsAndDecimalsDoNotEndSentences()
    {
        const QString text = QStringLiteral("Use e.g. sink() in R 4.3 for this [S1]. Then stop.");
        const auto spans = citations::sentenceSpans(text);
        QCOMPARE(spans.size(), 2);
        QCOMPARE(text.mid(spans.at(0).first, spans.at(0).second - spans.at(0).first),
                 QStringLiteral("Use e.g. sink() in R 4.3 for this [S1]."));
    }

    void aTableRowsDotLeaderDoesNotEndTheSentence()
    {
        // A statement row quoted whole is one cited sentence, found word for word in its passage.
        const QString row = QStringLiteral("Purchases of property and equipment ........................ (184,936) (148,332) (188,358)");
        const QList<RetrievedPassage> sources{passage(1, QStringLiteral("ADOBE_2015_10K.pdf"), 63, 0,
                                                      QStringLiteral("Cash flows from investing activities:\n") + row)};
        Answer a;
        citations::resolve(row + QStringLiteral(" [S1]"), sources, &a);
        QCOMPARE(a.sentences.size(), 1);
        QVERIFY2(a.uncitedSentences.isEmpty(), qPrintable(a.uncitedSentences.join(QLatin1Char('|'))));
        QCOMPARE(a.citations.size(), 1);
        QVERIFY(a.citations.constFirst().exactQuote);
        // The row's reading, not a quote, cites the same passage: still one citation, the row's.
        citations::resolve(row + QStringLiteral(" [S1]\nPurchases of property and equipment in 2015 (in thousands): "
                                                       "(184,936) [S1]"),
                                  sources, &a);
        QCOMPARE(a.sentences.size(), 2);
        QCOMPARE(a.citations.size(), 1);
        QVERIFY(a.citations.constFirst().exactQuote);
    }

    void sameSpanCitedTwiceIsListedOnce()
    {
        Answer a;
        citations::resolve(QStringLiteral("Recycling happens [S2]. It happens often [S2]."), threeSources(), &a);
        QCOMPARE(a.citations.size(), 1);
        QCOMPARE(a.sentences.at(1).markers, QStringList({QStringLiteral("S2")}));
    }

    void saysNotInDocumentsIsARefusalNotAnUncitedClaim()
    {
        Answer a;
        citations::resolve(QStringLiteral("The provided documents do not contain information about the airspeed of swallows."),
                                  threeSources(), &a);
        QVERIFY(a.declined);
        QVERIFY(a.uncitedSentences.isEmpty());
        QVERIFY(a.citations.isEmpty());
    }

    void answerWithoutSourcesFlagsEveryMarker()
    {
        Answer a;
        citations::resolve(QStringLiteral("Claim [S1]."), {}, &a);
        QCOMPARE(a.unknownMarkers, QStringList({QStringLiteral("S1")}));
        QCOMPARE(a.text, QStringLiteral("Claim."));
        QCOMPARE(a.uncitedSentences, QStringList());
    }
};

QTEST_GUILESS_MAIN(TestCitationResolver)
#include "tst_citationresolver.moc"
