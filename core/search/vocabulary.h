#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace docsight {

// Groups of phrases that name the same thing ("capex" | "purchases of property and equipment"), so
// a question worded as an analyst speaks also finds the page worded as the statement prints.
// Phrases match on stemmed words (foldForSearch, searchTokens, porterStem), longest first, and a
// word of the question belongs to at most one matched phrase. Immutable after construction;
// thread-safe.
class Vocabulary final
{
public:
    // One group per line, phrases separated by '|'; '#' starts a comment line.
    explicit Vocabulary(const QString &table);

    // The analyst vocabulary shipped with Docsight (resources/search/analyst-vocabulary.txt).
    static const Vocabulary &analyst();

    struct Expansion {
        QString matched;           // the question's words that matched, as the table spells them
        QStringList alternatives;  // the group's other phrases
    };
    QList<Expansion> expand(const QString &question) const;

    int groupCount() const { return static_cast<int>(m_groups.size()); }

private:
    struct Phrase {
        QStringList stems;
        int group = 0;
        int index = 0; // in its group
    };
    QList<QStringList> m_groups; // phrase texts
    QList<Phrase> m_phrases;     // longest first
};

// Stemmed words of text, as the vocabulary and the second ranking stage compare them.
QStringList stemmedWords(const QString &text);

// Spells fiscal-year and quarter shorthand out as filings print it: "FY2017" and "FY17" become
// "fiscal 2017", "Q3 2020" keeps its year and gains "third quarter".
QString spellOutPeriods(const QString &question);

} // namespace docsight
