// import, reimport, list, text, remove, classify, audit: thin shells over core services.
#include "commands.h"
#include "governancecommands.h"

#include "audit/auditlog.h"
#include "ingest/ingestqueue.h"
#include "search/builtinembedder.h"
#include "search/embeddingstore.h"
#include "store/documentstore.h"
#include "store/library.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace docsight::cli {
namespace {

QString json(const QJsonValue &value)
{
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented));
    return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented));
}

QJsonObject documentJson(const DocumentRecord &d)
{
    return {{QStringLiteral("id"), d.id},
            {QStringLiteral("name"), d.name},
            {QStringLiteral("sha256"), d.sha256},
            {QStringLiteral("size"), d.size},
            {QStringLiteral("type"), d.type},
            {QStringLiteral("pages"), d.pageCount},
            {QStringLiteral("ocr_pages"), d.ocrPages},
            {QStringLiteral("chunks"), d.chunkCount},
            {QStringLiteral("status"), documentStatusName(d.status)},
            {QStringLiteral("error"), d.error},
            {QStringLiteral("classification"), classificationName(d.classification)},
            {QStringLiteral("original_path"), d.originalPath},
            {QStringLiteral("created_at"), d.createdAt.toString(Qt::ISODate)}};
}

// Resolves DOC to exactly one document, or reports why not.
std::optional<DocumentRecord> resolveOne(DocumentStore &store, const QString &reference, Context &ctx)
{
    const QList<DocumentRecord> matches = store.resolve(reference);
    if (matches.isEmpty()) {
        ctx.err << "docsight-cli: no document '" << reference << "' (use an id or a file name from 'list')\n";
        return std::nullopt;
    }
    if (matches.size() > 1) {
        ctx.err << "docsight-cli: '" << reference << "' names " << matches.size() << " documents; use an id:";
        for (const DocumentRecord &d : matches)
            ctx.err << " " << d.id;
        ctx.err << "\n";
        return std::nullopt;
    }
    return matches.first();
}

QString outcomeDetail(const ImportOutcome &o)
{
    if (o.result != ImportOutcome::Result::Imported)
        return o.error;
    QString detail = QStringLiteral("id=%1 pages=%2 ocr_pages=%3 chunks=%4").arg(o.documentId).arg(o.pages).arg(o.ocrPages).arg(o.chunks);
    if (!o.error.isEmpty())
        detail += QStringLiteral(" (") + o.error + QLatin1Char(')');
    return detail;
}

} // namespace

int importCommand(const Args &args, Context &ctx)
{
    ImportOptions options;
    options.password = args.value(QStringLiteral("--password"));
    if (args.options.contains(QStringLiteral("--classification"))) {
        const auto level = parseClassification(args.value(QStringLiteral("--classification")));
        if (!level) {
            ctx.err << "docsight-cli: classification must be one of " << classificationNames().join(QStringLiteral(", "))
                    << "\n";
            return Usage;
        }
        options.classification = *level;
    }

    IngestQueue queue(ctx.library);
    int failures = 0;
    QJsonArray results;
    QEventLoop loop;
    QObject::connect(&queue, &IngestQueue::finished, &loop, [&](const ImportOutcome &o) {
        const QString result = importResultName(o.result);
        if (o.result == ImportOutcome::Result::Failed || o.result == ImportOutcome::Result::Cancelled)
            ++failures;
        ctx.out << result << "\t" << field(o.path.isEmpty() ? o.name : o.path) << "\t" << field(outcomeDetail(o)) << Qt::endl;
        if (o.result == ImportOutcome::Result::Imported)
            noteClassificationSuggestion(ctx, o.documentId); // PII found: suggests, never changes
        results.append(QJsonObject{{QStringLiteral("result"), result},
                                   {QStringLiteral("id"), o.documentId},
                                   {QStringLiteral("name"), o.name},
                                   {QStringLiteral("path"), o.path},
                                   {QStringLiteral("pages"), o.pages},
                                   {QStringLiteral("ocr_pages"), o.ocrPages},
                                   {QStringLiteral("chunks"), o.chunks},
                                   {QStringLiteral("error"), o.error}});
    });
    // idle() can arrive from a moment between two enqueued paths (the first file done before the
    // folder after it was walked): only an idle queue ends the wait.
    QObject::connect(&queue, &IngestQueue::idle, &loop, [&] { if (queue.isIdle()) loop.quit(); }, Qt::QueuedConnection);

    // Documents an earlier run left half-read are finished first; then the new paths.
    const int resumed = queue.resumeInterrupted(options);
    if (resumed > 0)
        ctx.err << "resuming " << resumed << " interrupted document(s)" << Qt::endl;
    const QList<quint64> jobs = queue.enqueue(args.positional, options);
    if (resumed == 0 && jobs.isEmpty()) {
        if (args.positional.isEmpty()) {
            ctx.err << "docsight-cli: import needs at least one file or folder\n";
            return Usage;
        }
        ctx.err << "docsight-cli: no importable files found\n";
        return Failed;
    }
    if (!queue.isIdle())
        loop.exec();
    if (!indexForSearch(args, ctx))
        ++failures;
    return failures == 0 ? Ok : Failed;
}

int listCommand(const Args &args, Context &ctx)
{
    DocumentStore store(ctx.library);
    const QList<DocumentRecord> docs = store.list();
    // Ready documents whose passages have no vector yet (an import killed before embedding, an embedder
    // switched): keyword search finds them, vector search does not until the next search or GUI start embeds them.
    const EmbeddingStore vectors(ctx.library);
    const QString active = vectors.activeEmbedder();
    const QHash<qint64, int> pending = vectors.pendingByDocument(active.isEmpty() ? BuiltinEmbedder().id() : active);
    if (args.has(QStringLiteral("--json"))) {
        QJsonArray array;
        for (const DocumentRecord &d : docs) {
            QJsonObject o = documentJson(d);
            if (d.status == DocumentStatus::Ready)
                o.insert(QStringLiteral("vectors_pending"), pending.value(d.id));
            array.append(o);
        }
        ctx.out << json(array);
        return Ok;
    }
    if (docs.isEmpty()) {
        ctx.out << "The library is empty. Add documents with: docsight-cli import PATH...\n";
        return Ok;
    }
    for (const DocumentRecord &d : docs) {
        ctx.out << d.id << "\t" << documentStatusName(d.status) << "\t" << classificationName(d.classification) << "\t"
                << d.pageCount << " pages (" << d.ocrPages << " OCR)\t" << d.chunkCount << " chunks\t" << field(d.name);
        if (!d.error.isEmpty())
            ctx.out << "\t" << field(d.error);
        ctx.out << "\n";
    }
    if (!pending.isEmpty()) {
        int passages = 0;
        for (const int n : pending)
            passages += n;
        ctx.err << passages << " passage(s) of " << pending.size()
                << " ready document(s) have no vectors yet: keyword search finds them, search by meaning does not "
                   "until the next search or GUI start embeds them\n";
    }
    return Ok;
}

int textCommand(const Args &args, Context &ctx)
{
    if (args.positional.size() != 1) {
        ctx.err << "usage: docsight-cli text DOC [--page N] [--json]\n";
        return Usage;
    }
    DocumentStore store(ctx.library);
    const auto doc = resolveOne(store, args.positional.first(), ctx);
    if (!doc)
        return Failed;
    QList<PageContent> pages;
    if (args.options.contains(QStringLiteral("--page"))) {
        bool ok = false;
        const int number = args.value(QStringLiteral("--page")).toInt(&ok);
        const auto page = ok ? store.page(doc->id, number) : std::nullopt;
        if (!page) {
            ctx.err << "docsight-cli: " << doc->name << " has no page " << args.value(QStringLiteral("--page"))
                    << " (pages are 1.." << doc->pageCount << ")\n";
            return Failed;
        }
        pages.append(*page);
    } else {
        pages = store.pages(doc->id);
    }
    if (args.has(QStringLiteral("--json"))) {
        QJsonArray array;
        for (const PageContent &p : std::as_const(pages)) {
            QJsonObject o{{QStringLiteral("page"), p.number},
                          {QStringLiteral("source"), pageSourceName(p.source)},
                          {QStringLiteral("text"), p.text},
                          {QStringLiteral("words"), static_cast<int>(p.words.size())}};
            if (p.source == PageSource::Ocr)
                o.insert(QStringLiteral("ocr_confidence"), p.ocrConfidence);
            array.append(o);
        }
        ctx.out << json(QJsonObject{{QStringLiteral("id"), doc->id},
                                    {QStringLiteral("name"), doc->name},
                                    {QStringLiteral("pages"), array}});
        return Ok;
    }
    for (const PageContent &p : std::as_const(pages)) {
        ctx.out << "--- page " << p.number << " (" << pageSourceName(p.source);
        if (p.source == PageSource::Ocr)
            ctx.out << ", confidence " << qRound(p.ocrConfidence);
        ctx.out << ") ---\n" << p.text << "\n";
    }
    return Ok;
}

int removeCommand(const Args &args, Context &ctx)
{
    if (args.positional.size() != 1) {
        ctx.err << "usage: docsight-cli remove DOC\n";
        return Usage;
    }
    DocumentStore store(ctx.library);
    const auto doc = resolveOne(store, args.positional.first(), ctx);
    if (!doc)
        return Failed;
    QString error;
    if (!store.remove(doc->id, &error)) {
        ctx.err << "docsight-cli: cannot remove " << doc->name << ": " << error << "\n";
        return Failed;
    }
    ctx.out << "removed\t" << doc->id << "\t" << field(doc->name) << "\n";
    return Ok;
}

int classifyCommand(const Args &args, Context &ctx)
{
    if (args.positional.size() != 2) {
        ctx.err << "usage: docsight-cli classify DOC LEVEL\n";
        return Usage;
    }
    const auto level = parseClassification(args.positional.at(1));
    if (!level) {
        ctx.err << "docsight-cli: classification must be one of " << classificationNames().join(QStringLiteral(", ")) << "\n";
        return Usage;
    }
    DocumentStore store(ctx.library);
    const auto doc = resolveOne(store, args.positional.first(), ctx);
    if (!doc)
        return Failed;
    QString error;
    if (!store.setClassification(doc->id, *level, &error)) {
        ctx.err << "docsight-cli: cannot classify " << doc->name << ": " << error << "\n";
        return Failed;
    }
    ctx.out << "classified\t" << doc->id << "\t" << field(doc->name) << "\t" << classificationName(*level) << "\n";
    return Ok;
}

int auditCommand(const Args &args, Context &ctx)
{
    if (args.positional.value(0) != QLatin1String("verify") || args.positional.size() != 1) {
        ctx.err << "usage: docsight-cli audit verify\n";
        return Usage;
    }
    QSqlDatabase db = ctx.library->connection();
    const AuditVerification v = auditlog::verify(db);
    if (args.has(QStringLiteral("--json"))) {
        ctx.out << json(QJsonObject{{QStringLiteral("intact"), v.intact},
                                    {QStringLiteral("events"), v.events},
                                    {QStringLiteral("head"), v.headHash},
                                    {QStringLiteral("first_bad_event"), v.firstBadSeq},
                                    {QStringLiteral("problem"), v.problem}});
        return v.intact ? Ok : Failed;
    }
    if (v.intact) {
        ctx.out << v.headHash << "\n";
        ctx.err << "audit trail intact: " << v.events << " events\n";
        return Ok;
    }
    ctx.err << "audit trail BROKEN at event " << v.firstBadSeq << ": " << v.problem << "\n";
    return Failed;
}

int reimportCommand(const Args &args, Context &ctx)
{
    if (args.positional.isEmpty()) {
        ctx.err << "usage: docsight-cli reimport DOC... [--force-ocr] [--ocr-languages eng+deu] [--password PW]\n";
        return Usage;
    }
    ImportOptions options;
    options.password = args.value(QStringLiteral("--password"));
    options.forceOcr = args.has(QStringLiteral("--force-ocr"));
    if (args.options.contains(QStringLiteral("--ocr-languages")))
        options.ocrLanguages = args.value(QStringLiteral("--ocr-languages")).split(QLatin1Char('+'), Qt::SkipEmptyParts);
    DocumentStore store(ctx.library);
    QList<DocumentRecord> docs;
    for (const QString &reference : args.positional) {
        const auto doc = resolveOne(store, reference, ctx);
        if (!doc)
            return Failed;
        docs.append(*doc);
    }

    IngestQueue queue(ctx.library);
    int failures = 0;
    QEventLoop loop;
    QObject::connect(&queue, &IngestQueue::finished, &loop, [&](const ImportOutcome &o) {
        if (o.result != ImportOutcome::Result::Imported)
            ++failures;
        ctx.out << importResultName(o.result) << "\t" << field(o.name) << "\t" << field(outcomeDetail(o)) << Qt::endl;
    });
    // idle() can arrive from a moment between two enqueued paths (the first file done before the
    // folder after it was walked): only an idle queue ends the wait.
    QObject::connect(&queue, &IngestQueue::idle, &loop, [&] { if (queue.isIdle()) loop.quit(); }, Qt::QueuedConnection);
    for (const DocumentRecord &doc : std::as_const(docs)) {
        QString error;
        if (queue.reimport(doc.id, options, &error) == 0) {
            ctx.err << "docsight-cli: cannot read " << doc.name << " again: " << error << "\n";
            ++failures;
        }
    }
    if (!queue.isIdle())
        loop.exec();
    // The dropped passages leave the vector index, the new ones join it.
    if (!indexForSearch(args, ctx))
        ++failures;
    return failures == 0 ? Ok : Failed;
}

} // namespace docsight::cli
