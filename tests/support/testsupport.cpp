#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>

namespace docsight::test {

QString corpusPath(const QString &relative)
{
    return QDir(QStringLiteral(DOCSIGHT_SHARED_DIR "/corpus")).absoluteFilePath(relative);
}

QString goldenPath(const QString &relative)
{
    return QDir(QStringLiteral(DOCSIGHT_SHARED_DIR "/golden")).absoluteFilePath(relative);
}

QStringList corpusFiles(const QString &folder)
{
    QDir dir(corpusPath(folder));
    QStringList out;
    const QStringList names = dir.entryList(QDir::Files, QDir::Name);
    for (const QString &name : names) {
        if (!name.startsWith(QLatin1String("README")))
            out << dir.absoluteFilePath(name);
    }
    return out;
}

QString readTextFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

ProcessResult runCli(const QStringList &arguments, int timeoutMs, const QByteArray &stdinData)
{
    ProcessResult r;
    QProcess p;
    p.start(QStringLiteral(DOCSIGHT_CLI_PATH), arguments);
    if (!p.waitForStarted(10000))
        return r;
    if (!stdinData.isEmpty())
        p.write(stdinData);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        r.timedOut = true;
        p.kill();
        p.waitForFinished(5000);
    }
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    r.crashed = p.exitStatus() == QProcess::CrashExit && !r.timedOut;
    r.exitCode = p.exitCode();
    return r;
}

QJsonArray listJson(const QString &library)
{
    const ProcessResult r = runCli({QStringLiteral("--library"), library, QStringLiteral("list"), QStringLiteral("--json")});
    return QJsonDocument::fromJson(r.out).array();
}

QStringList lines(const QByteArray &output)
{
    return QString::fromUtf8(output).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

} // namespace docsight::test
