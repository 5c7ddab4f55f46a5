#include "startupplan.h"

#include <QDir>
#include <QSettings>
#include <QStandardPaths>

namespace docsight {

StartupPlan planStartup(const QString &libraryOption, const QStringList &files, const QString &samplesFolder)
{
    QSettings settings;
    StartupPlan plan;
    plan.libraryFolder = libraryOption;
    if (plan.libraryFolder.isEmpty())
        plan.libraryFolder = qEnvironmentVariable("DOCSIGHT_LIBRARY");
    if (plan.libraryFolder.isEmpty())
        plan.libraryFolder = settings.value(QStringLiteral("library/last")).toString();
    plan.firstRun = plan.libraryFolder.isEmpty();
    if (plan.firstRun)
        plan.libraryFolder = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + QStringLiteral("/library");

    for (const QString &path : files)
        plan.toImport.append(QDir::current().absoluteFilePath(path));
    if (plan.firstRun && plan.toImport.isEmpty() && !samplesFolder.isEmpty()
        && !settings.value(QStringLiteral("library/samplesOffered")).toBool()) {
        settings.setValue(QStringLiteral("library/samplesOffered"), true);
        plan.toImport.append(samplesFolder);
    }
    return plan;
}

} // namespace docsight
