// search, eval, and the indexing step after import: thin shells over core/search.
#include "commands.h"

#include "util/diskspace.h"

#include "governance/embeddinggate.h"
#include "governance/policygate.h"
#include "llm/askservice.h"
#include "llm/extractiveanswerer.h"
#include "search/bm25floor.h"
#include "search/builtinembedder.h"
#include "search/embeddingstore.h"
#include "search/hybridretriever.h"
#include "search/indexer.h"
#include "search/openaiembedder.h"
#include "search/vectorindex.h"
#include "store/documentstore.h"
#include "store/library.h"

#include <algorithm>
#include <cmath>

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSet>

namespace docsight::cli {
namespace {

struct Embedders {
    std::shared_ptr<Embedder> chosen;          // what --embedder asked for (built-in by default)
    QList<std::shared_ptr<Embedder>> all;      // every embedder search may find the library indexed with
    bool explicitChoice = false;
    QString error;
    // The HTTP embedder's address and what the policy makes of it: a cloud one is gated (embeddingGateFor).
    std::shared_ptr<Embedder> http;
    QUrl httpUrl;
    TrustDecision httpTrust;
};

Embedders makeEmbedders(const Args &args, const Context &ctx)
{
    Embedders e;
    const auto builtin = std::make_shared<BuiltinEmbedder>();
    e.all.append(builtin);
    e.chosen = builtin;
    const QString name = args.value(QStringLiteral("--embedder"), QStringLiteral("builtin"));
    e.explicitChoice = args.options.contains(QStringLiteral("--embedder"));
    if (name == QLatin1String("builtin"))
        return e;
    if (name != QLatin1String("openai-compatible")) {
        e.error = QStringLiteral("--embedder must be builtin or openai-compatible");
        return e;
    }
    OpenAiEmbedderSettings settings;
    settings.baseUrl = QUrl(args.value(QStringLiteral("--base-url")));
    settings.model = args.value(QStringLiteral("--model"));
    if (!settings.baseUrl.isValid() || settings.baseUrl.scheme().isEmpty() || settings.model.isEmpty()) {
        e.error = QStringLiteral("--embedder openai-compatible needs --base-url URL (e.g. http://localhost:11434/v1) "
                                 "and --model NAME");
        return e;
    }
    // Keys come from the environment only, never from the command line (it shows in process lists).
    settings.apiKey = qEnvironmentVariable("DOCSIGHT_EMBEDDINGS_API_KEY", qEnvironmentVariable("OPENAI_API_KEY"));
    auto http = std::make_shared<OpenAiEmbedder>(settings);
    // The id names the dimensions, so learn them before anything is stored under it.
    if (const QString error = http->probeDimensions({}); !error.isEmpty()) {
        e.error = QStringLiteral("the embedding server cannot be used: %1").arg(error);
        return e;
    }
    e.all.append(http);
    e.chosen = http;
    e.http = http;
    e.httpUrl = settings.baseUrl;
    e.httpTrust = assessTrust({QStringLiteral("openai-compatible"), settings.baseUrl, true},
                              GovernancePolicy::load(*ctx.library));
    return e;
}

// Indexes have an open (verified) vector index in hand when the indexer is done; holding it lets the
// retriever that follows use it, instead of hashing the whole index file a second time (seconds for
// a large library).
using HeldIndexes = QList<std::shared_ptr<VectorIndex>>;

bool runIndexer(const std::shared_ptr<Library> &library, const std::shared_ptr<Embedder> &embedder,
                const Embedders &embedders, Context &ctx, HeldIndexes *held)
{
    if (held)
        held->append(VectorIndex::forEmbedder(library, embedder->id(), embedder->dimensions()));
    Indexer indexer(library, embedder);
    const bool gated = embedder == embedders.http && embedders.httpTrust.trust == ProviderTrust::Cloud;
    if (gated)
        indexer.setGate(embeddingGateFor(embedders.httpTrust, GovernancePolicy::load(*library)));
    // Whatever happens below, what was sent off this computer is on the audit trail.
    const auto audit = qScopeGuard([&] {
        if (!gated)
            return;
        QString error;
        if (!auditEmbeddingRun(*library, embedder->id(), embedders.httpUrl, embedders.httpTrust, indexer.stats(),
                               &error))
            ctx.err << "docsight-cli: the audit trail could not record the embedding run: " << error << "\n";
        const IndexerStats stats = indexer.stats();
        if (stats.withheld > 0)
            ctx.err << "withheld " << stats.withheld << " Restricted passage(s) from " << embedder->id() << " ("
                    << embedders.httpTrust.reason << "); search finds them by keyword\n";
        if (stats.prepared > 0)
            ctx.err << "redacted personal data in " << stats.prepared << " passage(s) before embedding\n";
    });
    int total = 0;
    QObject::connect(&indexer, &Indexer::progress, [&](int done, int all) {
        total = all;
        if (all >= 2000 && done < all && done % 2048 < 128)
            ctx.err << "embedding passages with " << embedder->id() << ": " << done << "/" << all << Qt::endl;
    });
    QString error;
    if (!indexer.run(&error)) {
        if (const QString full = diskFullReason(error, library->rootPath()); !full.isEmpty())
            error = full;
        ctx.err << "docsight-cli: passages could not be embedded with " << embedder->id() << ": " << error
                << " (keyword search still works)\n";
        return false;
    }
    if (total > 0)
        ctx.err << "embedded " << total << " passage(s) with " << embedder->id() << Qt::endl;
    return true;
}

// Makes sure search has vectors: the library's active embedder (when configured here) first, so
// search stays complete, then the one asked for with --embedder, which becomes active once done.
bool ensureIndexed(const std::shared_ptr<Library> &library, const Embedders &embedders, Context &ctx,
                   HeldIndexes *held = nullptr)
{
    if (library->isReadOnly())
        return true; // nothing can be embedded into it: search uses the vectors it has
    const QString active = EmbeddingStore(library).activeEmbedder();
    QList<std::shared_ptr<Embedder>> targets;
    for (const auto &e : embedders.all) {
        if (e->id() == active)
            targets.append(e);
    }
    if ((embedders.explicitChoice || active.isEmpty()) && !targets.contains(embedders.chosen))
        targets.append(embedders.chosen);
    bool ok = true;
    for (const auto &e : std::as_const(targets))
        ok = runIndexer(library, e, embedders, ctx, held) && ok;
    return ok;
}

bool parseCommon(const Args &args, Context &ctx, RetrievalOptions *options, int defaultK)
{
    bool ok = true;
    options->k = args.value(QStringLiteral("--k"), QString::number(defaultK)).toInt(&ok);
    if (!ok || options->k < 1 || options->k > 1000) {
        ctx.err << "docsight-cli: --k must be a number from 1 to 1000\n";
        return false;
    }
    const auto mode = parseRetrievalMode(args.value(QStringLiteral("--mode"), QStringLiteral("hybrid")));
    if (!mode) {
        ctx.err << "docsight-cli: --mode must be hybrid, bm25 or vector\n";
        return false;
    }
    options->mode = *mode;
    options->secondStage = !args.has(QStringLiteral("--no-rerank"));
    options->documentIds = resolveDocuments(ctx, args.value(QStringLiteral("--docs")), &ok);
    return ok;
}

QString snippet(const QString &text, int length)
{
    static const QRegularExpression spaces(QStringLiteral("\\s+"));
    QString s = text;
    s.replace(spaces, QStringLiteral(" "));
    s = s.trimmed();
    return s.size() > length ? s.left(length - 1) + QChar(0x2026) : s;
}

QJsonObject passageJson(const RetrievedPassage &p)
{
    return {{QStringLiteral("document"), p.documentName},
            {QStringLiteral("page"), p.page},
            {QStringLiteral("text"), p.text},
            {QStringLiteral("score"), p.score},
            {QStringLiteral("document_id"), p.documentId},
            {QStringLiteral("chunk_id"), p.chunkId},
            {QStringLiteral("heading"), p.heading},
            {QStringLiteral("char_start"), p.charStart},
            {QStringLiteral("char_end"), p.charEnd},
            {QStringLiteral("first_word"), p.firstWord},
            {QStringLiteral("word_count"), p.wordCount},
            {QStringLiteral("bm25_rank"), p.keywordRank},
            {QStringLiteral("bm25_score"), p.keywordScore},
            {QStringLiteral("vector_rank"), p.vectorRank},
            {QStringLiteral("vector_score"), p.vectorScore},
            {QStringLiteral("rank_score"), p.rankScore}};
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0.0;
    std::sort(values.begin(), values.end());
    // Nearest rank: the smallest value with at least p of the samples at or below it.
    const auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(values.size())));
    return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

// Lower-cased, every run of whitespace one space, trimmed: an answer that wraps a figure across a line
// still contains it.
QString normalisedForContains(const QString &text)
{
    return text.simplified().toLower();
}

// Recall at 1, 5 and 10 and MRR, summed over questions from the rank of the first passage on an
// expected page (0: none in the results).
struct RankTally {
    double hits1 = 0, hits5 = 0, hits10 = 0, reciprocal = 0;

    void add(int rank)
    {
        hits1 += rank == 1;
        hits5 += rank >= 1 && rank <= 5;
        hits10 += rank >= 1 && rank <= 10;
        reciprocal += rank > 0 ? 1.0 / rank : 0.0;
    }
};

// The embedders --embedder chooses, with what import added embedded and their indexes held open for
// the command's queries; false, having said why, when the choice is unusable.
bool prepareSearch(const Args &args, Context &ctx, Embedders *embedders, HeldIndexes *held)
{
    *embedders = makeEmbedders(args, ctx);
    if (!embedders->error.isEmpty()) {
        ctx.err << "docsight-cli: " << embedders->error << "\n";
        return false;
    }
    ensureIndexed(ctx.library, *embedders, ctx, held);
    return true;
}

} // namespace

std::optional<QList<qint64>> resolveDocuments(const Context &ctx, const QString &list, bool *ok)
{
    *ok = true;
    if (list.isEmpty())
        return std::nullopt;
    DocumentStore store(ctx.library);
    QList<qint64> ids;
    const QStringList references = list.split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString &reference : references) {
        const QList<DocumentRecord> matches = store.resolve(reference.trimmed());
        if (matches.size() != 1) {
            ctx.err << "docsight-cli: " << (matches.isEmpty() ? "no document '" : "several documents named '")
                    << reference.trimmed() << "' (use an id from 'list')\n";
            *ok = false;
            return std::nullopt;
        }
        ids.append(matches.first().id);
    }
    return ids;
}

bool indexForSearch(const Args &args, Context &ctx)
{
    const Embedders embedders = makeEmbedders(args, ctx);
    if (!embedders.error.isEmpty()) {
        ctx.err << "docsight-cli: " << embedders.error << " (keyword search still works)\n";
        return false;
    }
    return ensureIndexed(ctx.library, embedders, ctx);
}

int searchCommand(const Args &args, Context &ctx)
{
    if (args.positional.isEmpty()) {
        ctx.err << "usage: docsight-cli search QUERY [--k N] [--docs DOC,...] [--mode hybrid|bm25|vector] [--json]\n";
        return Usage;
    }
    RetrievalOptions options;
    if (!parseCommon(args, ctx, &options, 10))
        return Usage;
    Embedders embedders;
    HeldIndexes held;
    if (!prepareSearch(args, ctx, &embedders, &held))
        return Usage;
    HybridRetriever retriever(ctx.library, embedders.all);
    const RetrievalResult result = retriever.retrieve(args.positional.join(QLatin1Char(' ')), options);
    if (!result.message.isEmpty())
        ctx.err << result.message << "\n";
    if (args.has(QStringLiteral("--json"))) {
        QJsonArray results;
        for (const RetrievedPassage &p : result.passages)
            results.append(passageJson(p));
        QJsonObject out{{QStringLiteral("results"), results},
                        {QStringLiteral("mode"), retrievalModeName(options.mode)},
                        {QStringLiteral("embedder"), result.embedderId}};
        if (!result.message.isEmpty())
            out.insert(QStringLiteral("message"), result.message);
        ctx.out << QString::fromUtf8(QJsonDocument(out).toJson(QJsonDocument::Indented));
        return Ok;
    }
    int rank = 0;
    for (const RetrievedPassage &p : result.passages) {
        ctx.out << ++rank << "\t" << QString::number(p.score, 'g', 4) << "\t" << p.documentName << "\tp. " << p.page
                << "\t" << snippet(p.text, 160) << "\n";
    }
    return Ok;
}

int evalCommand(const Args &args, Context &ctx)
{
    if (args.positional.size() != 1) {
        ctx.err << "usage: docsight-cli eval SET.jsonl [--k N] [--mode hybrid|bm25|vector] [--json]\n";
        return Usage;
    }
    RetrievalOptions options;
    if (!parseCommon(args, ctx, &options, 10))
        return Usage;
    const int reportK = options.k;
    options.k = std::max(10, options.k); // recall@10 needs ten results whatever --k says
    QFile file(args.positional.first());
    if (!file.open(QIODevice::ReadOnly)) {
        ctx.err << "docsight-cli: cannot read " << args.positional.first() << "\n";
        return Failed;
    }
    struct Question {
        QString text;
        QString document;
        QSet<int> pages;
        QString id;
        std::optional<QString> answerContains; // only questions that have it count for answer_contains

        bool expects(const QString &documentName, int page) const
        {
            return documentName == document && pages.contains(page);
        }
    };
    QList<Question> questions;
    int lineNumber = 0;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        ++lineNumber;
        if (line.isEmpty())
            continue;
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        Question q{o.value(QLatin1String("question")).toString(), o.value(QLatin1String("document")).toString(), {},
                   o.value(QLatin1String("id")).toString(QString::number(lineNumber)), {}};
        for (const QJsonValue v : o.value(QLatin1String("pages")).toArray())
            q.pages.insert(v.toInt());
        if (q.text.isEmpty() || q.document.isEmpty() || q.pages.isEmpty()) {
            ctx.err << "docsight-cli: " << args.positional.first() << ":" << lineNumber
                    << ": each line needs question, document and pages\n";
            return Usage;
        }
        if (const QJsonValue expected = o.value(QLatin1String("answer_contains")); expected.isString())
            q.answerContains = expected.toString();
        questions.append(q);
    }
    if (questions.isEmpty()) {
        ctx.err << "docsight-cli: " << args.positional.first() << " has no questions\n";
        return Usage;
    }
    Embedders embedders;
    HeldIndexes held;
    if (!prepareSearch(args, ctx, &embedders, &held))
        return Usage;
    const auto retriever = std::make_shared<HybridRetriever>(ctx.library, embedders.all);
    retriever->prepare({}); // opening the index is not a query's latency

    // The floor searches what Docsight searches (the same documents), so the two numbers differ only by
    // how well each ranks.
    Bm25Floor bm25Floor(ctx.library);
    if (QString error; !bm25Floor.build(options.documentIds, &error)) {
        ctx.err << "docsight-cli: the BM25 floor could not be built: " << error << "\n";
        return Failed;
    }
    // Offline answers go through the same path as 'ask' (policy gate, prompt, citation resolver) over the
    // passages eval just retrieved, but record nothing: eval only reads the library.
    AskService answers(ctx.library, retriever, std::make_shared<ExtractiveAnswerer>());
    // --features: the second stage's features of every candidate it weighed, one row each with
    // whether it is on an expected page, for scripts/train_ranker.py.
    std::unique_ptr<QFile> features;
    QTextStream featureRows;
    if (args.options.contains(QStringLiteral("--features"))) {
        features = std::make_unique<QFile>(args.value(QStringLiteral("--features")));
        if (!features->open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
            ctx.err << "docsight-cli: cannot write " << features->fileName() << "\n";
            return Failed;
        }
        featureRows.setDevice(features.get());
        featureRows << "question\tchunk\tdocument\tpage\trelevant";
        for (int i = 0; i < PassageRanker::FeatureCount; ++i)
            featureRows << "\t" << PassageRanker::featureName(i);
        featureRows << "\n";
        options.collectFeatures = true;
    }

    std::vector<double> latencies;
    RankTally docsight;
    RankTally floorTally;
    double hitsK = 0;
    int citesExpected = 0;
    int contains = 0;
    int containsCounted = 0;
    QJsonArray details;
    for (const Question &q : std::as_const(questions)) {
        QElapsedTimer timer;
        timer.start();
        const RetrievalResult result = retriever->retrieve(q.text, options);
        latencies.push_back(static_cast<double>(timer.nsecsElapsed()) / 1e6);
        for (const RankedCandidate &c : result.ranked) {
            const bool relevant = c.documentName == q.document && q.pages.contains(c.page);
            featureRows << q.id << "\t" << c.chunkId << "\t" << c.documentName << "\t" << c.page << "\t" << (relevant ? 1 : 0);
            for (const double f : c.features)
                featureRows << "\t" << QString::number(f, 'g', 6);
            featureRows << "\n";
        }
        int rank = 0;
        for (qsizetype i = 0; i < result.passages.size(); ++i) {
            const RetrievedPassage &p = result.passages.at(i);
            if (q.expects(p.documentName, p.page)) {
                rank = static_cast<int>(i + 1);
                break;
            }
        }
        docsight.add(rank);
        hitsK += rank >= 1 && rank <= reportK;

        int floorRank = 0;
        const QList<FloorHit> floorHits = bm25Floor.search(q.text, 10);
        for (qsizetype i = 0; i < floorHits.size(); ++i) {
            if (q.expects(floorHits.at(i).document, floorHits.at(i).page)) {
                floorRank = static_cast<int>(i + 1);
                break;
            }
        }
        floorTally.add(floorRank);

        AskRequest request;
        request.question = q.text;
        request.retrieval = options;
        request.retrieval.k = kAskDefaultK;
        request.record = false;
        const Answer answer = answers.answerFrom(request, result.passages.mid(0, kAskDefaultK));
        const bool cites = std::any_of(answer.citations.cbegin(), answer.citations.cend(),
                                       [&](const Citation &c) { return q.expects(c.document, c.page); });
        citesExpected += cites;
        QJsonValue containsValue; // null: the question names nothing the answer should contain
        if (q.answerContains) {
            const bool found = normalisedForContains(answer.text).contains(normalisedForContains(*q.answerContains));
            ++containsCounted;
            contains += found;
            containsValue = found;
        }
        QJsonArray cited;
        for (const Citation &c : answer.citations)
            cited.append(QJsonObject{{QStringLiteral("document"), c.document}, {QStringLiteral("page"), c.page}});
        details.append(QJsonObject{{QStringLiteral("question"), q.text},
                                   {QStringLiteral("rank"), rank},
                                   {QStringLiteral("floor_rank"), floorRank},
                                   {QStringLiteral("answer_cites_expected"), cites},
                                   {QStringLiteral("answer_contains"), containsValue},
                                   {QStringLiteral("answer"), answer.text},
                                   {QStringLiteral("answer_cites"), cited}});
    }
    const double count = static_cast<double>(questions.size());
    double mean = 0;
    for (const double l : latencies)
        mean += l;
    mean /= count;
    const double p95 = percentile(latencies, 0.95);
    const double citesShare = citesExpected / count;
    // Over the questions that name what the answer should contain; none: not measured (null, "n/a").
    const double containsShare = containsCounted > 0 ? static_cast<double>(contains) / containsCounted : 0.0;
    if (args.has(QStringLiteral("--json"))) {
        const QJsonObject floorJson{{QStringLiteral("recall_at_1"), floorTally.hits1 / count},
                                    {QStringLiteral("recall_at_5"), floorTally.hits5 / count},
                                    {QStringLiteral("recall_at_10"), floorTally.hits10 / count},
                                    {QStringLiteral("mrr"), floorTally.reciprocal / count}};
        const QJsonObject out{{QStringLiteral("recall_at_1"), docsight.hits1 / count},
                              {QStringLiteral("recall_at_5"), docsight.hits5 / count},
                              {QStringLiteral("recall_at_10"), docsight.hits10 / count},
                              {QStringLiteral("recall_at_k"), hitsK / count},
                              {QStringLiteral("k"), reportK},
                              {QStringLiteral("mrr"), docsight.reciprocal / count},
                              {QStringLiteral("latency_ms_mean"), mean},
                              {QStringLiteral("latency_ms_p95"), p95},
                              {QStringLiteral("questions"), static_cast<int>(questions.size())},
                              {QStringLiteral("mode"), retrievalModeName(options.mode)},
                              {QStringLiteral("floor"), floorJson},
                              {QStringLiteral("answer_cites_expected"), citesShare},
                              {QStringLiteral("answer_contains"), containsCounted > 0 ? QJsonValue(containsShare) : QJsonValue()},
                              {QStringLiteral("answer_contains_questions"), containsCounted},
                              {QStringLiteral("details"), details}};
        ctx.out << QString::fromUtf8(QJsonDocument(out).toJson(QJsonDocument::Indented));
        return Ok;
    }
    const auto share = [](double value) { return QString::number(value, 'f', 3); };
    ctx.out << "questions\t" << questions.size() << "\n"
            << "mode\t" << retrievalModeName(options.mode) << "\n"
            << "recall@1\t" << share(docsight.hits1 / count) << "\n"
            << "recall@5\t" << share(docsight.hits5 / count) << "\n"
            << "recall@10\t" << share(docsight.hits10 / count) << "\n";
    if (reportK != 1 && reportK != 5 && reportK != 10)
        ctx.out << "recall@" << reportK << "\t" << share(hitsK / count) << "\n";
    ctx.out << "mrr\t" << share(docsight.reciprocal / count) << "\n"
            << "latency_ms_mean\t" << QString::number(mean, 'f', 2) << "\n"
            << "latency_ms_p95\t" << QString::number(p95, 'f', 2) << "\n"
            << "floor_recall@1\t" << share(floorTally.hits1 / count) << "\n"
            << "floor_recall@5\t" << share(floorTally.hits5 / count) << "\n"
            << "floor_recall@10\t" << share(floorTally.hits10 / count) << "\n"
            << "floor_mrr\t" << share(floorTally.reciprocal / count) << "\n"
            << "answer_cites_expected\t" << share(citesShare) << "\n"
            << "answer_contains\t" << (containsCounted > 0 ? share(containsShare) : QStringLiteral("n/a")) << "\n"
            << "answer_contains_questions\t" << containsCounted << "\n";
    return Ok;
}

} // namespace docsight::cli
