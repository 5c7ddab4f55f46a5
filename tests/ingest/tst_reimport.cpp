// Reading a Ready document again (new OCR languages, or OCR of every page for a PDF whose text layer is
// garbled): same document, new pages and passages, nothing of the old reading left in search.
#include "audit/auditlog.h"
#include "ingest/ingestqueue.h"
#include "search/builtinembedder.h"
#include "search/indexer.h"
#include "search/keywordsearch.h"
#include "search/vectorindex.h"
#include "store/documentstore.h"
#include "store/library.h"

#include "testsupport.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace docsight;

namespace {

// A queue with every outcome it reports collected from the start (they arrive queued on this thread).
struct Queue {
    explicit Queue(const std::shared_ptr<Library> &lib) : queue(lib)
    {
        QObject::connect(&queue, &IngestQueue::finished, &queue, [this](const ImportOutcome &o) { outcomes.append(o); });
    }

    std::optional<ImportOutcome> wait(quint64 jobId, int timeoutMs = 600000)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs) {
            for (const ImportOutcome &o : std::as_const(outcomes)) {
                if (o.jobId == jobId)
                    return o;
            }
            QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        }
        return std::nullopt;
    }

    IngestQueue queue;
    QList<ImportOutcome> outcomes;
};

QString idList(const QSet<qint64> &ids)
{
    QStringList out;
    for (const qint64 id : ids)
        out.append(QString::number(id));
    return out.join(QLatin1Char(','));
}

qint64 count(const std::shared_ptr<Library> &lib, const QString &sql)
{
    QSqlQuery q(lib->connection());
    return q.exec(sql) && q.next() ? q.value(0).toLongLong() : -1;
}

QSet<qint64> chunkIds(const QList<Chunk> &chunks)
{
    QSet<qint64> ids;
    for (const Chunk &c : chunks)
        ids.insert(c.id);
    return ids;
}

// Lower-case words of five letters or more.
QSet<QString> words(const QList<Chunk> &chunks)
{
    static const QRegularExpression word(QStringLiteral("\\b[a-z]{5,}\\b"));
    QSet<QString> out;
    for (const Chunk &c : chunks) {
        const QString text = c.text.toLower();
        for (auto it = word.globalMatch(text); it.hasNext();)
            out.insert(it.next().captured());
    }
    return out;
}

bool ftsHas(const std::shared_ptr<Library> &lib, const QString &word, const QSet<qint64> &among)
{
    QSqlQuery q(lib->connection());
    q.prepare(QStringLiteral("SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ?"));
    q.addBindValue(QString(QLatin1Char('"') + word + QLatin1Char('"')));
    if (!q.exec())
        return false;
    while (q.next()) {
        if (among.contains(q.value(0).toLongLong()))
            return true;
    }
    return false;
}

bool embed(const std::shared_ptr<Library> &lib)
{
    Indexer indexer(lib, std::make_shared<BuiltinEmbedder>());
    return indexer.run();
}

} // namespace

class TestReimport final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::shared_ptr<Library> m_lib;
    qint64 m_mixed = 0;
    qint64 m_other = 0;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_lib = Library::open(m_dir.filePath(QStringLiteral("lib")), nullptr);
        QVERIFY(m_lib);
        Queue q(m_lib);
        const QList<quint64> jobs = q.queue.enqueue({test::corpusPath(QStringLiteral("scans/mixed-text-and-scanned.pdf")),
                                                   test::corpusPath(QStringLiteral("pdf/debian-refcard-en-a4.pdf"))},
                                                  {});
        for (const quint64 job : jobs) {
            const auto o = q.wait(job);
            QVERIFY(o && o->result == ImportOutcome::Result::Imported);
            (o->name.startsWith(QLatin1String("mixed")) ? m_mixed : m_other) = o->documentId;
        }
        DocumentStore store(m_lib);
        QVERIFY(store.setClassification(m_mixed, Classification::Confidential));
        QCOMPARE(store.byId(m_mixed)->ocrPages, 4);
        QVERIFY(embed(m_lib));
    }

    void rereadsEveryPageWithOcrAsTheSameDocument()
    {
        DocumentStore store(m_lib);
        const DocumentRecord before = *store.byId(m_mixed);
        // Stand-in for a garbled text layer: the old reading of page 1 holds a word the page does not.
        const QString garbled = QStringLiteral("qxzvglyphsoup");
        {
            QSqlQuery plant(m_lib->connection());
            QVERIFY(plant.exec(QStringLiteral("UPDATE chunks SET text = text || ' %1' WHERE document_id = %2 AND page_number = 1")
                                   .arg(garbled)
                                   .arg(m_mixed)));
            KeywordSearch keyword(m_lib);
            QVERIFY(!keyword.search(keyword.prepare(garbled), 5).isEmpty());
        }
        const QList<Chunk> oldChunks = store.chunks(m_mixed);
        const QSet<qint64> oldIds = chunkIds(oldChunks);
        QVERIFY(!oldIds.isEmpty());
        // A word of the other document that search finds, to look for while this one is read again.
        KeywordSearch keyword(m_lib);
        QStringList otherWords = words(store.chunks(m_other)).values();
        otherWords.sort();
        QString otherWord;
        for (const QString &w : std::as_const(otherWords)) {
            if (otherWord.isEmpty() && !keyword.search(keyword.prepare(w), 5).isEmpty())
                otherWord = w;
        }
        QVERIFY(!otherWord.isEmpty());

        Queue q(m_lib);
        IngestQueue &queue = q.queue;
        bool searchedWhileReading = false;
        connect(&queue, &IngestQueue::progress, this, [&](const ImportProgress &p) {
            if (p.documentId != m_mixed || p.stage != ImportStage::Reading || searchedWhileReading)
                return;
            searchedWhileReading = true;
            // The other document is still found; the one being read is not searchable at all.
            const QList<KeywordHit> hits = keyword.search(keyword.prepare(otherWord), 20);
            QVERIFY(!hits.isEmpty());
            const QList<qint64> only{m_mixed};
            QVERIFY(keyword.search(keyword.prepare(QStringLiteral("text")), 20, &only).isEmpty());
        });
        ImportOptions options;
        options.forceOcr = true;
        const quint64 job = queue.reimport(m_mixed, options);
        QVERIFY(job != 0);
        // The old reading is gone at once: chunks, their keyword entries and vectors.
        QCOMPARE(count(m_lib, QStringLiteral("SELECT COUNT(*) FROM chunks WHERE id IN (%1)").arg(idList(oldIds))), 0);
        QCOMPARE(count(m_lib, QStringLiteral("SELECT COUNT(*) FROM embeddings WHERE chunk_id IN (%1)").arg(idList(oldIds))), 0);
        QSqlQuery check(m_lib->connection());
        QVERIFY(check.exec(QStringLiteral("INSERT INTO chunks_fts(chunks_fts) VALUES ('integrity-check')")));
        QString refused;
        QCOMPARE(queue.reimport(m_mixed, options, &refused), quint64(0));
        QVERIFY(refused.contains(QLatin1String("being read")));

        const auto outcome = q.wait(job);
        QVERIFY(outcome);
        QCOMPARE(outcome->result, ImportOutcome::Result::Imported);
        QVERIFY(searchedWhileReading);

        const DocumentRecord after = *store.byId(m_mixed);
        QCOMPARE(after.id, before.id);
        QCOMPARE(after.name, before.name);
        QCOMPARE(after.classification, Classification::Confidential);
        QCOMPARE(after.status, DocumentStatus::Ready);
        QCOMPARE(after.pageCount, before.pageCount);
        QCOMPARE(after.storedPages, before.pageCount);
        QCOMPARE(after.ocrPages, 6); // the two text-layer pages too
        QCOMPARE(store.page(m_mixed, 1)->source, PageSource::Ocr);
        QVERIFY(!store.forcesOcr(m_mixed));

        const QList<Chunk> newChunks = store.chunks(m_mixed);
        const QSet<qint64> newIds = chunkIds(newChunks);
        QVERIFY(!newIds.isEmpty());
        QVERIFY2(!newIds.intersects(oldIds), "chunk ids of the old reading were reused");

        // Keyword search holds exactly the new text: the FTS index agrees with its content, words only
        // the old reading had are not found, and the new reading's words are.
        QVERIFY(check.exec(QStringLiteral("INSERT INTO chunks_fts(chunks_fts) VALUES ('integrity-check')")));
        const QSet<QString> oldWords = words(oldChunks);
        const QSet<QString> newWords = words(newChunks);
        int oldOnly = 0;
        for (const QString &w : oldWords) {
            if (!newWords.contains(w)) {
                ++oldOnly;
                QVERIFY2(!ftsHas(m_lib, w, oldIds) && !ftsHas(m_lib, w, newIds), qPrintable(w));
            }
        }
        QVERIFY(oldOnly >= 1); // the planted word at least
        qInfo() << oldOnly << "words of the old reading are not in the new one;" << oldChunks.size() << "->"
                << newChunks.size() << "chunks";
        QVERIFY(keyword.search(keyword.prepare(garbled), 5).isEmpty());
        for (const QString &w : newWords)
            QVERIFY2(ftsHas(m_lib, w, newIds), qPrintable(w));

        // Vectors: the index, brought in line by the next indexing run, holds the new chunks only.
        QVERIFY(embed(m_lib));
        const auto index = VectorIndex::forEmbedder(m_lib, BuiltinEmbedder().id(), BuiltinEmbedder().dimensions());
        QVERIFY(index->open(CancelToken()));
        for (const qint64 id : oldIds)
            QVERIFY(index->vectorOf(id).empty());
        for (const qint64 id : newIds)
            QVERIFY(!index->vectorOf(id).empty());
        QCOMPARE(index->size(), static_cast<int>(newIds.size() + store.chunks(m_other).size()));

        // Audited, and the chain still verifies.
        QSqlDatabase db = m_lib->connection();
        const QList<AuditEvent> events = auditlog::events(db);
        qsizetype requested = -1;
        for (qsizetype i = 0; i < events.size(); ++i) {
            if (events.at(i).kind == QLatin1String("document.reimport_requested"))
                requested = i;
        }
        QVERIFY(requested >= 0);
        const AuditEvent &e = events.at(requested);
        QCOMPARE(e.subject, QStringLiteral("document:%1").arg(m_mixed));
        QCOMPARE(e.payload.value(QLatin1String("ocr")).toString(), QStringLiteral("every-page"));
        QCOMPARE(e.payload.value(QLatin1String("previous_status")).toString(), QStringLiteral("ready"));
        QCOMPARE(e.payload.value(QLatin1String("chunks")).toInt(), static_cast<int>(oldIds.size()));
        QCOMPARE(e.payload.value(QLatin1String("sha256")).toString(), before.sha256);
        QVERIFY(requested + 1 < events.size());
        QCOMPARE(events.at(requested + 1).kind, QStringLiteral("document.imported"));
        QVERIFY(auditlog::verify(db).intact);
    }

    void rereadsOnlyPagesWithoutTextByDefault()
    {
        DocumentStore store(m_lib);
        // Read last, this document holds the highest chunk ids: the ones SQLite would hand out next.
        const QSet<qint64> oldIds = chunkIds(store.chunks(m_mixed));
        Queue q(m_lib);
        const quint64 job = q.queue.reimport(m_mixed, {});
        QVERIFY(job != 0);
        const auto outcome = q.wait(job);
        QVERIFY(outcome && outcome->result == ImportOutcome::Result::Imported);
        QVERIFY(!chunkIds(store.chunks(m_mixed)).intersects(oldIds));
        QCOMPARE(store.byId(m_mixed)->ocrPages, 4);
        QCOMPARE(store.page(m_mixed, 1)->source, PageSource::TextLayer);
    }

    void forcedOcrSurvivesCancelAndRetry()
    {
        Queue q(m_lib);
        IngestQueue &queue = q.queue;
        connect(&queue, &IngestQueue::progress, this, [&](const ImportProgress &p) {
            if (p.documentId == m_other && p.stage == ImportStage::Reading)
                queue.cancel(p.jobId);
        });
        ImportOptions force;
        force.forceOcr = true;
        const quint64 job = queue.reimport(m_other, force);
        QVERIFY(job != 0);
        const auto cancelled = q.wait(job);
        QVERIFY(cancelled && cancelled->result == ImportOutcome::Result::Cancelled);
        DocumentStore store(m_lib);
        QCOMPARE(store.byId(m_other)->status, DocumentStatus::Failed);
        QVERIFY(store.forcesOcr(m_other));

        QObject::disconnect(&queue, &IngestQueue::progress, this, nullptr);
        const quint64 retried = queue.retry(m_other, {}); // plain options: the mode comes from the library
        const auto outcome = q.wait(retried);
        QVERIFY(outcome && outcome->result == ImportOutcome::Result::Imported);
        const DocumentRecord doc = *store.byId(m_other);
        QCOMPARE(doc.ocrPages, doc.pageCount);
        QVERIFY(!store.forcesOcr(m_other));
        QSqlDatabase db = m_lib->connection();
        QVERIFY(auditlog::verify(db).intact);
    }

    void refusesAMissingDocument()
    {
        IngestQueue queue(m_lib);
        QString error;
        QCOMPARE(queue.reimport(9999, {}, &error), quint64(0));
        QVERIFY(error.contains(QLatin1String("no document")));
    }
};

QTEST_GUILESS_MAIN(TestReimport)
#include "tst_reimport.moc"
