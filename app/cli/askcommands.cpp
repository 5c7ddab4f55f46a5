// ask, keys, models: thin shells over core/llm and the keychain.
#include "askcommands.h"

#include "governance/policygate.h"
#include "governance/secretstore.h"
#include "llm/askservice.h"
#include "llm/providerfactory.h"
#include "search/builtinembedder.h"
#include "search/hybridretriever.h"
#include "store/documentstore.h"
#include "store/library.h"

#include <csignal>

#ifdef Q_OS_UNIX
#include <termios.h>
#include <unistd.h>
#endif

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace docsight::cli {
namespace {

using namespace std::chrono_literals;

// SIGINT cancels the answer in flight; the partial answer is kept and the command says so.
CancelToken *g_interrupt = nullptr;

void onInterrupt(int)
{
    if (g_interrupt)
        g_interrupt->cancel(); // an atomic store: safe in a signal handler
}

class InterruptScope final
{
public:
    explicit InterruptScope(CancelToken *token)
    {
        g_interrupt = token;
        m_previous = std::signal(SIGINT, onInterrupt);
        if (m_previous == SIG_ERR)
            m_previous = SIG_DFL;
    }
    ~InterruptScope()
    {
        std::signal(SIGINT, m_previous);
        g_interrupt = nullptr;
    }
    Q_DISABLE_COPY_MOVE(InterruptScope)

private:
    void (*m_previous)(int) = SIG_DFL;
};

struct ProviderChoice {
    std::shared_ptr<ChatProvider> provider;
    int exitCode = Ok;
};

ProviderChoice chooseProvider(const Args &args, Context &ctx)
{
    const QString name = args.value(QStringLiteral("--provider"), QStringLiteral("extractive"));
    const std::optional<ProviderKind> kind = parseProviderKind(name);
    if (!kind) {
        ctx.err << "docsight-cli: --provider must be one of " << providerKindNames().join(QStringLiteral(", ")) << "\n";
        return {nullptr, Usage};
    }
    HttpChatSettings settings;
    if (args.options.contains(QStringLiteral("--base-url"))) {
        settings.baseUrl = QUrl(args.value(QStringLiteral("--base-url")));
        const QString scheme = settings.baseUrl.scheme();
        if (!settings.baseUrl.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
            || settings.baseUrl.host().isEmpty()) {
            ctx.err << "docsight-cli: --base-url must be an http:// or https:// address, e.g. http://localhost:11434/v1\n";
            return {nullptr, Usage};
        }
    }
    settings.defaultModel = args.value(QStringLiteral("--model"));
    if (providerTakesKey(*kind)) {
        const SecretStore keys;
        const QString keyName = providerKindName(*kind);
        if (providerNeedsKey(*kind)) {
            const SecretOutcome key = keys.apiKey(keyName);
            if (!key.ok()) {
                ctx.err << "docsight-cli: no API key for " << keyName << ". Run 'docsight-cli keys set " << keyName
                        << "' (it reads the key from standard input) or set " << SecretStore::environmentVariable(keyName)
                        << "." << (key.status == SecretStatus::NotFound ? QString() : QStringLiteral(" ") + key.message)
                        << "\n";
                return {nullptr, Failed};
            }
            settings.apiKey = key.secret;
        } else {
            // Local servers rarely want a key; use one only if the analyst stored it.
            const SecretOutcome key = keys.readBlocking(keyName, 5s);
            if (key.ok())
                settings.apiKey = key.secret;
        }
    }
    return {makeChatProvider(*kind, settings), Ok};
}

QString clip(const QString &text, int length)
{
    const QString s = text.simplified();
    return s.size() > length ? s.left(length - 1) + QChar(0x2026) : s;
}

QJsonObject answerJson(const Answer &a)
{
    QJsonArray citations;
    for (const Citation &c : a.citations) {
        citations.append(QJsonObject{{QStringLiteral("marker"), c.marker},
                                     {QStringLiteral("document"), c.document},
                                     {QStringLiteral("page"), c.page},
                                     {QStringLiteral("quote"), c.quote},
                                     {QStringLiteral("exact_quote"), c.exactQuote},
                                     {QStringLiteral("document_id"), c.documentId},
                                     {QStringLiteral("chunk_id"), c.chunkId},
                                     {QStringLiteral("char_start"), c.charStart},
                                     {QStringLiteral("char_end"), c.charEnd},
                                     {QStringLiteral("first_word"), c.firstWord},
                                     {QStringLiteral("word_count"), c.wordCount}});
    }
    QJsonObject out{{QStringLiteral("answer"), a.text},
                    {QStringLiteral("citations"), citations},
                    {QStringLiteral("provider"), a.provider},
                    {QStringLiteral("model"), a.model},
                    {QStringLiteral("usage"), QJsonObject{{QStringLiteral("input_tokens"), a.usage.inputTokens},
                                                          {QStringLiteral("output_tokens"), a.usage.outputTokens}}},
                    {QStringLiteral("latency_ms"), a.latencyMs},
                    {QStringLiteral("first_token_ms"), a.firstTokenMs},
                    {QStringLiteral("declined"), a.declined},
                    {QStringLiteral("unknown_markers"), QJsonArray::fromStringList(a.unknownMarkers)},
                    {QStringLiteral("uncited_sentences"), QJsonArray::fromStringList(a.uncitedSentences)},
                    {QStringLiteral("warnings"), QJsonArray::fromStringList(a.warnings)},
                    {QStringLiteral("conversation_id"), a.governance.conversationId},
                    {QStringLiteral("message_id"), a.governance.messageId},
                    {QStringLiteral("governance"), a.governance.toJson()}};
    if (!a.ok())
        out.insert(QStringLiteral("error"), a.errorMessage);
    return out;
}

void printNotes(const Answer &a, Context &ctx)
{
    for (const QString &warning : a.warnings)
        ctx.err << "note: " << warning << "\n";
    if (!a.unknownMarkers.isEmpty())
        ctx.err << "note: the answer cited " << a.unknownMarkers.join(QStringLiteral(", "))
                << ", which name(s) no passage; dropped\n";
    if (!a.uncitedSentences.isEmpty()) {
        ctx.err << "note: " << a.uncitedSentences.size() << " sentence(s) cite no source:\n";
        for (const QString &s : a.uncitedSentences)
            ctx.err << "  \u201C" << clip(s, 120) << "\u201D\n";
    }
    ctx.err << a.provider << " " << a.model << ": " << a.usage.inputTokens << " tokens in, " << a.usage.outputTokens
            << " out, " << a.latencyMs << " ms\n";
    if (a.governance.messageId > 0)
        ctx.err << "stored as answer " << a.governance.messageId << " in conversation " << a.governance.conversationId
                << " (feedback: docsight-cli feedback " << a.governance.messageId << " up|down)\n";
}

// The key from standard input: typed without echo on a terminal, else the whole stream (a pipe).
QString readKeyFromStdin(Context &ctx, const QString &provider)
{
#ifdef Q_OS_UNIX
    if (isatty(STDIN_FILENO)) {
        ctx.err << "API key for " << provider << " (input hidden): " << Qt::flush;
        termios saved{};
        const bool haveTerm = tcgetattr(STDIN_FILENO, &saved) == 0;
        if (haveTerm) {
            termios quiet = saved;
            quiet.c_lflag &= ~tcflag_t(ECHO);
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        }
        QFile in;
        QByteArray line;
        if (in.open(stdin, QIODevice::ReadOnly))
            line = in.readLine();
        if (haveTerm)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        ctx.err << "\n";
        return QString::fromUtf8(line).trimmed();
    }
#else
    Q_UNUSED(ctx)
    Q_UNUSED(provider)
#endif
    QFile in;
    if (!in.open(stdin, QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(in.readAll()).trimmed();
}

int keysStatus(const Args &args, Context &ctx)
{
    const SecretStore keys;
    QJsonArray rows;
    for (const QString &provider : SecretStore::providers()) {
        const QString variable = SecretStore::environmentVariable(provider);
        const bool inEnvironment = !variable.isEmpty() && !qEnvironmentVariable(variable.toLatin1().constData()).trimmed().isEmpty();
        const SecretOutcome stored = keys.readBlocking(provider); // the key itself is dropped right away
        QString keychain = stored.ok() ? QStringLiteral("stored")
                         : stored.status == SecretStatus::NotFound ? QStringLiteral("absent") : QStringLiteral("unknown");
        const QString used = inEnvironment ? QStringLiteral("environment") : stored.ok() ? QStringLiteral("keychain")
                                                                                          : QStringLiteral("none");
        QJsonObject row{{QStringLiteral("provider"), provider},
                        {QStringLiteral("source"), used},
                        {QStringLiteral("keychain"), keychain},
                        {QStringLiteral("environment"), inEnvironment}};
        if (keychain == QLatin1String("unknown"))
            row.insert(QStringLiteral("message"), stored.message);
        rows.append(row);
        if (!args.has(QStringLiteral("--json"))) {
            ctx.out << provider << "\t";
            if (inEnvironment)
                ctx.out << "key from " << variable << " (overrides the keychain)";
            else if (stored.ok())
                ctx.out << "key in the system keychain";
            else if (stored.status == SecretStatus::NotFound)
                ctx.out << (provider == QLatin1String("openai-compatible") ? "no key (none needed by most local servers)"
                                                                             : "no key");
            else
                ctx.out << "unknown: " << stored.message;
            ctx.out << "\n";
        }
    }
    if (args.has(QStringLiteral("--json")))
        ctx.out << QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("service"), keys.service()},
                                                               {QStringLiteral("providers"), rows}})
                                         .toJson(QJsonDocument::Indented));
    return Ok;
}

} // namespace

int askCommand(const Args &args, Context &ctx)
{
    if (args.positional.isEmpty()) {
        ctx.err << "usage: docsight-cli ask QUESTION [--provider extractive|openai|anthropic|openai-compatible] "
                   "[--base-url URL] [--model M] [--temperature T] [--max-tokens N] [--docs DOC,...] [--k N] "
                   "[--conversation ID] [--json]\n";
        return Usage;
    }
    AskRequest request;
    request.question = args.positional.join(QLatin1Char(' '));
    bool ok = true;
    request.retrieval.k = args.value(QStringLiteral("--k"), QString::number(kAskDefaultK)).toInt(&ok);
    if (!ok || request.retrieval.k < 1 || request.retrieval.k > 50) {
        ctx.err << "docsight-cli: --k must be a number from 1 to 50\n";
        return Usage;
    }
    if (args.options.contains(QStringLiteral("--temperature"))) {
        const double t = args.value(QStringLiteral("--temperature")).toDouble(&ok);
        if (!ok || t < 0.0 || t > 2.0) {
            ctx.err << "docsight-cli: --temperature must be a number from 0 to 2\n";
            return Usage;
        }
        request.temperature = t;
    }
    if (args.options.contains(QStringLiteral("--max-tokens"))) {
        request.maxTokens = args.value(QStringLiteral("--max-tokens")).toInt(&ok);
        if (!ok || request.maxTokens < 16 || request.maxTokens > 128'000) {
            ctx.err << "docsight-cli: --max-tokens must be a number from 16 to 128000\n";
            return Usage;
        }
    }
    request.retrieval.documentIds = resolveDocuments(ctx, args.value(QStringLiteral("--docs")), &ok);
    if (!ok)
        return Usage;
    const ProviderChoice choice = chooseProvider(args, ctx);
    if (!choice.provider)
        return choice.exitCode;
    request.model = args.value(QStringLiteral("--model"));
    request.conversationId = args.value(QStringLiteral("--conversation")).toLongLong();

    // The built-in embedder is what import indexes with by default; without its vectors the retriever
    // falls back to keyword search and says so.
    auto retriever = std::make_shared<HybridRetriever>(ctx.library, QList<std::shared_ptr<Embedder>>{std::make_shared<BuiltinEmbedder>()});
    AskService service(ctx.library, retriever, choice.provider);
    // A LAN server the analyst marked local (docsight-cli policy --mark-local HOST) is trusted as local.
    service.setProviderTrust(assessTrust({choice.provider->id(), QUrl(args.value(QStringLiteral("--base-url"))),
                                          choice.provider->sendsDataOffDevice()},
                                         GovernancePolicy::load(*ctx.library)));
    const bool json = args.has(QStringLiteral("--json"));

    InterruptScope interrupt(&request.cancel);
    const Answer answer = service.ask(request, json ? ChatDeltaFn{} : ChatDeltaFn{[&](QStringView delta) {
        ctx.out << delta;
        ctx.out.flush();
    }});

    if (json) {
        ctx.out << QString::fromUtf8(QJsonDocument(answerJson(answer)).toJson(QJsonDocument::Indented));
    } else {
        ctx.out << "\n";
        if (!answer.citations.isEmpty()) {
            ctx.out << "\nSources:\n";
            for (const Citation &c : answer.citations)
                ctx.out << "  [" << c.marker << "] " << c.document << ", page " << c.page << ": \u201C" << clip(c.quote, 200)
                        << "\u201D\n";
        }
        ctx.out.flush();
        printNotes(answer, ctx);
    }
    if (!answer.ok()) {
        ctx.err << "docsight-cli: " << (answer.error == ChatError::Cancelled ? QStringLiteral("cancelled: the answer is incomplete")
                                                                              : answer.errorMessage)
                << "\n";
        return Failed;
    }
    return Ok;
}

int keysCommand(const Args &args, Context &ctx)
{
    const QString action = args.positional.value(0);
    if (action == QLatin1String("status"))
        return keysStatus(args, ctx);
    const QString provider = args.positional.value(1);
    if ((action != QLatin1String("set") && action != QLatin1String("delete")) || args.positional.size() != 2) {
        ctx.err << "usage: docsight-cli keys set PROVIDER | keys delete PROVIDER | keys status [--json]\n";
        return Usage;
    }
    if (!SecretStore::isKnownProvider(provider)) {
        ctx.err << "docsight-cli: PROVIDER must be one of " << SecretStore::providers().join(QStringLiteral(", "))
                << (provider == QLatin1String("extractive") ? " (the extractive answerer needs no key)" : "") << "\n";
        return Usage;
    }
    const SecretStore keys;
    if (action == QLatin1String("set")) {
        const QString key = readKeyFromStdin(ctx, provider);
        if (key.isEmpty()) {
            ctx.err << "docsight-cli: no key on standard input (e.g. printf %s \"$KEY\" | docsight-cli keys set "
                    << provider << ")\n";
            return Usage;
        }
        const SecretOutcome written = keys.writeBlocking(provider, key);
        if (!written.ok()) {
            ctx.err << "docsight-cli: " << written.message << "\n";
            return Failed;
        }
        ctx.out << "stored the " << provider << " API key in the system keychain\n";
        const QString variable = SecretStore::environmentVariable(provider);
        if (!variable.isEmpty() && !qEnvironmentVariableIsEmpty(variable.toLatin1().constData()))
            ctx.err << "note: " << variable << " is set and takes precedence over the keychain\n";
        return Ok;
    }
    const SecretOutcome removed = keys.removeBlocking(provider);
    if (removed.status == SecretStatus::NotFound) {
        ctx.out << "no " << provider << " API key was stored\n";
        return Ok;
    }
    if (!removed.ok()) {
        ctx.err << "docsight-cli: " << removed.message << "\n";
        return Failed;
    }
    ctx.out << "deleted the " << provider << " API key from the system keychain\n";
    return Ok;
}

int modelsCommand(const Args &args, Context &ctx)
{
    const ProviderChoice choice = chooseProvider(args, ctx);
    if (!choice.provider)
        return choice.exitCode;
    CancelToken cancel;
    InterruptScope interrupt(&cancel);
    const ModelList list = choice.provider->listModels(cancel);
    if (!list.error.isEmpty()) {
        ctx.err << "docsight-cli: " << list.error << "\n";
        return Failed;
    }
    if (args.has(QStringLiteral("--json"))) {
        ctx.out << QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("provider"), choice.provider->id()},
                                                               {QStringLiteral("models"), QJsonArray::fromStringList(list.models)}})
                                         .toJson(QJsonDocument::Indented));
        return Ok;
    }
    for (const QString &model : list.models)
        ctx.out << model << "\n";
    return Ok;
}

} // namespace docsight::cli
