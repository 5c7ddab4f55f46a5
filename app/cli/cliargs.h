#pragma once

#include <QHash>
#include <QSet>
#include <QString>
#include <QStringList>

namespace docsight::cli {

// Minimal "command [--flag] [--option VALUE] positional..." parsing, so every command shares the
// same rules: options may come before or after positionals, "--opt=value" works, "--" ends options.
struct Args {
    QString command;
    QStringList positional;
    QHash<QString, QString> options; // "--name" -> value
    QSet<QString> flags;             // "--json"
    QString error;                   // set when parsing failed

    bool has(const QString &flag) const { return flags.contains(flag); }
    QString value(const QString &option, const QString &fallback = {}) const { return options.value(option, fallback); }
};

// valueOptions: options that take a value (e.g. "--library"); flagOptions: options that take none.
Args parseArgs(const QStringList &arguments, const QSet<QString> &valueOptions, const QSet<QString> &flagOptions);

// A value for one field of the tab-separated, one-line-per-record output (import, list, remove,
// classify): backslash, tab, newline and carriage return become \\, \t, \n and \r, so a file name
// holding them cannot split a line or a field. Everything else is printed as it is.
QString field(const QString &text);

} // namespace docsight::cli
