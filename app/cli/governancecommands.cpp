// usage, extract, export-report, feedback, conversations, policy: thin shells over core/governance,
// core/llm key-fact extraction and core/report.
#include "governancecommands.h"

#include "governance/policygate.h"
#include "governance/secretstore.h"
#include "governance/usagemeter.h"
#include "llm/chatprovider.h"
#include "llm/keyfactextractor.h"
#include "llm/providerfactory.h"
#include "report/auditreport.h"
#include "store/messagestore.h"
#include "store/documentstore.h"
#include "store/library.h"

#include <cstring>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace docsight::cli {
namespace {

using namespace std::chrono_literals;

void printJson(Context &ctx, const QJsonObject &o)
{
    ctx.out << QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented));
}

QString money(double usd)
{
    return QStringLiteral("$") + QString::number(usd, 'f', usd != 0.0 && usd < 1.0 ? 4 : 2);
}

// "2024-03-01" is local midnight; an end date includes its whole day. Full ISO date-times are taken as given.
std::optional<QDateTime> parseWhen(const QString &text, bool end)
{
    const QDate day = QDate::fromString(text, Qt::ISODate);
    if (day.isValid())
        return QDateTime(end ? day.addDays(1) : day, QTime(0, 0), Qt::LocalTime).toUTC();
    const QDateTime at = QDateTime::fromString(text, Qt::ISODate);
    if (at.isValid())
        return at.toUTC();
    return std::nullopt;
}

std::optional<DocumentRecord> resolveOne(Context &ctx, const QString &reference)
{
    const QList<DocumentRecord> matches = DocumentStore(ctx.library).resolve(reference);
    if (matches.size() == 1)
        return matches.constFirst();
    ctx.err << "docsight-cli: " << (matches.isEmpty() ? "no document '" : "several documents named '") << reference
            << "' (use an id from 'list')\n";
    return std::nullopt;
}

// The provider for extract, as ask builds it: key from the environment or the keychain.
std::shared_ptr<ChatProvider> extractionProvider(const Args &args, Context &ctx, ProviderKind kind, const HttpChatSettings &base,
                                                 bool *failed)
{
    HttpChatSettings settings = base;
    *failed = false;
    if (providerTakesKey(kind)) {
        const SecretStore keys;
        const QString name = providerKindName(kind);
        const SecretOutcome key = providerNeedsKey(kind) ? keys.apiKey(name) : keys.readBlocking(name, 5s);
        if (key.ok()) {
            settings.apiKey = key.secret;
        } else if (providerNeedsKey(kind)) {
            ctx.err << "docsight-cli: no API key for " << name << ". Run 'docsight-cli keys set " << name << "' or set "
                    << SecretStore::environmentVariable(name) << ".\n";
            *failed = true;
            return {};
        }
    }
    Q_UNUSED(args);
    return makeChatProvider(kind, settings);
}

void printUsage(Context &ctx, const UsageSummary &s)
{
    ctx.out << "This month (" << s.from.toLocalTime().toString(QStringLiteral("yyyy-MM-dd")) << " to "
            << s.to.toLocalTime().addSecs(-1).toString(QStringLiteral("yyyy-MM-dd")) << ")\n";
    ctx.out << "  requests      " << s.requests << " (" << s.errors << " errors, "
            << QString::number(s.errorRate * 100.0, 'f', 1) << "%)\n";
    ctx.out << "  tokens        " << s.inputTokens << " in, " << s.outputTokens << " out\n";
    ctx.out << "  cost          " << money(s.costUsd);
    if (s.unpriced > 0)
        ctx.out << " (" << s.unpriced << " cloud request(s) had no price: see usage --prices)";
    ctx.out << "\n";
    ctx.out << "  latency       p50 " << s.latency.p50 << " ms, p95 " << s.latency.p95 << " ms, p99 " << s.latency.p99
            << " ms (" << s.latency.count << " answered)\n";
    ctx.out << "  budget        ";
    if (s.budget.budgetUsd <= 0)
        ctx.out << "none set (usage --budget USD)\n";
    else
        ctx.out << money(s.budget.spentUsd) << " of " << money(s.budget.budgetUsd) << " ("
                << QString::number(s.budget.share * 100.0, 'f', 0) << "%)\n";
    ctx.out << "  feedback      " << s.feedback.up << " up, " << s.feedback.down << " down of " << s.feedback.rated << " rated; "
            << s.feedback.corrections << " correction(s) over " << s.feedback.answers << " answer(s)\n";
    for (const UsageBreakdown &b : s.byModel)
        ctx.out << "  " << b.provider << "/" << b.model << ": " << b.requests << " request(s), " << b.inputTokens << " in, "
                << b.outputTokens << " out, " << money(b.costUsd) << "\n";
    if (!s.budget.message.isEmpty())
        ctx.err << "note: " << s.budget.message << "\n";
}

} // namespace

void noteClassificationSuggestion(Context &ctx, qint64 documentId)
{
    const ClassificationSuggestion s = suggestClassificationFor(ctx.library, documentId);
    if (!s.level)
        return;
    ctx.err << "note: document " << documentId << ": " << s.reason << " (docsight-cli classify " << documentId << " "
            << classificationName(*s.level) << ")\n";
}

bool commandNeedsGui(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "export-report") == 0)
            return true;
    }
    return false;
}

int usageCommand(const Args &args, Context &ctx)
{
    UsageMeter meter(ctx.library);
    if (args.options.contains(QStringLiteral("--budget"))) {
        bool ok = false;
        const double usd = args.value(QStringLiteral("--budget")).toDouble(&ok);
        if (!ok || usd < 0) {
            ctx.err << "docsight-cli: --budget takes US dollars per month, e.g. --budget 50 (0 removes the budget)\n";
            return Usage;
        }
        Budget b = meter.budget();
        b.monthlyUsd = usd;
        QString error;
        if (!meter.setBudget(b, &error)) {
            ctx.err << "docsight-cli: " << error << "\n";
            return Failed;
        }
    }
    if (args.options.contains(QStringLiteral("--prices"))) {
        QFile f(args.value(QStringLiteral("--prices")));
        QString error;
        const QJsonDocument doc = f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()) : QJsonDocument();
        const PriceTable table = PriceTable::fromJson(doc.object(), &error);
        if (!doc.isObject() || !error.isEmpty()) {
            ctx.err << "docsight-cli: " << (error.isEmpty() ? QStringLiteral("cannot read a JSON object from ") + f.fileName() : error)
                    << "\n";
            return Usage;
        }
        if (!meter.setPrices(table, &error)) {
            ctx.err << "docsight-cli: " << error << "\n";
            return Failed;
        }
    }
    const UsageSummary s = meter.thisMonth();
    if (args.has(QStringLiteral("--json"))) {
        QJsonObject o = s.toJson();
        o.insert(QStringLiteral("prices"), meter.prices().toJson());
        printJson(ctx, o);
    } else {
        printUsage(ctx, s);
    }
    return Ok;
}

int extractCommand(const Args &args, Context &ctx)
{
    const QString templateName = args.value(QStringLiteral("--template"));
    const std::optional<FactTemplate> templ = parseFactTemplate(templateName);
    if (args.positional.size() != 1 || !templ) {
        ctx.err << "usage: docsight-cli extract DOC --template " << factTemplateNames().join(QLatin1Char('|'))
                << " [--provider P] [--base-url URL] [--model M] [--json]\n";
        return Usage;
    }
    const std::optional<DocumentRecord> doc = resolveOne(ctx, args.positional.constFirst());
    if (!doc)
        return Usage;
    ExtractionSettings settings;
    if (args.options.contains(QStringLiteral("--provider"))) {
        const std::optional<ProviderKind> kind = parseProviderKind(args.value(QStringLiteral("--provider")));
        if (!kind) {
            ctx.err << "docsight-cli: --provider must be one of " << providerKindNames().join(QStringLiteral(", ")) << "\n";
            return Usage;
        }
        HttpChatSettings http;
        if (args.options.contains(QStringLiteral("--base-url")))
            http.baseUrl = QUrl(args.value(QStringLiteral("--base-url")));
        http.defaultModel = args.value(QStringLiteral("--model"));
        bool failed = false;
        settings.provider = extractionProvider(args, ctx, *kind, http, &failed);
        if (failed)
            return Failed;
        const GovernancePolicy policy = GovernancePolicy::load(*ctx.library);
        const TrustDecision trust =
            assessTrust({settings.provider->id(), http.baseUrl, settings.provider->sendsDataOffDevice()}, policy);
        settings.trust = trust.trust;
        settings.model = http.defaultModel;
    }
    const ExtractionResult r = KeyFactExtractor(ctx.library, settings).extract(doc->id, *templ);
    if (!r.ok()) {
        ctx.err << "docsight-cli: " << r.error << "\n";
        return Failed;
    }
    if (args.has(QStringLiteral("--json"))) {
        printJson(ctx, r.toJson());
    } else {
        ctx.out << r.document << " (" << factTemplateName(r.templ) << ", " << r.method << ")\n";
        for (const FactField &field : templateFields(r.templ)) {
            bool any = false;
            for (const KeyFact &f : r.facts) {
                if (f.field != field.name)
                    continue;
                any = true;
                ctx.out << "  " << field.name << ": " << f.value << "\n      page " << f.source.page << ": \u201C"
                        << (f.source.quote.size() > 160 ? f.source.quote.left(159) + QChar(0x2026) : f.source.quote) << "\u201D\n";
            }
            if (!any)
                ctx.out << "  " << field.name << ": (not found)\n";
        }
    }
    for (const QString &w : r.warnings)
        ctx.err << "note: " << w << "\n";
    return Ok;
}

int exportReportCommand(const Args &args, Context &ctx)
{
    if (args.positional.size() != 1) {
        ctx.err << "usage: docsight-cli export-report OUT.pdf [--conversation ID] [--from DATE] [--to DATE]\n";
        return Usage;
    }
    AuditReportOptions options;
    if (args.options.contains(QStringLiteral("--conversation"))) {
        bool ok = false;
        options.conversationId = args.value(QStringLiteral("--conversation")).toLongLong(&ok);
        if (!ok || !MessageStore(ctx.library).conversation(options.conversationId)) {
            ctx.err << "docsight-cli: no conversation '" << args.value(QStringLiteral("--conversation"))
                    << "' (see 'docsight-cli conversations')\n";
            return Usage;
        }
    }
    for (const auto &[option, end] : {std::make_pair(QStringLiteral("--from"), false), std::make_pair(QStringLiteral("--to"), true)}) {
        if (!args.options.contains(option))
            continue;
        const std::optional<QDateTime> at = parseWhen(args.value(option), end);
        if (!at) {
            ctx.err << "docsight-cli: " << option << " takes a date (2024-03-01) or an ISO date-time\n";
            return Usage;
        }
        (end ? options.to : options.from) = *at;
    }
    const QString path = QDir::current().absoluteFilePath(args.positional.constFirst());
    const AuditReportResult r = auditreport::exportPdf(ctx.library, path, options);
    if (!r.ok) {
        ctx.err << "docsight-cli: " << r.error << "\n";
        return Failed;
    }
    ctx.out << "wrote " << QDir::toNativeSeparators(r.path) << ": " << r.pages << " page(s), " << r.questions << " question(s), "
            << r.documents << " document(s)\n";
    ctx.out << "audit trail " << (r.verification.intact ? QStringLiteral("verified") : QStringLiteral("FAILED verification"))
            << ", head " << r.chainHead << "\n";
    ctx.out << "report sha256 " << r.sha256 << "\n";
    return r.verification.intact ? Ok : Failed;
}

int feedbackCommand(const Args &args, Context &ctx)
{
    bool ok = false;
    const qint64 message = args.positional.value(0).toLongLong(&ok);
    const QString rating = args.positional.value(1);
    static const QHash<QString, int> ratings{{QStringLiteral("up"), 1}, {QStringLiteral("down"), -1}, {QStringLiteral("none"), 0}};
    if (!ok || args.positional.size() != 2 || !ratings.contains(rating)) {
        ctx.err << "usage: docsight-cli feedback MESSAGE_ID up|down|none [--correction TEXT]\n";
        return Usage;
    }
    if (!MessageStore(ctx.library).message(message)) {
        ctx.err << "docsight-cli: no stored answer with id " << message << "\n";
        return Usage;
    }
    QString error;
    const QString correction = args.value(QStringLiteral("--correction")).trimmed();
    if (!MessageStore(ctx.library).recordFeedback(message, ratings.value(rating), correction, &error)) {
        ctx.err << "docsight-cli: " << error << "\n";
        return Failed;
    }
    if (ratings.value(rating) == 0 && correction.isEmpty())
        ctx.out << "took back the rating of answer " << message << "\n";
    else
        ctx.out << "recorded feedback on answer " << message << "\n";
    return Ok;
}

int conversationsCommand(const Args &args, Context &ctx)
{
    const QList<ConversationRecord> list = MessageStore(ctx.library).list();
    if (args.has(QStringLiteral("--json"))) {
        QJsonArray rows;
        for (const ConversationRecord &c : list)
            rows.append(QJsonObject{{QStringLiteral("id"), c.id},
                                    {QStringLiteral("title"), c.title},
                                    {QStringLiteral("messages"), c.messages},
                                    {QStringLiteral("updated_at"), c.updatedAt.toString(Qt::ISODateWithMs)}});
        printJson(ctx, QJsonObject{{QStringLiteral("conversations"), rows}});
        return Ok;
    }
    for (const ConversationRecord &c : list)
        ctx.out << c.id << "\t" << c.messages << "\t" << c.updatedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"))
                << "\t" << c.title << "\n";
    return Ok;
}

int policyCommand(const Args &args, Context &ctx)
{
    GovernancePolicy p = GovernancePolicy::load(*ctx.library);
    bool changed = false;
    if (args.options.contains(QStringLiteral("--restricted"))) {
        const QString v = args.value(QStringLiteral("--restricted"));
        if (v != QLatin1String("withhold") && v != QLatin1String("answer-locally")) {
            ctx.err << "docsight-cli: --restricted takes withhold or answer-locally\n";
            return Usage;
        }
        p.restricted = v == QLatin1String("withhold") ? RestrictedHandling::Withhold : RestrictedHandling::AnswerLocally;
        changed = true;
    }
    if (args.options.contains(QStringLiteral("--redact-confidential"))) {
        const QString v = args.value(QStringLiteral("--redact-confidential"));
        if (v != QLatin1String("on") && v != QLatin1String("off")) {
            ctx.err << "docsight-cli: --redact-confidential takes on or off\n";
            return Usage;
        }
        p.redactConfidential = v == QLatin1String("on");
        changed = true;
    }
    if (args.options.contains(QStringLiteral("--mark-local"))) {
        const QString host = args.value(QStringLiteral("--mark-local")).trimmed().toLower();
        if (!isLanHost(host)) {
            ctx.err << "docsight-cli: " << host << " is not a local-network address or name, so it cannot be marked local\n";
            return Usage;
        }
        if (!p.localHosts.contains(host))
            p.localHosts << host;
        changed = true;
    }
    if (args.options.contains(QStringLiteral("--unmark-local"))) {
        p.localHosts.removeAll(args.value(QStringLiteral("--unmark-local")).trimmed().toLower());
        changed = true;
    }
    if (args.options.contains(QStringLiteral("--mark-cloud"))) {
        QString why;
        const std::optional<QString> mark = normalizeCloudMark(args.value(QStringLiteral("--mark-cloud")), &why);
        if (!mark) {
            ctx.err << "docsight-cli: --mark-cloud: " << why << "\n";
            return Usage;
        }
        if (!p.cloudHosts.contains(*mark))
            p.cloudHosts << *mark;
        changed = true;
    }
    if (args.options.contains(QStringLiteral("--unmark-cloud"))) {
        const std::optional<QString> mark = normalizeCloudMark(args.value(QStringLiteral("--unmark-cloud")));
        if (!mark || !p.cloudHosts.contains(*mark)) {
            ctx.err << "docsight-cli: " << args.value(QStringLiteral("--unmark-cloud")).trimmed()
                    << " is not marked cloud (marked: "
                    << (p.cloudHosts.isEmpty() ? QStringLiteral("none") : p.cloudHosts.join(QStringLiteral(", "))) << ")\n";
            return Usage;
        }
        p.cloudHosts.removeAll(*mark);
        changed = true;
    }
    if (changed) {
        QString error;
        if (!p.save(*ctx.library, &error)) {
            ctx.err << "docsight-cli: " << error << "\n";
            return Failed;
        }
    }
    if (args.has(QStringLiteral("--json"))) {
        printJson(ctx, p.toJson());
        return Ok;
    }
    ctx.out << "Restricted passages with a cloud provider: "
            << (p.restricted == RestrictedHandling::Withhold ? "withheld (with a notice)" : "answered by the local provider") << "\n";
    ctx.out << "Confidential passages to a cloud provider: " << (p.redactConfidential ? "PII redacted" : "sent as they are") << "\n";
    ctx.out << "LAN servers marked local: " << (p.localHosts.isEmpty() ? QStringLiteral("none") : p.localHosts.join(QStringLiteral(", ")))
            << "\n";
    ctx.out << "Addresses marked cloud: " << (p.cloudHosts.isEmpty() ? QStringLiteral("none") : p.cloudHosts.join(QStringLiteral(", ")))
            << " (openai and anthropic are cloud at any address)\n";
    return Ok;
}

} // namespace docsight::cli
