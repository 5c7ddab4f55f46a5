// Retrieval over financial statements, the tables filings are full of: a PDF laid out by Qt's own
// PDF writer, read by real Poppler, chunked, indexed and searched as any import. A question about a
// line item finds the passage holding that whole row, and the passage carries the statement's title
// and column years.
#include "searchfixture.h"

#include <QPainter>
#include <QPdfWriter>
#include <QTemporaryDir>
#include <QTest>

using namespace docsight;

namespace {

struct Statement {
    QString title;
    QStringList columns;
    QList<QStringList> rows; // label, then one value per column; a label alone is a section line
};

// One statement a page: title, unit line, column header, rows; labels left, values right-aligned.
void writeStatements(const QString &path, const QString &introduction, const QList<Statement> &statements)
{
    QPdfWriter writer(path);
    writer.setPageSize(QPageSize(QPageSize::Letter));
    writer.setResolution(72);
    QPainter p(&writer);
    const QFont body(QStringLiteral("DejaVu Sans"), 9);
    QFont bold = body;
    bold.setBold(true);
    p.setFont(body);
    int y = 60;
    for (const QString &line : introduction.split(QLatin1Char('\n'))) {
        p.drawText(50, y, line);
        y += 13;
    }
    for (const Statement &s : statements) {
        writer.newPage();
        y = 60;
        p.setFont(bold);
        p.drawText(50, y, s.title);
        p.setFont(body);
        p.drawText(50, y += 14, QStringLiteral("(In millions)"));
        y += 14;
        p.drawText(50, y, QStringLiteral("Years ended"));
        for (qsizetype c = 0; c < s.columns.size(); ++c)
            p.drawText(410 + 70 * static_cast<int>(c) - p.fontMetrics().horizontalAdvance(s.columns.at(c)), y, s.columns.at(c));
        for (const QStringList &row : s.rows) {
            y += 13;
            p.drawText(50, y, row.first());
            for (qsizetype c = 1; c < row.size(); ++c)
                p.drawText(410 + 70 * static_cast<int>(c - 1) - p.fontMetrics().horizontalAdvance(row.at(c)), y, row.at(c));
        }
    }
}

QString money(int seed, int row, int column)
{
    const int value = 500 + (seed * 7919 + row * 104729 + column * 1299709) % 120000;
    return QLocale(QLocale::English).toString(value);
}

Statement statement(const QString &title, const QStringList &labels, int seed)
{
    Statement s{title, {QStringLiteral("2023"), QStringLiteral("2022"), QStringLiteral("2021")}, {}};
    for (qsizetype r = 0; r < labels.size(); ++r) {
        QStringList row{labels.at(r)};
        if (!labels.at(r).endsWith(QLatin1Char(':'))) {
            for (int c = 0; c < 3; ++c)
                row << money(seed, static_cast<int>(r), c);
        }
        s.rows << row;
    }
    return s;
}

} // namespace

class TestTableRetrieval final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::shared_ptr<Library> m_lib;
    std::unique_ptr<HybridRetriever> m_retriever;
    QList<Statement> m_statements;

    // The statement row for a label, as the page text should hold it.
    QString row(int statementIndex, const QString &label) const
    {
        for (const QStringList &r : m_statements.at(statementIndex).rows) {
            if (r.first() == label)
                return r.join(QLatin1Char(' '));
        }
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_statements = {
            statement(QStringLiteral("CONSOLIDATED STATEMENTS OF OPERATIONS"),
                      {QStringLiteral("Net sales:"), QStringLiteral("Products"), QStringLiteral("Services"),
                       QStringLiteral("Total net sales"), QStringLiteral("Cost of sales:"), QStringLiteral("Products"),
                       QStringLiteral("Services"), QStringLiteral("Total cost of sales"), QStringLiteral("Gross margin"),
                       QStringLiteral("Operating expenses:"), QStringLiteral("Research and development"),
                       QStringLiteral("Selling, general and administrative"), QStringLiteral("Total operating expenses"),
                       QStringLiteral("Operating income"), QStringLiteral("Other income/(expense), net"),
                       QStringLiteral("Income before provision for income taxes"), QStringLiteral("Provision for income taxes"),
                       QStringLiteral("Net income"), QStringLiteral("Earnings per share:"), QStringLiteral("Basic"),
                       QStringLiteral("Diluted"), QStringLiteral("Shares used in computing earnings per share:"),
                       QStringLiteral("Basic"), QStringLiteral("Diluted")},
                      1),
            statement(QStringLiteral("CONSOLIDATED STATEMENTS OF CASH FLOWS"),
                      {QStringLiteral("Cash, cash equivalents and restricted cash, beginning balances"),
                       QStringLiteral("Operating activities:"), QStringLiteral("Net income"),
                       QStringLiteral("Adjustments to reconcile net income to cash generated by operating activities:"),
                       QStringLiteral("Depreciation and amortization"), QStringLiteral("Share-based compensation expense"),
                       QStringLiteral("Deferred income tax expense/(benefit)"), QStringLiteral("Other"),
                       QStringLiteral("Changes in operating assets and liabilities:"), QStringLiteral("Accounts receivable, net"),
                       QStringLiteral("Vendor non-trade receivables"), QStringLiteral("Inventories"),
                       QStringLiteral("Other current and non-current assets"), QStringLiteral("Accounts payable"),
                       QStringLiteral("Other current and non-current liabilities"),
                       QStringLiteral("Cash generated by operating activities"), QStringLiteral("Investing activities:"),
                       QStringLiteral("Purchases of marketable securities"),
                       QStringLiteral("Proceeds from maturities of marketable securities"),
                       QStringLiteral("Proceeds from sales of marketable securities"),
                       QStringLiteral("Payments for acquisition of property, plant and equipment"), QStringLiteral("Other"),
                       QStringLiteral("Cash generated by/(used in) investing activities"), QStringLiteral("Financing activities:"),
                       QStringLiteral("Payments for taxes related to net share settlement of equity awards"),
                       QStringLiteral("Payments for dividends and dividend equivalents"),
                       QStringLiteral("Repurchases of common stock"), QStringLiteral("Proceeds from issuance of term debt, net"),
                       QStringLiteral("Repayments of term debt"), QStringLiteral("Other"),
                       QStringLiteral("Cash used in financing activities"),
                       QStringLiteral("Decrease in cash, cash equivalents and restricted cash"),
                       QStringLiteral("Cash, cash equivalents and restricted cash, ending balances")},
                      2)};
        const QString path = m_dir.filePath(QStringLiteral("annual-report.pdf"));
        writeStatements(path,
                        QStringLiteral("Item 8. Financial Statements and Supplementary Data\n"
                                       "The statements that follow were prepared by management, which is responsible\n"
                                       "for their integrity and objectivity."),
                        m_statements);
        m_lib = Library::open(m_dir.filePath(QStringLiteral("lib")), nullptr);
        QVERIFY(m_lib);
        auto embedder = std::make_shared<BuiltinEmbedder>();
        // The R manual as a distractor full of its own numbers.
        const QString error = test::importAndIndex(m_lib, {path, test::corpusPath(QStringLiteral("pdf/R-intro.pdf"))}, embedder);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        m_retriever = std::make_unique<HybridRetriever>(m_lib, QList<std::shared_ptr<Embedder>>{embedder});
    }

    void aLineItemQuestionFindsItsWholeRow_data()
    {
        QTest::addColumn<QString>("question");
        QTest::addColumn<int>("statement");
        QTest::addColumn<QString>("label");
        QTest::newRow("operating cash") << QStringLiteral("How much cash was generated by operating activities in 2022?") << 1
                                        << QStringLiteral("Cash generated by operating activities");
        QTest::newRow("R&D") << QStringLiteral("What did the company spend on research and development in 2021?") << 0
                             << QStringLiteral("Research and development");
        QTest::newRow("dividends") << QStringLiteral("dividends paid 2023") << 1
                                   << QStringLiteral("Payments for dividends and dividend equivalents");
        QTest::newRow("income taxes") << QStringLiteral("What was the provision for income taxes?") << 0
                                      << QStringLiteral("Provision for income taxes");
    }

    void aLineItemQuestionFindsItsWholeRow()
    {
        QFETCH(QString, question);
        QFETCH(int, statement);
        QFETCH(QString, label);
        const QString wanted = row(statement, label);
        QVERIFY(!wanted.isEmpty());
        RetrievalOptions options;
        options.k = 3;
        const auto r = m_retriever->retrieve(question, options);
        QVERIFY2(!r.passages.isEmpty(), qPrintable(r.message));
        const RetrievedPassage &top = r.passages.first();
        QCOMPARE(top.documentName, QStringLiteral("annual-report.pdf"));
        QCOMPARE(top.page, statement + 2);
        // The row is whole: label and the three years' values on one line.
        QVERIFY2(top.text.contains(wanted), qPrintable(QStringLiteral("no \"%1\" in:\n%2").arg(wanted, top.text)));
        // The passage says which statement and which years, in its text or as its heading.
        const QString context = top.heading + QLatin1Char('\n') + top.text;
        QVERIFY2(context.contains(m_statements.at(statement).title), qPrintable(context));
        QVERIFY2(context.contains(QLatin1String("Years ended 2023 2022 2021")), qPrintable(context));
    }
};

QTEST_MAIN(TestTableRetrieval)
#include "tst_tableretrieval.moc"
