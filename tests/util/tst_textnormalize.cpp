#include "util/textnormalize.h"

#include <QTest>

using namespace docsight;

class TestTextNormalize final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void collapsesEveryWhitespaceRun()
    {
        QCOMPARE(collapseWhitespace(QStringLiteral("  a\t\tb\n\nc \u00a0 ")), QStringLiteral("a b c"));
        QCOMPARE(collapseWhitespace(QString()), QString());
    }

    void editDistance_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<qsizetype>("distance");
        QTest::newRow("equal") << QStringLiteral("kitten") << QStringLiteral("kitten") << qsizetype(0);
        QTest::newRow("classic") << QStringLiteral("kitten") << QStringLiteral("sitting") << qsizetype(3);
        QTest::newRow("empty") << QString() << QStringLiteral("abc") << qsizetype(3);
    }

    void editDistance()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(qsizetype, distance);
        QCOMPARE(docsight::editDistance(a, b), distance);
        QCOMPARE(docsight::editDistance(b, a), distance);
    }

    void characterErrorRateIgnoresLayoutWhitespace()
    {
        QCOMPARE(characterErrorRate(QStringLiteral("a  b\nc"), QStringLiteral("a b c")), 0.0);
        QVERIFY(qFuzzyCompare(characterErrorRate(QStringLiteral("abcd"), QStringLiteral("abce")), 0.25));
    }
};

QTEST_GUILESS_MAIN(TestTextNormalize)
#include "tst_textnormalize.moc"
