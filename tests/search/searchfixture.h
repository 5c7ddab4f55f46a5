#pragma once
// Shared by the search tests: a library holding the shared PDF corpus, embedded with the built-in
// embedder, and golden-set evaluation.

#include "ingest/ingestqueue.h"
#include "search/builtinembedder.h"
#include "search/hybridretriever.h"
#include "search/indexer.h"
#include "store/library.h"

#include "testsupport.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSignalSpy>

namespace docsight::test {

// Imports paths with the real ingest queue and embeds them; returns an empty string or the problem.
inline QString importAndIndex(const std::shared_ptr<Library> &library, const QStringList &paths,
                              const std::shared_ptr<Embedder> &embedder)
{
    {
        IngestQueue queue(library);
        QSignalSpy idle(&queue, &IngestQueue::idle);
        QStringList failures;
        QObject::connect(&queue, &IngestQueue::finished, &queue, [&](const ImportOutcome &o) {
            if (o.result == ImportOutcome::Result::Failed || o.result == ImportOutcome::Result::Cancelled)
                failures << o.name + QStringLiteral(": ") + o.error;
        });
        queue.enqueue(paths, {});
        if (!queue.isIdle() && idle.isEmpty())
            idle.wait(600000);
        QCoreApplication::processEvents();
        if (!failures.isEmpty())
            return failures.join(QLatin1Char('\n'));
    }
    Indexer indexer(library, embedder);
    QString error;
    if (!indexer.run(&error))
        return error;
    return {};
}

struct GoldenQuestion {
    QString question;
    QString document;
    QSet<int> pages;
};

inline QList<GoldenQuestion> readGoldenSet(const QString &name)
{
    QList<GoldenQuestion> out;
    QFile f(goldenPath(name));
    if (!f.open(QIODevice::ReadOnly))
        return out;
    while (!f.atEnd()) {
        const QByteArray line = f.readLine().trimmed();
        if (line.isEmpty())
            continue;
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        GoldenQuestion q{o.value(QLatin1String("question")).toString(), o.value(QLatin1String("document")).toString(), {}};
        for (const QJsonValue v : o.value(QLatin1String("pages")).toArray())
            q.pages.insert(v.toInt());
        out.append(q);
    }
    return out;
}

struct Metrics {
    double recallAt1 = 0, recallAt5 = 0, recallAt10 = 0, mrr = 0, meanMs = 0;
};

inline Metrics evaluate(const HybridRetriever &retriever, const QList<GoldenQuestion> &set, RetrievalMode mode,
                        bool secondStage = true)
{
    Metrics m;
    RetrievalOptions options;
    options.k = 10;
    options.mode = mode;
    options.secondStage = secondStage;
    for (const GoldenQuestion &q : set) {
        QElapsedTimer timer;
        timer.start();
        const RetrievalResult r = retriever.retrieve(q.question, options);
        m.meanMs += static_cast<double>(timer.nsecsElapsed()) / 1e6;
        int rank = 0;
        for (qsizetype i = 0; i < r.passages.size() && rank == 0; ++i) {
            if (r.passages.at(i).documentName == q.document && q.pages.contains(r.passages.at(i).page))
                rank = static_cast<int>(i + 1);
        }
        m.recallAt1 += rank == 1;
        m.recallAt5 += rank >= 1 && rank <= 5;
        m.recallAt10 += rank >= 1 && rank <= 10;
        m.mrr += rank > 0 ? 1.0 / rank : 0.0;
    }
    const double n = std::max<qsizetype>(1, set.size());
    m.recallAt1 /= n;
    m.recallAt5 /= n;
    m.recallAt10 /= n;
    m.mrr /= n;
    m.meanMs /= n;
    return m;
}

} // namespace docsight::test
