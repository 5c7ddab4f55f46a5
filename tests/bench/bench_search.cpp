// bench_search [CHUNKS] [--keep DIR] [--m M] [--ef-construction N] [--ef-search N]: builds a library of CHUNKS (default 100000) passages cut from the
// shared corpus text at random word boundaries, embeds and indexes it with the built-in embedder,
// then measures query latency (hybrid with and without the second stage, vector, BM25), hnswlib recall@10 against exact search on the
// same vectors, and the process's memory.
#include "ingest/ingestqueue.h"
#include "search/builtinembedder.h"
#include "search/embeddingstore.h"
#include "search/hybridretriever.h"
#include "search/indexer.h"
#include "search/keywordsearch.h"
#include "search/vectorindex.h"
#include "store/documentstore.h"
#include "store/library.h"

#include "testsupport.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QThreadPool>

using namespace docsight;

namespace {

constexpr int kChunksPerDocument = 1000;
constexpr int kQueries = 200;

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
    return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

QString procStatus(const char *field)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return QStringLiteral("?");
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(field))
            return QString::fromLatin1(line.mid(static_cast<qsizetype>(qstrlen(field)))).simplified();
    }
    return QStringLiteral("?");
}

// Every word of the born-digital corpus PDFs, in reading order.
QStringList corpusWords(const QString &scratch)
{
    const auto lib = Library::open(scratch, nullptr);
    {
        IngestQueue queue(lib);
        QSignalSpy idle(&queue, &IngestQueue::idle);
        queue.enqueue(test::corpusFiles(QStringLiteral("pdf")), {});
        if (!queue.isIdle() && idle.isEmpty())
            idle.wait(600000);
    }
    QString all;
    DocumentStore store(lib);
    for (const DocumentRecord &d : store.list()) {
        for (const PageContent &p : store.pages(d.id))
            all += p.text + QLatin1Char('\n');
    }
    static const QRegularExpression space(QStringLiteral("\\s+"));
    return all.split(space, Qt::SkipEmptyParts);
}

void print(const char *label, const std::vector<double> &ms)
{
    std::printf("  %-10s p50 %7.2f ms   p95 %7.2f ms   max %7.2f ms\n", label, percentile(ms, 0.5), percentile(ms, 0.95),
                percentile(ms, 1.0));
}

// CPU time of the calling thread: what a query costs when it does not have to wait for a core
// (a shared build machine makes wall-clock times noisy).
double threadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QThreadPool::globalInstance()->setExpiryTimeout(-1);
    QLoggingCategory::setFilterRules(QStringLiteral("docsight.*.debug=false\ndocsight.*.info=false"));
    const QStringList args = app.arguments().mid(1);
    int chunks = 100000;
    QString keep;
    int m = 0;
    int efConstruction = 0;
    int efSearch = 0;
    for (qsizetype i = 0; i < args.size(); ++i) {
        if (args.at(i) == QLatin1String("--keep") && i + 1 < args.size())
            keep = args.at(++i);
        else if (args.at(i) == QLatin1String("--m") && i + 1 < args.size())
            m = args.at(++i).toInt();
        else if (args.at(i) == QLatin1String("--ef-construction") && i + 1 < args.size())
            efConstruction = args.at(++i).toInt();
        else if (args.at(i) == QLatin1String("--ef-search") && i + 1 < args.size())
            efSearch = args.at(++i).toInt();
        else
            chunks = std::max(1000, args.at(i).toInt());
    }
    QTemporaryDir tmp;
    const QString folder = keep.isEmpty() ? tmp.filePath(QStringLiteral("lib")) : keep;
    QRandomGenerator random(20261128);

    const QStringList words = corpusWords(tmp.filePath(QStringLiteral("scratch")));
    std::printf("corpus: %lld words of real text\n", static_cast<long long>(words.size()));
    if (words.size() < 1000)
        return 1;

    QString error;
    const auto lib = Library::open(folder, &error);
    if (!lib) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    DocumentStore store(lib);
    QElapsedTimer timer;
    timer.start();
    // A kept library from an earlier run is reused as it is (to measure queries only).
    int made = EmbeddingStore(lib).chunkCount();
    const bool reused = made > 0;
    for (int doc = 0; made < chunks && !reused; ++doc) {
        DocumentRecord record;
        record.name = QStringLiteral("bench-%1.pdf").arg(doc, 4, 10, QLatin1Char('0'));
        record.originalPath = record.name;
        record.sha256 = QString::number(doc).rightJustified(64, QLatin1Char('0'));
        record.type = QStringLiteral("pdf");
        record.storedFile = QStringLiteral("files/none");
        const qint64 id = store.add(record);
        QList<Chunk> list;
        for (int i = 0; i < kChunksPerDocument && made < chunks; ++i, ++made) {
            // About 1000 characters: a few runs of real text from random places. The words and
            // phrases repeat across the library, but no two passages are the same, as in a
            // library of related documents.
            QStringList parts;
            int length = 0;
            const int target = 140 + static_cast<int>(random.bounded(60));
            while (length < target) {
                const int run = 15 + static_cast<int>(random.bounded(30));
                const int start = static_cast<int>(random.bounded(static_cast<int>(words.size() - run)));
                parts << words.mid(start, run).join(QLatin1Char(' '));
                length += run;
            }
            Chunk c;
            c.ordinal = i;
            c.page = i / 4 + 1;
            c.text = parts.join(QStringLiteral(". "));
            c.charEnd = static_cast<int>(c.text.size());
            list.append(c);
        }
        store.markImporting(id, kChunksPerDocument / 4);
        if (!store.complete(id, list, {}, &error)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
    }
    const double storeSeconds = static_cast<double>(timer.elapsed()) / 1000.0;

    auto embedder = std::make_shared<BuiltinEmbedder>();
    // Held while building, so the graph parameters stay with the one shared index object.
    auto index = VectorIndex::forEmbedder(lib, embedder->id(), embedder->dimensions());
    {
        auto p = index->parameters();
        p.m = m > 0 ? m : p.m;
        p.efConstruction = efConstruction > 0 ? efConstruction : p.efConstruction;
        p.efSearch = efSearch > 0 ? efSearch : p.efSearch;
        index->setParameters(p);
    }
    timer.restart();
    {
        Indexer indexer(lib, embedder);
        indexer.setBatchSize(1024);
        if (!indexer.run(&error)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
    }
    const double indexSeconds = static_cast<double>(timer.elapsed()) / 1000.0;
    std::printf("library: %d chunks; stored with FTS5 in %.1f s; embedded + HNSW built in %.1f s%s\n", made, storeSeconds,
                indexSeconds, reused ? " (kept library reused)" : "");
    std::printf("memory after building: RSS %s\n", qPrintable(procStatus("VmRSS:")));

    // Open the saved index as a fresh process would: nothing holds it now, so the retriever
    // checks it against SQLite, verifies its SHA-256 and loads it.
    index.reset();
    timer.restart();
    HybridRetriever retriever(lib, {embedder});
    if (!retriever.prepare({}, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    index = VectorIndex::forEmbedder(lib, embedder->id(), embedder->dimensions());
    std::printf("open (check SQLite, verify SHA-256, load the saved index): %.2f s (%s)\n",
                static_cast<double>(timer.elapsed()) / 1000.0,
                index->lastOpenAction() == VectorIndex::OpenAction::Loaded ? "loaded" : qPrintable(index->lastOpenReason()));
    if (efSearch > 0) {
        auto p = index->parameters();
        p.efSearch = efSearch;
        index->setParameters(p);
    }

    // Questions: the golden ones plus word runs from random passages, shuffled into questions.
    QStringList questions;
    for (const QString &set : {QStringLiteral("r-intro.jsonl"), QStringLiteral("r-intro-paraphrased.jsonl")}) {
        QFile f(test::goldenPath(set));
        if (f.open(QIODevice::ReadOnly)) {
            for (const QByteArray &line : f.readAll().split('\n')) {
                if (!line.trimmed().isEmpty())
                    questions << QJsonDocument::fromJson(line).object().value(QLatin1String("question")).toString();
            }
        }
    }
    while (questions.size() < kQueries) {
        const int start = static_cast<int>(random.bounded(static_cast<int>(words.size() - 12)));
        questions << QStringLiteral("How does ") + words.mid(start, 4 + static_cast<int>(random.bounded(8))).join(QLatin1Char(' '))
                + QStringLiteral(" work?");
    }

    std::printf("query latency over %lld questions (k = 10, 100 candidates per ranking):\n",
                static_cast<long long>(questions.size()));
    // "hybrid" includes the second stage (PassageRanker over the best 50 fused candidates);
    // "1st stage" is the same fused search without it, so the stage's own cost is the difference.
    struct Config {
        const char *label;
        RetrievalMode mode;
        bool secondStage;
    };
    std::vector<double> withStage;
    std::vector<double> withoutStage;
    for (const Config &config : {Config{"hybrid", RetrievalMode::Hybrid, true}, Config{"1st stage", RetrievalMode::Hybrid, false},
                                 Config{"vector", RetrievalMode::Vector, true}, Config{"bm25", RetrievalMode::Keyword, true}}) {
        const char *label = config.label;
        RetrievalOptions options;
        options.mode = config.mode;
        options.secondStage = config.secondStage;
        for (int i = 0; i < 10; ++i)
            retriever.retrieve(questions.at(i), options); // warm caches
        std::vector<double> ms;
        std::vector<double> cpu;
        for (const QString &q : std::as_const(questions)) {
            QElapsedTimer t;
            t.start();
            const double c0 = threadCpuMs();
            retriever.retrieve(q, options);
            cpu.push_back(threadCpuMs() - c0);
            ms.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
        }
        print(label, ms);
        print("  (cpu)", cpu);
        if (config.mode == RetrievalMode::Hybrid)
            (config.secondStage ? withStage : withoutStage) = ms;
    }
    {
        std::vector<double> stage;
        for (size_t i = 0; i < withStage.size() && i < withoutStage.size(); ++i)
            stage.push_back(withStage[i] - withoutStage[i]);
        print("2nd stage alone (hybrid minus 1st stage, per question)", stage);
    }

    // hnswlib against brute force on the very same vectors. A neighbour counts as found when its
    // exact score is at least the tenth best exact score (ties between near-copies are not misses).
    double found = 0;
    double wanted = 0;
    std::vector<double> annMs;
    std::vector<double> exactMs;
    for (const QString &q : std::as_const(questions)) {
        const std::vector<float> v = embedder->embedOne(q);
        QElapsedTimer t;
        t.start();
        const auto approximate = index->search(v, 10);
        annMs.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
        t.restart();
        const auto exact = index->searchExact(v, 10);
        exactMs.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
        if (exact.isEmpty())
            continue;
        const float threshold = exact.last().score - 1e-6f;
        wanted += static_cast<double>(exact.size());
        for (const VectorHit &h : approximate)
            found += h.score >= threshold ? 1 : 0;
    }
    const auto p = index->parameters();
    std::printf("hnswlib recall@10 vs exact: %.4f (efSearch %d; %d vectors of %d dims; graph parameters in %s)\n",
                wanted > 0 ? found / wanted : 0.0, p.efSearch, index->size(), index->dimensions(),
                qPrintable(index->manifestPath()));
    print("hnsw", annMs);
    print("exact", exactMs);
    // The trade-off behind efSearch.
    for (const int ef : {40, 80, 160, 320, 640, 1280}) {
        auto q = p;
        q.efSearch = ef;
        index->setParameters(q);
        double hit = 0;
        double all = 0;
        std::vector<double> ms;
        for (const QString &question : std::as_const(questions)) {
            const std::vector<float> v = embedder->embedOne(question);
            QElapsedTimer t;
            t.start();
            const auto approximate = index->search(v, 10);
            ms.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
            const auto exact = index->searchExact(v, 10);
            if (exact.isEmpty())
                continue;
            all += static_cast<double>(exact.size());
            for (const VectorHit &h : approximate)
                hit += h.score >= exact.last().score - 1e-6f ? 1 : 0;
        }
        std::printf("  efSearch %4d: recall@10 %.4f, p50 %.2f ms, p95 %.2f ms\n", ef, all > 0 ? hit / all : 0.0,
                    percentile(ms, 0.5), percentile(ms, 0.95));
    }
    index->setParameters(p);
    std::printf("memory after the queries: RSS %s, peak %s\n", qPrintable(procStatus("VmRSS:")),
                qPrintable(procStatus("VmHWM:")));
    return 0;
}
