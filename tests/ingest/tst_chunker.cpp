#include "ingest/chunker.h"

#include <QRegularExpression>
#include <QTest>

using namespace docsight;

namespace {

PageContent pageWithWords(int number, const QString &text)
{
    PageContent p;
    p.number = number;
    p.text = text;
    p.source = PageSource::TextLayer;
    static const QRegularExpression word(QStringLiteral("\\S+"));
    auto it = word.globalMatch(text);
    while (it.hasNext()) {
        const auto m = it.next();
        p.words.append(WordBox{QRectF(0, 0, 0.01, 0.01), static_cast<qint32>(m.capturedStart()),
                               static_cast<qint32>(m.capturedLength()), -1});
    }
    return p;
}

QString sentences(int count, const QString &stem)
{
    QStringList out;
    for (int i = 0; i < count; ++i)
        out << QStringLiteral("%1 number %2 talks about data frames and vectors in detail.").arg(stem).arg(i);
    return out.join(QLatin1Char(' '));
}

} // namespace

class TestChunker final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keepsShortPageWhole()
    {
        const auto chunks = Chunker().chunk({pageWithWords(1, QStringLiteral("A short page."))});
        QCOMPARE(chunks.size(), 1);
        QCOMPARE(chunks.first().text, QStringLiteral("A short page."));
        QCOMPARE(chunks.first().page, 1);
        QCOMPARE(chunks.first().wordCount, 3);
    }

    void spansMatchPageTextAndNeverSplitWords()
    {
        const QString text = QStringLiteral("Introduction\n\n") + sentences(40, QStringLiteral("Sentence")) + QStringLiteral("\n\n")
            + sentences(30, QStringLiteral("Another"));
        const PageContent page = pageWithWords(3, text);
        const auto chunks = Chunker().chunk({page});
        QVERIFY(chunks.size() >= 4);
        for (const Chunk &c : chunks) {
            QCOMPARE(c.page, 3);
            QCOMPARE(c.text, text.mid(c.charStart, c.charEnd - c.charStart));
            QVERIFY(c.text.size() <= 1250);
            QVERIFY(c.charStart == 0 || text.at(c.charStart - 1).isSpace());
            QVERIFY(c.charEnd == text.size() || text.at(c.charEnd).isSpace());
            // Covered word boxes are exactly the words inside the span.
            for (int i = c.firstWord; i < c.firstWord + c.wordCount; ++i) {
                const WordBox &w = page.words.at(i);
                QVERIFY(w.start >= c.charStart && w.start + w.length <= c.charEnd);
            }
        }
    }

    void overlapsByAtMostTheConfiguredAmount()
    {
        const PageContent page = pageWithWords(1, sentences(60, QStringLiteral("Line")));
        const auto chunks = Chunker({1000, 150}).chunk({page});
        QVERIFY(chunks.size() >= 3);
        for (qsizetype i = 1; i < chunks.size(); ++i) {
            const int overlap = chunks.at(i - 1).charEnd - chunks.at(i).charStart;
            QVERIFY2(overlap > 0 && overlap <= 150, qPrintable(QString::number(overlap)));
            QVERIFY(chunks.at(i).charStart > chunks.at(i - 1).charStart);
        }
    }

    void prefersSentenceAndParagraphBoundaries()
    {
        const PageContent page = pageWithWords(1, sentences(60, QStringLiteral("Line")));
        const auto chunks = Chunker().chunk({page});
        for (qsizetype i = 0; i + 1 < chunks.size(); ++i)
            QVERIFY2(chunks.at(i).text.endsWith(QLatin1Char('.')), qPrintable(chunks.at(i).text.right(30)));
    }

    void neverCrossesPagesAndCarriesHeadings()
    {
        const auto chunks = Chunker().chunk({pageWithWords(1, QStringLiteral("2.1 Vectors and assignment\n\nR operates on vectors.")),
                                             pageWithWords(2, QStringLiteral("More about vectors.")),
                                             pageWithWords(3, QString())});
        QCOMPARE(chunks.size(), 2);
        QCOMPARE(chunks.at(0).page, 1);
        QCOMPARE(chunks.at(1).page, 2);
        QCOMPARE(chunks.at(1).heading, QStringLiteral("2.1 Vectors and assignment"));
        QCOMPARE(chunks.at(1).ordinal, 1);
    }

    void runningHeadersAreNotSectionHeadings()
    {
        // A chapter title printed at the top of every page, with the page number before or after it.
        const auto chunks = Chunker().chunk({pageWithWords(1, QStringLiteral("Chapter 2: Vectors 5\n\nR operates on vectors.")),
                                             pageWithWords(2, QStringLiteral("6 Chapter 2: Vectors\n\n2.1 Assignment\n\n")
                                                                  + sentences(30, QStringLiteral("Assignment"))),
                                             pageWithWords(3, QStringLiteral("Chapter 2: Vectors 7\n\nMore about assignment.")),
                                             pageWithWords(4, QStringLiteral("Summary\n\nA page without the header."))});
        QVERIFY(chunks.size() >= 5);
        // Before any section heading the header stands in for one, without its page number.
        QCOMPARE(chunks.at(0).heading, QStringLiteral("Chapter 2: Vectors"));
        QCOMPARE(chunks.at(1).page, 2);
        QCOMPARE(chunks.at(1).heading, QStringLiteral("Chapter 2: Vectors"));
        QCOMPARE(chunks.at(2).heading, QStringLiteral("2.1 Assignment"));
        // Under a header, the section heading from the page before still applies.
        const Chunk &third = chunks.at(chunks.size() - 2);
        QCOMPARE(third.page, 3);
        QCOMPARE(third.heading, QStringLiteral("2.1 Assignment"));
        QCOMPARE(chunks.constLast().heading, QStringLiteral("Summary"));
        // The header stays in the passage text: spans and citations are unchanged.
        QVERIFY(third.text.startsWith(QLatin1String("Chapter 2: Vectors 7")));

        // A title on only two pages is an ordinary heading.
        const auto twice = Chunker().chunk({pageWithWords(1, QStringLiteral("Results\n\nFirst page.")),
                                            pageWithWords(2, QStringLiteral("Results\n\nSecond page."))});
        QCOMPARE(twice.at(1).heading, QStringLiteral("Results"));
    }

    void tableRowsKeepTheirColumnHeaders()
    {
        QString text = QStringLiteral("CONSOLIDATED STATEMENTS OF OPERATIONS\n(In millions)\nYears ended 2023 2022 2021\n");
        for (int i = 0; i < 80; ++i)
            text += QStringLiteral("Line item number %1 of the statement %2,%3 %4,%5 (%6)\n").arg(i).arg(i + 10).arg(i % 10, 3, 10, QLatin1Char('0'))
                        .arg(i + 20).arg(i % 7, 3, 10, QLatin1Char('0')).arg(i * 3);
        text += QStringLiteral("\nThe accompanying notes are an integral part of these statements.");
        const auto chunks = Chunker().chunk({pageWithWords(1, text)});
        QVERIFY(chunks.size() >= 4);
        for (qsizetype i = 1; i < chunks.size(); ++i) {
            const Chunk &c = chunks.at(i);
            // Every passage after the first starts at a row, not inside one...
            QCOMPARE(text.at(c.charStart - 1), QLatin1Char('\n'));
            // ...and, while still in the table, carries its title and column headers.
            if (c.text.startsWith(QLatin1String("Line item")))
                QCOMPARE(c.heading, QStringLiteral("CONSOLIDATED STATEMENTS OF OPERATIONS (In millions) Years ended 2023 2022 2021"));
        }
        QVERIFY(chunks.constFirst().heading.isEmpty());
        // Currency signs set apart from the numbers do not hide the header.
        QString dollars = QStringLiteral("Fiscal years 2023 2022\n");
        for (int i = 0; i < 60; ++i)
            dollars += QStringLiteral("Segment number %1 net revenue $ %2,100 $ %3,250\n").arg(i).arg(i + 5).arg(i + 9);
        const auto withDollars = Chunker().chunk({pageWithWords(1, dollars)});
        QVERIFY(withDollars.size() >= 3);
        QCOMPARE(withDollars.constLast().heading, QStringLiteral("Fiscal years 2023 2022"));
        // Prose with years in it is not a table header.
        const auto prose = Chunker().chunk({pageWithWords(1, QStringLiteral("Between 2019 and 2021 sales rose, and in\n2022 they fell by 12\n") + sentences(40, QStringLiteral("Prose")))});
        for (const Chunk &c : prose)
            QVERIFY2(!c.heading.contains(QLatin1String("2019")), qPrintable(c.heading));
    }

    void handlesOneHugeToken()
    {
        const QString blob = QString(5000, QLatin1Char('x')) + QStringLiteral(" tail");
        const auto chunks = Chunker().chunk({pageWithWords(1, blob)});
        QVERIFY(!chunks.isEmpty());
        qsizetype covered = 0;
        for (const Chunk &c : chunks)
            covered += c.text.size();
        QVERIFY(covered >= blob.size() - 1);
    }

    void detectsHeadings_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("heading");
        QTest::newRow("numbered") << QStringLiteral("5.3 Data frames") << true;
        QTest::newRow("title") << QStringLiteral("Appendix A Sample session") << true;
        QTest::newRow("sentence") << QStringLiteral("This is a sentence.") << false;
        QTest::newRow("long") << QString(120, QLatin1Char('A')) << false;
        QTest::newRow("number only") << QStringLiteral("12") << false;
    }

    void detectsHeadings()
    {
        QFETCH(QString, text);
        QFETCH(bool, heading);
        QCOMPARE(Chunker::looksLikeHeading(text), heading);
    }
};

QTEST_GUILESS_MAIN(TestChunker)
#include "tst_chunker.moc"
