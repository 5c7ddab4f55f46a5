#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace docsight::test {

// Absolute path of a file under ../shared/corpus (e.g. "pdf/R-intro.pdf").
QString corpusPath(const QString &relative);
// Absolute path of a file under ../shared/golden.
QString goldenPath(const QString &relative);
// Every file (not README) in a corpus sub-folder, sorted.
QStringList corpusFiles(const QString &folder);
// Reads a whole file as UTF-8.
QString readTextFile(const QString &path);

struct ProcessResult {
    int exitCode = -1;
    bool crashed = false;   // ended by a signal
    bool timedOut = false;  // killed after the timeout
    QByteArray out;
    QByteArray err;
};

// Runs docsight-cli with the arguments; kills it after timeoutMs.
ProcessResult runCli(const QStringList &arguments, int timeoutMs = 120000, const QByteArray &stdinData = {});
// `docsight-cli --library LIB list --json`, parsed: one object per document.
QJsonArray listJson(const QString &library);
// Program output split into its non-empty lines.
QStringList lines(const QByteArray &output);

// Writes bytes to path (truncating); false when it could not be written whole.
bool writeFile(const QString &path, const QByteArray &bytes);
// A whole file's bytes; empty when it cannot be read.
QByteArray readFile(const QString &path);
// The first column of the first row of sql over LIBRARY/library.sqlite3, read as another process
// would (its own connection, a WAL reader); -1 when it cannot be read.
qint64 libraryScalar(const QString &library, const QString &sql);

} // namespace docsight::test
