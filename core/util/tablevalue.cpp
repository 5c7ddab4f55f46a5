#include "util/tablevalue.h"

namespace docsight {
namespace {

const QString &decoration()
{
    static const QString chars = QStringLiteral("$€£¥()%+-–—*,.");
    return chars;
}

bool isDash(QStringView token)
{
    return token == u"-" || token == u"\u2013" || token == u"\u2014";
}

bool isCurrencySign(QStringView token)
{
    return token == u"$" || token == u"\u20ac" || token == u"\u00a3" || token == u"\u00a5";
}

// Digits and decoration only; how many digits.
int digitsOfCell(QStringView token)
{
    int digits = 0;
    for (const QChar c : token) {
        if (c.isDigit())
            ++digits;
        else if (!decoration().contains(c))
            return -1;
    }
    return digits;
}

} // namespace

bool isTableValue(QStringView token)
{
    return digitsOfCell(token) > 0 || isDash(token);
}

bool isTableCellToken(QStringView token)
{
    const int digits = digitsOfCell(token);
    return digits > 0 || (digits == 0 && !token.isEmpty() && token.size() <= 2);
}

QStringList trailingTableValues(QStringView line, QString *label)
{
    QList<QStringView> tokens = line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    QStringList values;
    while (!tokens.isEmpty()) {
        const QStringView last = tokens.constLast().trimmed();
        if (isTableValue(last))
            values.prepend(last.toString());
        else if (!isCurrencySign(last))
            break;
        tokens.removeLast();
    }
    if (label) {
        QStringList words;
        for (const QStringView t : std::as_const(tokens))
            words << t.trimmed().toString();
        *label = words.join(QLatin1Char(' ')).trimmed();
    }
    return values;
}

} // namespace docsight
