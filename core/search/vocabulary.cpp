#include "search/vocabulary.h"

#include "search/textanalysis.h"

#include <algorithm>

#include <QFile>
#include <QLoggingCategory>
#include <QRegularExpression>

namespace docsight {

Q_LOGGING_CATEGORY(lcVocabulary, "docsight.search.vocabulary")

QStringList stemmedWords(const QString &text)
{
    const QString folded = foldForSearch(text);
    QStringList out;
    for (const QStringView token : searchTokens(folded))
        out.append(porterStem(token));
    return out;
}

QString spellOutPeriods(const QString &question)
{
    QString out = question;
    // "FY2017", "FY 2017", "FY'17", "FY17": two digits are this century's year.
    static const QRegularExpression fiscal(QStringLiteral("\\bFY\\s?'?(\\d{4}|\\d{2})\\b"),
                                           QRegularExpression::CaseInsensitiveOption);
    for (auto m = fiscal.match(out); m.hasMatch(); m = fiscal.match(out, m.capturedStart() + 1)) {
        const QString year = m.captured(1).size() == 2 ? QStringLiteral("20") + m.captured(1) : m.captured(1);
        out.replace(m.capturedStart(), m.capturedLength(), QStringLiteral("fiscal ") + year);
    }
    static const QRegularExpression quarter(QStringLiteral("\\b([1-4])Q\\b|\\bQ([1-4])\\b"));
    static const char *const names[] = {"first", "second", "third", "fourth"};
    for (auto m = quarter.match(out); m.hasMatch(); m = quarter.match(out, m.capturedStart() + 1)) {
        const int n = (m.captured(1).isEmpty() ? m.captured(2) : m.captured(1)).toInt();
        out.replace(m.capturedStart(), m.capturedLength(), QString::fromLatin1(names[n - 1]) + QStringLiteral(" quarter"));
    }
    return out;
}

Vocabulary::Vocabulary(const QString &table)
{
    for (const QString &raw : table.split(QLatin1Char('\n'))) {
        const QString line = raw.trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        QStringList group;
        for (const QString &part : line.split(QLatin1Char('|'))) {
            const QString phrase = part.trimmed();
            if (!phrase.isEmpty() && !stemmedWords(phrase).isEmpty())
                group.append(phrase);
        }
        if (group.size() < 2)
            continue;
        const int g = static_cast<int>(m_groups.size());
        for (qsizetype i = 0; i < group.size(); ++i)
            m_phrases.append({stemmedWords(group.at(i)), g, static_cast<int>(i)});
        m_groups.append(group);
    }
    std::stable_sort(m_phrases.begin(), m_phrases.end(),
                     [](const Phrase &a, const Phrase &b) { return a.stems.size() > b.stems.size(); });
}

const Vocabulary &Vocabulary::analyst()
{
    static const Vocabulary vocabulary = [] {
        QFile file(QStringLiteral(":/search/analyst-vocabulary.txt"));
        if (!file.open(QIODevice::ReadOnly)) {
            // Compiled in, so this is a build fault; search still works on the question's own words.
            qCWarning(lcVocabulary) << "the analyst vocabulary is missing from the build";
            return Vocabulary(QString());
        }
        return Vocabulary(QString::fromUtf8(file.readAll()));
    }();
    return vocabulary;
}

QList<Vocabulary::Expansion> Vocabulary::expand(const QString &question) const
{
    QList<Expansion> out;
    const QStringList words = stemmedWords(spellOutPeriods(question));
    QList<bool> used(words.size(), false);
    QList<int> groupsSeen;
    for (const Phrase &phrase : m_phrases) {
        const qsizetype n = phrase.stems.size();
        for (qsizetype at = 0; at + n <= words.size(); ++at) {
            bool match = true;
            for (qsizetype j = 0; j < n && match; ++j)
                match = !used.at(at + j) && words.at(at + j) == phrase.stems.at(j);
            if (!match)
                continue;
            for (qsizetype j = 0; j < n; ++j)
                used[at + j] = true;
            if (groupsSeen.contains(phrase.group))
                break;
            groupsSeen.append(phrase.group);
            Expansion e;
            const QStringList &group = m_groups.at(phrase.group);
            e.matched = group.at(phrase.index);
            for (qsizetype i = 0; i < group.size(); ++i) {
                if (i != phrase.index)
                    e.alternatives.append(group.at(i));
            }
            out.append(e);
            break;
        }
    }
    return out;
}

} // namespace docsight
