// The CLI's help is a contract written down in three places: `docsight-cli --help`, the README's usage
// block and the docsight-cli(1) man page. Scripts read the README; this keeps the three from drifting.
#include "testsupport.h"

#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace docsight;

namespace {

QString sourceFile(const QString &relative)
{
    return QStringLiteral(DOCSIGHT_SOURCE_DIR "/") + relative;
}

// The command words of the usage text: lines indented by exactly two spaces under "Commands:".
QStringList commandWords(const QString &usage)
{
    QStringList words;
    bool inCommands = false;
    for (const QString &line : usage.split(QLatin1Char('\n'))) {
        if (line == QLatin1String("Commands:")) {
            inCommands = true;
            continue;
        }
        if (inCommands && line.isEmpty())
            break;
        static const QRegularExpression command(QStringLiteral("^  ([a-z][a-z-]+)"));
        const QRegularExpressionMatch m = command.match(line);
        if (inCommands && m.hasMatch() && !words.contains(m.captured(1)))
            words << m.captured(1);
    }
    return words;
}

QSet<QString> optionWords(const QString &text)
{
    QSet<QString> options;
    static const QRegularExpression option(QStringLiteral("(?<![\\w-])--[a-z][a-z-]*"));
    for (auto it = option.globalMatch(text); it.hasNext();)
        options.insert(it.next().captured(0));
    return options;
}

} // namespace

class TestCliHelp final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void helpPrintsExactlyTheReadmeUsageBlock()
    {
        const test::ProcessResult help = test::runCli({QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        const QString readme = test::readTextFile(sourceFile(QStringLiteral("README.md")));
        static const QRegularExpression block(QStringLiteral("```\\n(usage: docsight-cli.*?\\n)```"),
                                              QRegularExpression::DotMatchesEverythingOption);
        const QRegularExpressionMatch m = block.match(readme);
        QVERIFY2(m.hasMatch(), "README.md has no usage block");
        QCOMPARE(QString::fromUtf8(help.out), m.captured(1));
    }

    void manPageDocumentsEveryCommandAndOption()
    {
        const test::ProcessResult help = test::runCli({QStringLiteral("--help")});
        const QString usage = QString::fromUtf8(help.out);
        const QString man = test::readTextFile(sourceFile(QStringLiteral("packaging/docsight-cli.1")));
        QVERIFY(!man.isEmpty());
        // Compare what a reader sees: groff escapes hyphens and switches fonts inline.
        QString plain = QString(man).replace(QStringLiteral("\\-"), QStringLiteral("-"));
        plain.remove(QRegularExpression(QStringLiteral("\\\\f[BIRP]")));
        const QStringList commands = commandWords(usage);
        QVERIFY2(commands.size() >= 15, qPrintable(commands.join(QLatin1Char(' '))));
        for (const QString &command : commands) {
            const QRegularExpression entry(QStringLiteral("^\\.B %1\\b").arg(QRegularExpression::escape(command)),
                                           QRegularExpression::MultilineOption);
            QVERIFY2(entry.match(plain).hasMatch(), qPrintable(QStringLiteral("man page lacks command ") + command));
        }
        for (const QString &option : optionWords(usage))
            QVERIFY2(optionWords(plain).contains(option), qPrintable(QStringLiteral("man page lacks option ") + option));
    }
};

QTEST_GUILESS_MAIN(TestCliHelp)
#include "tst_clihelp.moc"
