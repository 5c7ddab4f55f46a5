// The built-in embedder: deterministic, normalised, lexical, fast; and the text analysis under it.
#include "search/builtinembedder.h"
#include "search/textanalysis.h"

#include <cmath>

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QTest>

using namespace docsight;

namespace {

// The built-in vector of a fixed text; when the features change on purpose, bump the embedder id.
constexpr char kVectorFingerprint[] = "a66cef91406d0901";

double dot(const std::vector<float> &a, const std::vector<float> &b)
{
    double s = 0;
    for (size_t i = 0; i < a.size(); ++i)
        s += static_cast<double>(a[i]) * b[i];
    return s;
}

QByteArray fingerprint(const std::vector<float> &v)
{
    // Rounded so that the check is about the algorithm, not the last bit of float arithmetic.
    QByteArray bytes;
    for (const float x : v)
        bytes += QByteArray::number(std::lround(static_cast<double>(x) * 1e5));
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex().left(16);
}

} // namespace

class TestBuiltinEmbedder final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hasAStableIdAndAnHonestDescription()
    {
        BuiltinEmbedder e;
        QCOMPARE(e.id(), QStringLiteral("builtin-hash-v1-768"));
        QCOMPARE(e.dimensions(), 768);
        QVERIFY(e.description().contains(QLatin1String("not ones that only mean the same thing")));
        QCOMPARE(BuiltinEmbedder(256).id(), QStringLiteral("builtin-hash-v1-256"));
    }

    void vectorsAreNormalisedAndDeterministic()
    {
        BuiltinEmbedder e;
        const QStringList texts{QStringLiteral("The singular value decomposition of a matrix."),
                                QStringLiteral("Über Café naïve résumé — 中文文本 テスト"), QStringLiteral("x")};
        const EmbedResult r = e.embed(texts, {});
        QVERIFY(r.ok());
        QCOMPARE(r.vectors.size(), size_t(3));
        for (size_t i = 0; i < 2; ++i) {
            QCOMPARE(static_cast<int>(r.vectors[i].size()), 768);
            QVERIFY(std::abs(dot(r.vectors[i], r.vectors[i]) - 1.0) < 1e-4);
            QCOMPARE(r.vectors[i], e.embedOne(texts.at(static_cast<qsizetype>(i))));
        }
        // Nothing to embed gives a zero vector, never NaN.
        QCOMPARE(dot(r.vectors[2], r.vectors[2]), 0.0);
        // Any change to the features changes stored vectors: bump the id's version when this fails.
        QCOMPARE(fingerprint(r.vectors[0]), QByteArray(kVectorFingerprint));
    }

    void batchesAreCancellable()
    {
        BuiltinEmbedder e;
        CancelToken cancel;
        cancel.cancel();
        const EmbedResult r = e.embed(QStringList(100, QStringLiteral("text")), cancel);
        QVERIFY(!r.ok());
    }

    void sharedWordsAndWordFormsMakeTextsSimilar()
    {
        BuiltinEmbedder e;
        const auto q = e.embedOne(QStringLiteral("plotting cumulative distributions"));
        const auto related = e.embedOne(QStringLiteral("We plot the empirical cumulative distribution function."));
        const auto unrelated = e.embedOne(QStringLiteral("The ASN.1 parser reads DER encoded certificates."));
        QVERIFY(dot(q, related) > 0.2);
        QVERIFY(dot(q, related) > dot(q, unrelated) + 0.15);
        // Accents and case do not matter.
        QVERIFY(dot(e.embedOne(QStringLiteral("Résumé CAFÉ")), e.embedOne(QStringLiteral("resume cafe"))) > 0.99);
    }

    void queryWeightsFavourRareWords()
    {
        BuiltinEmbedder e;
        const auto doc1 = e.embedOne(QStringLiteral("function eruptions"));
        const auto doc2 = e.embedOne(QStringLiteral("function arguments"));
        const auto weighted = e.embedQuery(QStringLiteral("function eruptions arguments"), [](const QString &stem) {
            return stem == QLatin1String("erupt") ? 5.0f : 1.0f;
        });
        QVERIFY(dot(weighted, doc1) > dot(weighted, doc2));
    }

    void embedsThousandsOfPassagesPerSecond()
    {
        BuiltinEmbedder e;
        const QString passage = QStringLiteral(
            "In matrix terms this would be written y = Xb + e where y is the response vector, X is the model "
            "matrix or design matrix and has columns x0, x1, ..., xp, the determining variables. Very often x0 "
            "will be a column of ones defining an intercept term. ").repeated(4);
        QElapsedTimer timer;
        timer.start();
        const EmbedResult r = e.embed(QStringList(500, passage), {});
        QVERIFY(r.ok());
        qInfo("500 passages of %d characters in %lld ms", static_cast<int>(passage.size()), timer.elapsed());
        QVERIFY(timer.elapsed() < 5000);
    }

    void porterStemmerFollowsTheReferenceAlgorithm_data()
    {
        QTest::addColumn<QString>("word");
        QTest::addColumn<QString>("stem");
        const char *const pairs[][2] = {
            {"caresses", "caress"}, {"ponies", "poni"},       {"ties", "ti"},          {"cats", "cat"},
            {"feed", "feed"},       {"agreed", "agre"},       {"plastered", "plaster"}, {"motoring", "motor"},
            {"sing", "sing"},       {"conflated", "conflat"}, {"troubled", "troubl"},   {"sized", "size"},
            {"hopping", "hop"},     {"falling", "fall"},      {"filing", "file"},       {"happy", "happi"},
            {"relational", "relat"}, {"conditional", "condit"}, {"generalization", "gener"},
            {"electrical", "electr"}, {"adjustment", "adjust"}, {"effective", "effect"}, {"distributions", "distribut"},
            {"eruptions", "erupt"}, {"plotting", "plot"},     {"matrices", "matric"},   {"r", "r"},
            {"x2", "x2"},           {"naïve", "naïve"},
        };
        for (const auto &pair : pairs)
            QTest::newRow(pair[0]) << QString::fromUtf8(pair[0]) << QString::fromUtf8(pair[1]);
    }

    void porterStemmerFollowsTheReferenceAlgorithm()
    {
        QFETCH(QString, word);
        QFETCH(QString, stem);
        QCOMPARE(porterStem(word), stem);
    }

    void foldingAndTokensMatchFts5()
    {
        QCOMPARE(foldForSearch(QStringLiteral("Ärger ÉCOLE ﬁne")), QStringLiteral("arger ecole fine"));
        const QString folded = foldForSearch(QStringLiteral("dev.off() R_PROFILE_USER \"NEAR(x y)\" 3.14"));
        QStringList tokens;
        for (const QStringView t : searchTokens(folded))
            tokens << t.toString();
        QCOMPARE(tokens, (QStringList{QStringLiteral("dev"), QStringLiteral("off"), QStringLiteral("r"), QStringLiteral("profile"),
                                      QStringLiteral("user"), QStringLiteral("near"), QStringLiteral("x"), QStringLiteral("y"),
                                      QStringLiteral("3"), QStringLiteral("14")}));
        QVERIFY(isStopWord(QStringLiteral("which")));
        QVERIFY(!isStopWord(QStringLiteral("matrix")));
    }

    void contentsAndIndexPassagesAreNavigational_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("navigational");
        QTest::newRow("spaced leaders") << QStringLiteral("iii\n\n10 Writing your own functions . . . . . . 45\n\n"
                                                          "10.1 Simple examples. . . . . . . . . . 45\n"
                                                          "10.2 Defining new binary operators . . . . . 46\n"
                                                          "10.3 Named arguments and defaults . . . . . 46")
                                        << true;
        QTest::newRow("dense leaders, roman numerals") << QStringLiteral("Contents\nPreface ........ vii\n"
                                                                         "Item 1. Business ........ 3\n"
                                                                         "Item 1A. Risk Factors ........ 12\n"
                                                                         "Item 2. Properties ........ 27")
                                                       << true;
        QTest::newRow("index with page lists") << QStringLiteral("S\nScope . . . . . . . 49\nSearch path . . . . . 32\n"
                                                                 "Vectors . . . . . . . 8, 22\nRecycling rule . . . 9, 22–23")
                                               << true;
        QTest::newRow("ellipsis leaders") << QStringLiteral("Overview\u2026\u2026\u2026 1\nResults\u2026\u2026 4\n"
                                                            "Appendix\u2026\u2026 9")
                                          << true;
        QTest::newRow("financial table") << QStringLiteral("Revenue 12,431 11,902 10,377\nCost of sales (8,120) (7,744) (6,981)\n"
                                                           "Gross profit 4,311 4,158 3,396\nOperating income 1,204 1,187 903")
                                         << false;
        QTest::newRow("prose with ellipses") << QStringLiteral("The ‘...’ argument passes options on... see page 47.\n"
                                                               "f <- function(x, ...) 1\nA sentence that trails off... 3")
                                             << false;
        QTest::newRow("a few entries in prose") << QStringLiteral("Introduction . . . . . 1\nThis manual describes the library.\n"
                                                              "It covers installation and use.\nChapters follow the API.\n"
                                                              "Contents . . . . 2\nSee the index . . . 40\n"
                                                              "Each chapter ends with exercises.")
                                            << false;
        QTest::newRow("empty") << QString() << false;
    }

    void contentsAndIndexPassagesAreNavigational()
    {
        QFETCH(QString, text);
        QFETCH(bool, navigational);
        QCOMPARE(looksNavigational(text), navigational);
    }
};

QTEST_GUILESS_MAIN(TestBuiltinEmbedder)
#include "tst_builtinembedder.moc"
