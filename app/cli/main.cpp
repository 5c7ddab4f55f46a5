// docsight-cli: everything the GUI does, headless and scriptable. Links no QtWidgets.
#include "askcommands.h"
#include "commands.h"
#include "governancecommands.h"

#include "store/library.h"

#include <cstdio>
#include <functional>
#include <memory>

#include <QCoreApplication>
#include <QGuiApplication>
#include <QDir>
#include <QLoggingCategory>
#include <QStandardPaths>
#include <QThreadPool>

using namespace docsight;
using namespace docsight::cli;

namespace {

const char *const kUsage = R"(usage: docsight-cli [--library DIR] COMMAND [options]

Commands:
  import [--password PW] [--classification LEVEL] PATH...
                      import files and folders (recursive); one line per document
  reimport DOC... [--force-ocr] [--ocr-languages eng+deu] [--password PW]
                      read documents again from the library's copies (new OCR languages; --force-ocr
                      also OCRs pages that have a text layer); id, name and classification stay
  list [--json]       documents in the library
  text DOC [--page N] [--json]
                      the text read from a document (DOC is an id or a file name)
  remove DOC          remove a document, its pages, chunks and stored copy
  classify DOC LEVEL  set Public, Internal, Confidential or Restricted
  audit verify        check the audit trail's hash chain; prints the head hash
  search QUERY [--k N] [--docs DOC,...] [--mode hybrid|bm25|vector] [--no-rerank] [--json]
                      the passages that best answer QUERY (default 10), optionally only in some
                      documents (ids or file names); --no-rerank keeps the fused order (hybrid
                      re-orders its best 50 by the second stage)
  eval SET.jsonl [--k N] [--mode hybrid|bm25|vector] [--no-rerank] [--features OUT.tsv] [--json]
                      retrieval quality on a golden set (lines with question, document, pages):
                      recall@1/5/10, MRR, mean and p95 latency, the same for the plain BM25
                      floor, and how often the offline answer cites an expected page or
                      contains the line's answer_contains; --features writes the second
                      stage's features per candidate (scripts/train_ranker.py learns from them)
  ask QUESTION [--provider extractive|openai|anthropic|openai-compatible] [--base-url URL]
      [--model M] [--temperature T] [--max-tokens N] [--docs DOC,...] [--k N]
      [--conversation ID] [--json]
                      an answer citing its passages as [S#], streamed (default provider:
                      extractive, offline); --base-url for any HTTP provider; temperature
                      (default 0.2) and the answer's token limit (default 1024) go to the model
  keys set PROVIDER   store PROVIDER's API key (read from standard input) in the system keychain
  keys delete PROVIDER | keys status [--json]
                      remove a key; say which providers have one (never the key)
  models [--provider P] [--base-url URL] [--json]
                      the models a provider offers
  usage [--json] [--budget USD] [--prices FILE.json]
                      tokens, latency p50/p95/p99, errors and cost this month against the cloud budget;
                      --budget sets the monthly budget (cloud calls stop when it is spent), --prices the
                      price table ({"openai/gpt-4o-mini": {"input": 0.15, "output": 0.6}}, USD per 1M tokens)
  extract DOC --template invoice|contract|generic [--provider P] [--base-url URL] [--model M] [--json]
                      key facts, each citing its page and quote (offline rules unless --provider)
  export-report OUT.pdf [--conversation ID] [--from DATE] [--to DATE]
                      the PDF audit report; exit status 1 when the audit trail fails verification
  conversations [--json]
                      stored conversations (ids for export-report --conversation)
  feedback MESSAGE_ID up|down|none [--correction TEXT]
                      thumbs up/down or a correction on a stored answer; "none" without a
                      correction takes the thumb back
  policy [--json] [--restricted withhold|answer-locally] [--redact-confidential on|off]
      [--mark-local HOST] [--unmark-local HOST] [--mark-cloud HOST[:PORT]] [--unmark-cloud HOST[:PORT]]
                      what cloud providers may see; mark a LAN model server as local, or any
                      address (a gateway, proxy or tunnel) as cloud; openai and anthropic are
                      cloud whatever their --base-url

Search options (import, search, eval):
  --embedder builtin|openai-compatible   builtin (offline, lexical) is the default
  --base-url URL --model NAME            for openai-compatible, e.g. http://localhost:11434/v1;
                                         the key, if any, from $DOCSIGHT_EMBEDDINGS_API_KEY or $OPENAI_API_KEY

API keys come from the system keychain; OPENAI_API_KEY / ANTHROPIC_API_KEY override it.
The library defaults to $DOCSIGHT_LIBRARY, else the per-user data folder.
Exit status: 0 success, 1 some documents or checks failed, 2 usage error, 3 library cannot be opened.
)";

QString defaultLibrary()
{
    const QString env = qEnvironmentVariable("DOCSIGHT_LIBRARY");
    if (!env.isEmpty())
        return env;
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + QStringLiteral("/library");
}

// What the command would change in the library ("it adds documents"), or empty when it only reads.
QString changesLibrary(const Args &args)
{
    const QString &c = args.command;
    if (c == QLatin1String("import") || c == QLatin1String("reimport"))
        return QStringLiteral("it stores documents and what is read from them");
    if (c == QLatin1String("remove") || c == QLatin1String("classify"))
        return QStringLiteral("it changes documents");
    if (c == QLatin1String("ask"))
        return QStringLiteral("questions and answers are stored and audited");
    if (c == QLatin1String("extract"))
        return QStringLiteral("key facts are stored and audited");
    if (c == QLatin1String("export-report"))
        return QStringLiteral("each export is recorded in the audit trail");
    if (c == QLatin1String("feedback"))
        return QStringLiteral("feedback is stored");
    if (c == QLatin1String("usage") && (args.options.contains(QStringLiteral("--budget")) || args.options.contains(QStringLiteral("--prices"))))
        return QStringLiteral("the budget and prices are stored");
    if (c == QLatin1String("policy")) {
        for (const char *option : {"--restricted", "--redact-confidential", "--mark-local", "--unmark-local", "--mark-cloud", "--unmark-cloud"}) {
            if (args.options.contains(QLatin1String(option)))
                return QStringLiteral("the policy is stored");
        }
    }
    return {};
}

} // namespace

int main(int argc, char *argv[])
{
    // Tesseract parallelises with OpenMP inside each page; we already run one page per core.
    if (qEnvironmentVariableIsEmpty("OMP_THREAD_LIMIT"))
        qputenv("OMP_THREAD_LIMIT", "1");
    // export-report lays out text (QTextDocument, fonts), which needs a QGuiApplication; headless here.
    const bool gui = commandNeedsGui(argc, argv);
    if (gui && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    const std::unique_ptr<QCoreApplication> app(gui ? new QGuiApplication(argc, argv) : new QCoreApplication(argc, argv));
    QCoreApplication::setOrganizationName(QStringLiteral("Docsight"));
    QCoreApplication::setApplicationName(QStringLiteral("docsight"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DOCSIGHT_VERSION));
    // Pool threads keep their per-thread database connections; do not let them expire mid-run.
    QThreadPool::globalInstance()->setExpiryTimeout(-1);

    // Progress and diagnostics stay quiet unless asked for (QT_LOGGING_RULES or DOCSIGHT_VERBOSE).
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES") && qEnvironmentVariableIsEmpty("DOCSIGHT_VERBOSE"))
        QLoggingCategory::setFilterRules(QStringLiteral("docsight.*.debug=false\ndocsight.*.info=false"));

    QTextStream out(stdout);
    QTextStream err(stderr);
    const Args args = parseArgs(QCoreApplication::arguments().mid(1),
                                {QStringLiteral("--library"), QStringLiteral("--password"),
                                 QStringLiteral("--classification"), QStringLiteral("--page"), QStringLiteral("--k"),
                                 QStringLiteral("--docs"), QStringLiteral("--mode"), QStringLiteral("--embedder"), QStringLiteral("--features"),
                                 QStringLiteral("--base-url"), QStringLiteral("--model"), QStringLiteral("--provider"),
                                 QStringLiteral("--template"), QStringLiteral("--conversation"), QStringLiteral("--from"),
                                 QStringLiteral("--to"), QStringLiteral("--budget"), QStringLiteral("--prices"),
                                 QStringLiteral("--correction"), QStringLiteral("--restricted"),
                                 QStringLiteral("--redact-confidential"), QStringLiteral("--mark-local"),
                                 QStringLiteral("--unmark-local"), QStringLiteral("--mark-cloud"),
                                 QStringLiteral("--unmark-cloud"), QStringLiteral("--temperature"),
                                 QStringLiteral("--max-tokens"), QStringLiteral("--ocr-languages")},
                                {QStringLiteral("--json"), QStringLiteral("--help"), QStringLiteral("--version"),
                                 QStringLiteral("--force-ocr"), QStringLiteral("--no-rerank")});
    if (!args.error.isEmpty()) {
        err << "docsight-cli: " << args.error << "\n" << kUsage;
        return Usage;
    }
    if (args.has(QStringLiteral("--version"))) {
        out << "docsight-cli " << DOCSIGHT_VERSION << "\n";
        return Ok;
    }
    if (args.command.isEmpty() || args.has(QStringLiteral("--help")) || args.command == QLatin1String("help")) {
        (args.command.isEmpty() && !args.has(QStringLiteral("--help")) ? err : out) << kUsage;
        return args.command.isEmpty() && !args.has(QStringLiteral("--help")) ? Usage : Ok;
    }

    const QHash<QString, std::function<int(const Args &, Context &)>> commands{
        {QStringLiteral("import"), importCommand},     {QStringLiteral("list"), listCommand},
        {QStringLiteral("text"), textCommand},         {QStringLiteral("remove"), removeCommand},
        {QStringLiteral("classify"), classifyCommand}, {QStringLiteral("audit"), auditCommand},
        {QStringLiteral("search"), searchCommand},     {QStringLiteral("eval"), evalCommand},
        {QStringLiteral("ask"), askCommand},           {QStringLiteral("keys"), keysCommand},
        {QStringLiteral("models"), modelsCommand},     {QStringLiteral("reimport"), reimportCommand},
        {QStringLiteral("usage"), usageCommand},       {QStringLiteral("extract"), extractCommand},
        {QStringLiteral("export-report"), exportReportCommand}, {QStringLiteral("feedback"), feedbackCommand},
        {QStringLiteral("conversations"), conversationsCommand}, {QStringLiteral("policy"), policyCommand},
    };
    const auto command = commands.constFind(args.command);
    if (command == commands.cend()) {
        err << "docsight-cli: unknown command '" << args.command << "'\n" << kUsage;
        return Usage;
    }

    QString error;
    const QString folder = args.value(QStringLiteral("--library"), defaultLibrary());
    std::shared_ptr<Library> library = Library::open(folder, &error);
    if (!library) {
        err << "docsight-cli: cannot open library " << QDir::toNativeSeparators(folder) << ": " << error << "\n";
        return LibraryError;
    }
    if (library->isReadOnly()) {
        // Said once; then only what would change the library is refused.
        err << "docsight-cli: " << QDir::toNativeSeparators(library->rootPath()) << " is read-only ("
            << library->readOnlyReason() << "): it is opened for reading, and nothing is changed or recorded in it\n";
        if (const QString what = changesLibrary(args); !what.isEmpty()) {
            err << "docsight-cli: '" << args.command << "' would change the library (" << what << "), which is "
                << "read-only; list, text, search, eval, conversations, usage, policy and audit verify work on it\n";
            return LibraryError;
        }
    }
    Context ctx{library, out, err};
    const int code = (*command)(args, ctx);
    // Pool threads close their per-thread database connections as they exit. Let them exit now, while Qt is
    // fully up: left to static destruction they race QtSql's own teardown and crash now and then.
    QThreadPool::globalInstance()->waitForDone();
    out.flush();
    err.flush();
    return code;
}
