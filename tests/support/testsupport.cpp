#include "testsupport.h"

#include <atomic>

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>

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

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

qint64 libraryScalar(const QString &library, const QString &sql)
{
    static std::atomic_int next = 0;
    const QString name = QStringLiteral("test-probe-%1").arg(++next);
    qint64 n = -1;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(library + QStringLiteral("/library.sqlite3"));
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(sql) && q.next())
                n = q.value(0).toLongLong();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return n;
}

} // namespace docsight::test
