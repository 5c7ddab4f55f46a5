// Page text from a PDF's words: table rows put back together, prose and page columns left in
// reading order. Real Poppler on the corpus and on PDFs that Qt's own PDF writer lays out here.
#include "ingest/pdfloader.h"
#include "ingest/textlayout.h"
#include "testsupport.h"

#include <QPainter>
#include <QPdfWriter>
#include <QTemporaryDir>
#include <QTest>

using namespace docsight;

namespace {

// Words on one baseline, each its own line in the reading order given.
PositionedWord word(const QString &text, qreal x, qreal y, WordBreak before = WordBreak::Line)
{
    return PositionedWord{text, QRectF(x, y, 6.0 * text.size(), 10), before};
}

QString pageText(const QString &path, int page)
{
    PdfLoader loader;
    if (loader.open(path, {}).isError())
        return {};
    const PageResult r = loader.loadPage(page - 1, CancelToken());
    return r.error.isError() ? QString() : r.page.text;
}

// A statement with a label column and three year columns, drawn with QPainter into a real PDF.
void writeStatement(const QString &path, const QList<QStringList> &rows)
{
    QPdfWriter writer(path);
    writer.setPageSize(QPageSize(QPageSize::Letter));
    writer.setResolution(72);
    QPainter p(&writer);
    p.setFont(QFont(QStringLiteral("DejaVu Sans"), 9));
    int y = 60;
    p.drawText(50, y, QStringLiteral("CONSOLIDATED STATEMENTS OF CASH FLOWS (In millions)"));
    y += 20;
    for (const QStringList &row : rows) {
        p.drawText(50, y, row.first());
        for (qsizetype c = 1; c < row.size(); ++c) {
            const int right = 390 + 90 * static_cast<int>(c - 1);
            p.drawText(right - p.fontMetrics().horizontalAdvance(row.at(c)), y, row.at(c));
        }
        y += 13;
    }
}

// Two columns of prose whose lines share baselines, as in a two-column article.
void writeTwoColumns(const QString &path, const QStringList &left, const QStringList &right)
{
    QPdfWriter writer(path);
    writer.setPageSize(QPageSize(QPageSize::A4));
    writer.setResolution(72);
    QPainter p(&writer);
    p.setFont(QFont(QStringLiteral("DejaVu Sans"), 9));
    for (qsizetype i = 0; i < left.size(); ++i) {
        p.drawText(40, 80 + 12 * static_cast<int>(i), left.at(i));
        p.drawText(310, 80 + 12 * static_cast<int>(i), right.at(i));
    }
}

} // namespace

class TestTextLayout final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void numericColumnsJoinTheirRows()
    {
        // The reading order of a split table: labels, then each value column as a block.
        const QList<PositionedWord> words{
            word(QStringLiteral("Revenue"), 50, 100), word(QStringLiteral("Costs"), 50, 113),
            word(QStringLiteral("Profit"), 50, 126), word(QStringLiteral("1,200"), 300, 100),
            word(QStringLiteral("(800)"), 300, 113), word(QStringLiteral("400"), 300, 126),
            word(QStringLiteral("1,100"), 380, 100), word(QStringLiteral("(700)"), 380, 113),
            word(QStringLiteral("400"), 380, 126)};
        const LaidOutText out = layOutText(words, QSizeF(612, 792));
        QCOMPARE(out.text, QStringLiteral("Revenue 1,200 1,100\nCosts (800) (700)\nProfit 400 400"));
        // Every word box still names its own characters.
        QCOMPARE(out.words.size(), words.size());
        for (const WordBox &w : out.words)
            QVERIFY(out.text.mid(w.start, w.length).size() == w.length && w.length > 0);
        QCOMPARE(out.text.mid(out.words.at(1).start, out.words.at(1).length), QStringLiteral("1,200"));
    }

    void proseColumnsKeepTheirReadingOrder()
    {
        // Two columns on the same baselines: the right one is prose, so it is read after the left.
        const QList<PositionedWord> words{
            word(QStringLiteral("Left"), 40, 100), word(QStringLiteral("column"), 70, 100, WordBreak::Space),
            word(QStringLiteral("goes"), 40, 112), word(QStringLiteral("on"), 70, 112, WordBreak::Space),
            word(QStringLiteral("Right"), 310, 100), word(QStringLiteral("column"), 345, 100, WordBreak::Space),
            word(QStringLiteral("follows"), 310, 112), word(QStringLiteral("later"), 360, 112, WordBreak::Space)};
        const QString text = layOutText(words, QSizeF(595, 842)).text;
        QCOMPARE(text, QStringLiteral("Left column\ngoes on\n\nRight column\nfollows later"));
    }

    void aStatementFromQtsPdfWriterReadsRowByRow()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("statement.pdf"));
        writeStatement(path, {{QStringLiteral("Years ended"), QStringLiteral("2023"), QStringLiteral("2022"), QStringLiteral("2021")},
                              {QStringLiteral("Net income"), QStringLiteral("96,995"), QStringLiteral("99,803"), QStringLiteral("94,680")},
                              {QStringLiteral("Depreciation and amortization"), QStringLiteral("11,519"), QStringLiteral("11,104"),
                               QStringLiteral("11,284")},
                              {QStringLiteral("Deferred income tax expense"), QStringLiteral("(6,059)"), QStringLiteral("895"),
                               QStringLiteral("(4,774)")},
                              {QStringLiteral("Changes in operating assets and liabilities:")},
                              {QStringLiteral("Inventories"), QStringLiteral("(1,618)"), QStringLiteral("1,484"), QStringLiteral("(2,642)")},
                              {QStringLiteral("Cash generated by operating activities"), QStringLiteral("110,543"),
                               QStringLiteral("122,151"), QStringLiteral("104,038")}});
        const QString text = pageText(path, 1);
        QVERIFY2(!text.isEmpty(), "Poppler read nothing");
        for (const QString &row : {QStringLiteral("Years ended 2023 2022 2021"), QStringLiteral("Net income 96,995 99,803 94,680"),
                                   QStringLiteral("Deferred income tax expense (6,059) 895 (4,774)"),
                                   QStringLiteral("Inventories (1,618) 1,484 (2,642)"),
                                   QStringLiteral("Cash generated by operating activities 110,543 122,151 104,038")})
            QVERIFY2(text.contains(row), qPrintable(QStringLiteral("no row \"%1\" in:\n%2").arg(row, text)));
    }

    void twoColumnProseFromQtsPdfWriterStaysInColumns()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("columns.pdf"));
        const QStringList left{QStringLiteral("The left column begins a long argument"),
                               QStringLiteral("that runs over several lines of text"),
                               QStringLiteral("before it reaches the end of the column.")};
        const QStringList right{QStringLiteral("The right column starts another thought"),
                                QStringLiteral("which is read only after the left one"),
                                QStringLiteral("has been read to its very last line.")};
        writeTwoColumns(path, left, right);
        const QString text = pageText(path, 1);
        QVERIFY2(text.contains(left.join(QLatin1Char('\n'))), qPrintable(text));
        QVERIFY2(text.contains(right.join(QLatin1Char('\n'))), qPrintable(text));
    }

    void rIntrosDataTableReadsRowByRow()
    {
        // R-intro.pdf pages 39 and 40 print the house-price data frame, with and without row labels;
        // Poppler reads each column as a block of its own.
        const QString path = test::corpusPath(QStringLiteral("pdf/R-intro.pdf"));
        const QString labelled = pageText(path, 39);
        const QString unlabelled = pageText(path, 40);
        for (const auto &[text, row] : {std::pair{labelled, QStringLiteral("01 52.00 111.0 830 5 6.2")},
                                        std::pair{labelled, QStringLiteral("05 59.75 93.0 900 5 1.9")},
                                        std::pair{unlabelled, QStringLiteral("Price Floor Area Rooms Age\n52.00 111.0 830 5 6.2")}})
            QVERIFY2(text.contains(row), qPrintable(QStringLiteral("no row \"%1\" in:\n%2").arg(row, text)));
    }
};

QTEST_MAIN(TestTextLayout)
#include "tst_textlayout.moc"
