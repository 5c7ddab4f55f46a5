#include "shell/startupplan.h"

#include <QDir>
#include <QFileInfo>
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
        plan.toImport = sampleDocuments(samplesFolder);
    }
    return plan;
}

QStringList sampleDocuments(const QString &samplesFolder)
{
    QStringList out;
    const QDir dir(samplesFolder);
    for (const QFileInfo &f : dir.entryInfoList(QDir::Files | QDir::Readable, QDir::Name)) {
        if (!f.completeBaseName().startsWith(QLatin1String("README"), Qt::CaseInsensitive))
            out.append(f.absoluteFilePath());
    }
    return out;
}

} // namespace docsight
