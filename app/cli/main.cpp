// docsight-cli: everything the GUI does, headless and scriptable. Links no QtWidgets.
#include "commands.h"

#include "store/library.h"

#include <cstdio>
#include <functional>

#include <QCoreApplication>
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
  list [--json]       documents in the library
  text DOC [--page N] [--json]
                      the text read from a document (DOC is an id or a file name)
  remove DOC          remove a document, its pages, chunks and stored copy
  classify DOC LEVEL  set Public, Internal, Confidential or Restricted
  audit verify        check the audit trail's hash chain; prints the head hash

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

} // namespace

int main(int argc, char *argv[])
{
    // Tesseract parallelises with OpenMP inside each page; we already run one page per core.
    if (qEnvironmentVariableIsEmpty("OMP_THREAD_LIMIT"))
        qputenv("OMP_THREAD_LIMIT", "1");
    QCoreApplication app(argc, argv);
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
                                 QStringLiteral("--classification"), QStringLiteral("--page")},
                                {QStringLiteral("--json"), QStringLiteral("--help"), QStringLiteral("--version")});
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
    Context ctx{library, out, err};
    const int code = (*command)(args, ctx);
    out.flush();
    err.flush();
    return code;
}
