// docsight: the desktop application.
#include "common/icons.h"
#include "shell/appsession.h"
#include "shell/startupplan.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QThreadPool>

using namespace docsight;

namespace {

// The sample documents shipped in resources/samples: next to an installed binary, or in the source tree.
QString samplesFolder()
{
    const QStringList candidates{QCoreApplication::applicationDirPath() + QStringLiteral("/../share/docsight/samples"),
                                 QStringLiteral(DOCSIGHT_SOURCE_SAMPLES)};
    for (const QString &c : candidates) {
        if (QDir(c).exists())
            return QDir(c).absolutePath();
    }
    return {};
}

} // namespace

int main(int argc, char *argv[])
{
    // Tesseract parallelises with OpenMP inside each page; we already run one page per core.
    if (qEnvironmentVariableIsEmpty("OMP_THREAD_LIMIT"))
        qputenv("OMP_THREAD_LIMIT", "1");
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("Docsight"));
    QCoreApplication::setApplicationName(QStringLiteral("docsight"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DOCSIGHT_VERSION));
    QGuiApplication::setApplicationDisplayName(QStringLiteral("Docsight"));
    QGuiApplication::setDesktopFileName(QStringLiteral("docsight"));
    QApplication::setWindowIcon(icons::icon(QStringLiteral("docsight")));
    QThreadPool::globalInstance()->setExpiryTimeout(-1);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Ask questions of your documents, offline."));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption libraryOption(QStringLiteral("library"), QStringLiteral("Library folder to open."),
                                     QStringLiteral("DIR"));
    parser.addOption(libraryOption);
    parser.addPositionalArgument(QStringLiteral("files"), QStringLiteral("Files or folders to import."), QStringLiteral("[files...]"));
    parser.process(app);

    const StartupPlan plan = planStartup(parser.value(libraryOption), parser.positionalArguments(), samplesFolder());
    AppSession session;
    session.open(plan.libraryFolder, plan.toImport);
    return app.exec();
}
