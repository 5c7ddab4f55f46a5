// The hnswlib file is a cache of SQLite: whatever happens to it, search gives what a fresh build gives.
#include "searchfixture.h"

#include "search/embeddingstore.h"
#include "search/vectorindex.h"
#include "store/documentstore.h"

#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace docsight;

namespace {

using Results = QList<QList<qint64>>;

} // namespace

class TestVectorIndex final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::shared_ptr<Library> m_lib;
    std::shared_ptr<BuiltinEmbedder> m_embedder = std::make_shared<BuiltinEmbedder>();
    QList<test::GoldenQuestion> m_questions;

    // A fresh index object reading whatever is on disk, searching through the graph (not exactly)
    // so that the hnswlib file itself is what is tested.
    std::shared_ptr<VectorIndex> reopen()
    {
        auto index = VectorIndex::forEmbedder(m_lib, m_embedder->id(), m_embedder->dimensions());
        VectorIndex::Parameters p = index->parameters();
        p.exactBelow = 0;
        p.exactCandidatesBelow = 0;
        index->setParameters(p);
        return index;
    }

    Results search(VectorIndex &index)
    {
        Results out;
        for (const auto &q : std::as_const(m_questions)) {
            QList<qint64> ids;
            for (const VectorHit &h : index.search(m_embedder->embedOne(q.question), 10))
                ids.append(h.chunkId);
            out.append(ids);
        }
        return out;
    }

    // Results from an index built from scratch (files removed first).
    Results freshResults()
    {
        QFile::remove(VectorIndex::forEmbedder(m_lib, m_embedder->id(), m_embedder->dimensions())->indexPath());
        auto index = reopen();
        [&] { QVERIFY(index->open({})); }();
        return search(*index);
    }

    QString indexPath() { return VectorIndex::forEmbedder(m_lib, m_embedder->id(), m_embedder->dimensions())->indexPath(); }
    QString manifestPath() { return VectorIndex::forEmbedder(m_lib, m_embedder->id(), m_embedder->dimensions())->manifestPath(); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_lib = Library::open(m_dir.filePath(QStringLiteral("lib")), nullptr);
        QVERIFY(m_lib);
        const QStringList paths{test::corpusPath(QStringLiteral("pdf/R-intro.pdf")),
                                test::corpusPath(QStringLiteral("pdf/a-text.pdf")),
                                test::corpusPath(QStringLiteral("pdf/libtasn1.pdf"))};
        const QString error = test::importAndIndex(m_lib, paths, m_embedder);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        m_questions = test::readGoldenSet(QStringLiteral("r-intro.jsonl"));
        QVERIFY(!m_questions.isEmpty());
        QVERIFY(QFile::exists(indexPath()));
        QVERIFY(QFile::exists(manifestPath()));
    }

    void loadsAVerifiedIndexWithoutRebuilding()
    {
        auto index = reopen();
        QVERIFY(index->open({}));
        QCOMPARE(index->lastOpenAction(), VectorIndex::OpenAction::Loaded);
        QCOMPARE(index->size(), EmbeddingStore(m_lib).chunkCount());
        // Graph search on a library this small finds what brute force finds.
        for (const auto &q : std::as_const(m_questions)) {
            const auto v = m_embedder->embedOne(q.question);
            const auto approximate = index->search(v, 10);
            const auto exact = index->searchExact(v, 10);
            QCOMPARE(approximate.size(), exact.size());
            for (qsizetype i = 0; i < exact.size(); ++i)
                QCOMPARE(approximate.at(i).chunkId, exact.at(i).chunkId);
        }
    }

    void aLargeIndexOpensInTheBackgroundWhileKeywordSearchAnswers()
    {
        const QString question = m_questions.constFirst().question;
        HybridRetriever retriever(m_lib, {m_embedder});
        retriever.setBackgroundOpenAbove(1); // every index file counts as large here
        RetrievalOptions options;
        options.waitForVectorIndex = false;
        const RetrievalResult first = retriever.retrieve(question, options);
        QVERIFY(!first.passages.isEmpty());
        QVERIFY2(first.message.contains(QLatin1String("keyword search only")), qPrintable(first.message));
        for (const RetrievedPassage &p : first.passages)
            QCOMPARE(p.vectorRank, 0);
        retriever.waitForBackgroundOpen();
        QVERIFY(!retriever.isOpeningInBackground());
        const RetrievalResult next = retriever.retrieve(question, options);
        QVERIFY2(next.message.isEmpty(), qPrintable(next.message));
        QVERIFY(std::any_of(next.passages.cbegin(), next.passages.cend(), [](const RetrievedPassage &p) { return p.vectorRank > 0; }));
    }

    void aSearchThatWaitsForTheIndexIsNeverKeywordOnly()
    {
        HybridRetriever retriever(m_lib, {m_embedder});
        retriever.setBackgroundOpenAbove(1);
        const RetrievalResult result = retriever.retrieve(m_questions.constFirst().question); // waits, as the CLI does
        QVERIFY2(result.message.isEmpty(), qPrintable(result.message));
        QVERIFY(std::any_of(result.passages.cbegin(), result.passages.cend(), [](const RetrievedPassage &p) { return p.vectorRank > 0; }));
    }

    void damagedIndexIsDetectedAndRebuilt_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("reason");
        QTest::newRow("deleted") << QStringLiteral("delete") << QStringLiteral("missing");
        QTest::newRow("truncated") << QStringLiteral("truncate") << QStringLiteral("corrupt");
        QTest::newRow("random bytes") << QStringLiteral("random") << QStringLiteral("corrupt");
        QTest::newRow("all random") << QStringLiteral("garbage") << QStringLiteral("corrupt");
        QTest::newRow("empty file") << QStringLiteral("empty") << QStringLiteral("corrupt");
        QTest::newRow("manifest deleted") << QStringLiteral("no-manifest") << QStringLiteral("corrupt");
        QTest::newRow("manifest garbage") << QStringLiteral("bad-manifest") << QStringLiteral("corrupt");
    }

    void damagedIndexIsDetectedAndRebuilt()
    {
        QFETCH(QString, damage);
        QFETCH(QString, reason);
        const Results expected = freshResults();
        QVERIFY(!expected.isEmpty() && !expected.first().isEmpty());

        QFile file(damage.contains(QLatin1String("manifest")) ? manifestPath() : indexPath());
        const qint64 size = QFileInfo(indexPath()).size();
        if (damage == QLatin1String("delete") || damage == QLatin1String("no-manifest")) {
            QVERIFY(file.remove());
        } else if (damage == QLatin1String("truncate")) {
            QVERIFY(file.resize(size / 2));
        } else if (damage == QLatin1String("empty")) {
            QVERIFY(file.resize(0));
        } else if (damage == QLatin1String("random")) {
            QVERIFY(file.open(QIODevice::ReadWrite));
            QVERIFY(file.seek(size / 3));
            QByteArray noise(4096, Qt::Uninitialized);
            QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(noise.data()), noise.size() / 4);
            file.write(noise);
            file.close();
        } else if (damage == QLatin1String("garbage")) {
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            QByteArray noise(static_cast<qsizetype>(size), Qt::Uninitialized);
            QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(noise.data()), noise.size() / 4);
            file.write(noise);
            file.close();
        } else if (damage == QLatin1String("bad-manifest")) {
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            file.write("{\"format\": 1, \"embedder\": ");
            file.close();
        }

        auto index = reopen();
        QVERIFY(index->open({}));
        QCOMPARE(index->lastOpenAction(), VectorIndex::OpenAction::Rebuilt);
        QVERIFY2(index->lastOpenReason().startsWith(reason), qPrintable(index->lastOpenReason()));
        QCOMPARE(search(*index), expected);
        index.reset();
        // The rebuilt index was saved and verifies next time.
        auto again = reopen();
        QVERIFY(again->open({}));
        QCOMPARE(again->lastOpenAction(), VectorIndex::OpenAction::Loaded);
    }

    void staleIndexIsDetectedAndRebuilt()
    {
        // Keep the index as it is, add a document (which updates the index), then put the old
        // index back: it verifies as a file but no longer matches SQLite.
        const QByteArray oldIndex = [&] { QFile f(indexPath()); f.open(QIODevice::ReadOnly); return f.readAll(); }();
        const QByteArray oldManifest = [&] { QFile f(manifestPath()); f.open(QIODevice::ReadOnly); return f.readAll(); }();
        QVERIFY(!oldIndex.isEmpty() && !oldManifest.isEmpty());
        const QString error = test::importAndIndex(m_lib, {test::corpusPath(QStringLiteral("pdf/shared-mime-info-spec.pdf"))},
                                                   m_embedder);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        for (const auto &[path, bytes] : {std::pair{indexPath(), oldIndex}, std::pair{manifestPath(), oldManifest}}) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(bytes);
        }
        Results stale;
        {
            auto index = reopen();
            QVERIFY(index->open({}));
            QVERIFY(index->lastOpenAction() != VectorIndex::OpenAction::Loaded);
            QVERIFY2(index->lastOpenReason().startsWith(QLatin1String("stale")), qPrintable(index->lastOpenReason()));
            QCOMPARE(index->size(), EmbeddingStore(m_lib).chunkCount());
            stale = search(*index);
        }
        QCOMPARE(stale, freshResults());
    }

    void switchingEmbedderKeepsTheOldOneUntilTheNewIsComplete()
    {
        const auto other = std::make_shared<BuiltinEmbedder>(256);
        HybridRetriever retriever(m_lib, {m_embedder, other});
        const QString question = m_questions.first().question;
        QCOMPARE(retriever.retrieve(question).embedderId, m_embedder->id());

        // Interrupted half-way: search stays on the complete embedder.
        {
            Indexer indexer(m_lib, other);
            indexer.setBatchSize(16);
            QObject::connect(&indexer, &Indexer::progress, &indexer, [&](int done, int) {
                if (done > 0)
                    indexer.cancel();
            });
            QVERIFY(!indexer.run());
        }
        QVERIFY(EmbeddingStore(m_lib).pendingCount(other->id()) > 0);
        QCOMPARE(EmbeddingStore(m_lib).activeEmbedder(), m_embedder->id());
        const auto during = retriever.retrieve(question);
        QCOMPARE(during.embedderId, m_embedder->id());
        QVERIFY(!during.passages.isEmpty());

        // Resumed to the end: the new embedder takes over.
        Indexer indexer(m_lib, other);
        QVERIFY(indexer.run());
        QCOMPARE(EmbeddingStore(m_lib).activeEmbedder(), other->id());
        const auto after = retriever.retrieve(question);
        QCOMPARE(after.embedderId, other->id());
        QVERIFY(!after.passages.isEmpty());

        // Back to the default for the tests that follow.
        QVERIFY(EmbeddingStore(m_lib).setActiveEmbedder(m_embedder->id()));
    }

    void removalsAreMarkedDeletedAndLargeOnesRebuild()
    {
        DocumentStore store(m_lib);
        auto index = reopen();
        QVERIFY(index->open({}));
        const auto small = store.resolve(QStringLiteral("a-text.pdf"));
        QCOMPARE(small.size(), 1);
        QVERIFY(store.remove(small.first().id));
        Indexer indexer(m_lib, m_embedder);
        QVERIFY(indexer.run());
        QCOMPARE(index->deletedCount(), small.first().chunkCount);
        QCOMPARE(index->size(), EmbeddingStore(m_lib).chunkCount());

        // Most of the library goes: the graph is rebuilt without its deleted entries.
        const auto big = store.resolve(QStringLiteral("R-intro.pdf"));
        QCOMPARE(big.size(), 1);
        QVERIFY(store.remove(big.first().id));
        QVERIFY(indexer.run());
        QCOMPARE(index->deletedCount(), 0);
        QCOMPARE(index->size(), EmbeddingStore(m_lib).chunkCount());
        for (const auto &q : std::as_const(m_questions)) {
            for (const VectorHit &h : index->search(m_embedder->embedOne(q.question), 10))
                QVERIFY(EmbeddingStore(m_lib).vectors(m_embedder->id(), {h.chunkId}, m_embedder->dimensions()).size() == 1);
        }
        index.reset();
        auto reloaded = reopen();
        QVERIFY(reloaded->open({}));
        QCOMPARE(reloaded->lastOpenAction(), VectorIndex::OpenAction::Loaded);
    }
};

QTEST_GUILESS_MAIN(TestVectorIndex)
#include "tst_vectorindex.moc"
