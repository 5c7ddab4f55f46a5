#pragma once

#include <QString>
#include <QStringList>

namespace docsight {

// What the application opens at start.
struct StartupPlan {
    QString libraryFolder;
    QStringList toImport;  // absolute paths
    bool firstRun = false; // no library was chosen before
};

// --library, else $DOCSIGHT_LIBRARY, else the last library, else a new one in the per-user data folder;
// files given on the command line are imported. The first run also imports the sample documents (once
// per user: QSettings remembers it), so there is something to ask about at once; the folder's README
// (where the samples come from, their licences) is about the samples, not one of them.
StartupPlan planStartup(const QString &libraryOption, const QStringList &files, const QString &samplesFolder);

// The sample documents in a samples folder, as absolute paths, without its README.
QStringList sampleDocuments(const QString &samplesFolder);

} // namespace docsight
