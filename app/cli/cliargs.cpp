#include "cliargs.h"

namespace docsight::cli {

Args parseArgs(const QStringList &arguments, const QSet<QString> &valueOptions, const QSet<QString> &flagOptions)
{
    Args args;
    bool optionsEnded = false;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &a = arguments.at(i);
        if (!optionsEnded && a == QLatin1String("--")) {
            optionsEnded = true;
            continue;
        }
        if (!optionsEnded && a.startsWith(QLatin1String("--")) && a.size() > 2) {
            QString name = a;
            QString inlineValue;
            bool hasInline = false;
            if (const qsizetype eq = a.indexOf(QLatin1Char('=')); eq > 0) {
                name = a.left(eq);
                inlineValue = a.mid(eq + 1);
                hasInline = true;
            }
            if (valueOptions.contains(name)) {
                if (hasInline) {
                    args.options.insert(name, inlineValue);
                } else if (i + 1 < arguments.size()) {
                    args.options.insert(name, arguments.at(++i));
                } else {
                    args.error = QStringLiteral("option %1 needs a value").arg(name);
                    return args;
                }
            } else if (flagOptions.contains(name) && !hasInline) {
                args.flags.insert(name);
            } else {
                args.error = QStringLiteral("unknown option %1").arg(name);
                return args;
            }
            continue;
        }
        if (args.command.isEmpty())
            args.command = a;
        else
            args.positional.append(a);
    }
    return args;
}

QString field(const QString &text)
{
    QString escaped;
    escaped.reserve(text.size());
    for (const QChar c : text) {
        switch (c.unicode()) {
        case '\\': escaped += QLatin1String("\\\\"); break;
        case '\t': escaped += QLatin1String("\\t"); break;
        case '\n': escaped += QLatin1String("\\n"); break;
        case '\r': escaped += QLatin1String("\\r"); break;
        default: escaped += c;
        }
    }
    return escaped;
}

} // namespace docsight::cli
