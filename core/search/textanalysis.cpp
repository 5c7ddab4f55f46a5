#include "search/textanalysis.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <span>
#include <string>

#include <QRegularExpression>
#include <QSet>

namespace docsight {
namespace {

// Porter's algorithm on a lower-case ASCII buffer b[0..k]; a straight port of his reference C code
// (including its two published departures: "bli"->"ble" and "logi"->"log"), as FTS5's porter uses.
class PorterStemmer final
{
public:
    explicit PorterStemmer(std::string word) : b(std::move(word)), k(static_cast<int>(b.size()) - 1) {}

    std::string run()
    {
        if (k <= 1)
            return b;
        step1ab();
        if (k > 0) {
            step1c();
            step2();
            step3();
            step4();
            step5();
        }
        return b.substr(0, static_cast<size_t>(k + 1));
    }

private:
    bool cons(int i) const
    {
        switch (b[static_cast<size_t>(i)]) {
        case 'a': case 'e': case 'i': case 'o': case 'u': return false;
        case 'y': return i == 0 ? true : !cons(i - 1);
        default: return true;
        }
    }

    // The number of vowel-consonant sequences in b[0..j].
    int m() const
    {
        int n = 0;
        int i = 0;
        for (;;) {
            if (i > j)
                return n;
            if (!cons(i))
                break;
            ++i;
        }
        ++i;
        for (;;) {
            for (;;) {
                if (i > j)
                    return n;
                if (cons(i))
                    break;
                ++i;
            }
            ++i;
            ++n;
            for (;;) {
                if (i > j)
                    return n;
                if (!cons(i))
                    break;
                ++i;
            }
            ++i;
        }
    }

    bool vowelInStem() const
    {
        for (int i = 0; i <= j; ++i) {
            if (!cons(i))
                return true;
        }
        return false;
    }

    bool doubleC(int i) const
    {
        return i >= 1 && b[static_cast<size_t>(i)] == b[static_cast<size_t>(i - 1)] && cons(i);
    }

    bool cvc(int i) const
    {
        if (i < 2 || !cons(i) || cons(i - 1) || !cons(i - 2))
            return false;
        const char ch = b[static_cast<size_t>(i)];
        return ch != 'w' && ch != 'x' && ch != 'y';
    }

    bool ends(const char *s)
    {
        const int length = static_cast<int>(std::strlen(s));
        if (length > k + 1)
            return false;
        if (b.compare(static_cast<size_t>(k - length + 1), static_cast<size_t>(length), s) != 0)
            return false;
        j = k - length;
        return true;
    }

    void setTo(const char *s)
    {
        const int length = static_cast<int>(std::strlen(s));
        b.replace(static_cast<size_t>(j + 1), static_cast<size_t>(k - j), s);
        k = j + length;
    }

    void r(const char *s)
    {
        if (m() > 0)
            setTo(s);
    }

    void step1ab()
    {
        if (b[static_cast<size_t>(k)] == 's') {
            if (ends("sses"))
                k -= 2;
            else if (ends("ies"))
                setTo("i");
            else if (b[static_cast<size_t>(k - 1)] != 's')
                --k;
        }
        if (ends("eed")) {
            if (m() > 0)
                --k;
        } else if ((ends("ed") || ends("ing")) && vowelInStem()) {
            k = j;
            if (ends("at"))
                setTo("ate");
            else if (ends("bl"))
                setTo("ble");
            else if (ends("iz"))
                setTo("ize");
            else if (doubleC(k)) {
                --k;
                const char ch = b[static_cast<size_t>(k)];
                if (ch == 'l' || ch == 's' || ch == 'z')
                    ++k;
            } else if (m() == 1 && cvc(k)) {
                setTo("e");
            }
        }
    }

    void step1c()
    {
        if (ends("y") && vowelInStem())
            b[static_cast<size_t>(k)] = 'i';
    }

    // Porter's steps 2 and 3: the first rule whose suffix ends the word replaces it (when the stem before
    // it has a measure above 0) and the step ends. Porter switches on one letter to pick the few rules
    // that can match; the suffixes differ in that letter, so trying them in his order decides the same.
    struct Rule {
        const char *suffix;
        const char *replacement;
    };

    void replaceFirst(std::span<const Rule> rules)
    {
        for (const Rule &rule : rules) {
            if (ends(rule.suffix)) {
                r(rule.replacement);
                return;
            }
        }
    }

    void step2()
    {
        static constexpr Rule kRules[] = {
            {"ational", "ate"}, {"tional", "tion"}, {"enci", "ence"}, {"anci", "ance"}, {"izer", "ize"},
            {"bli", "ble"}, {"alli", "al"}, {"entli", "ent"}, {"eli", "e"}, {"ousli", "ous"}, {"ization", "ize"},
            {"ation", "ate"}, {"ator", "ate"}, {"alism", "al"}, {"iveness", "ive"}, {"fulness", "ful"},
            {"ousness", "ous"}, {"aliti", "al"}, {"iviti", "ive"}, {"biliti", "ble"}, {"logi", "log"}};
        if (k >= 1)
            replaceFirst(kRules);
    }

    void step3()
    {
        static constexpr Rule kRules[] = {
            {"icate", "ic"}, {"ative", ""}, {"alize", "al"}, {"iciti", "ic"}, {"ical", "ic"}, {"ful", ""},
            {"ness", ""}};
        replaceFirst(kRules);
    }

    // Step 4 drops the first suffix of these the word ends with, when the stem has a measure above 1;
    // "-ion" only after s or t.
    void step4()
    {
        static constexpr const char *kSuffixes[] = {"al",  "ance", "ence", "er",  "ic",  "able", "ible",
                                                   "ant", "ement", "ment", "ent", "ion", "ou",   "ism",
                                                   "ate", "iti",  "ous",  "ive", "ize"};
        if (k < 1)
            return;
        for (const char *suffix : kSuffixes) {
            if (!ends(suffix))
                continue;
            const bool afterSOrT = j >= 0 && (b[static_cast<size_t>(j)] == 's' || b[static_cast<size_t>(j)] == 't');
            if (std::strcmp(suffix, "ion") == 0 && !afterSOrT)
                continue;
            if (m() > 1)
                k = j;
            return;
        }
    }

    void step5()
    {
        j = k;
        if (b[static_cast<size_t>(k)] == 'e') {
            const int a = m();
            if (a > 1 || (a == 1 && !cvc(k - 1)))
                --k;
        }
        if (b[static_cast<size_t>(k)] == 'l' && doubleC(k) && m() > 1)
            --k;
    }

    std::string b;
    int k = 0;
    int j = 0;
};

const QSet<QString> &stopWords()
{
    static const QSet<QString> words = [] {
        // Function words plus the words questions are phrased with; none names a topic.
        const char *const list[] = {
            "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are",
            "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
            "can", "could", "did", "do", "does", "doing", "down", "during", "each", "either", "etc", "few",
            "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself",
            "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just",
            "may", "me", "might", "more", "most", "must", "my", "myself", "no", "nor", "not", "of", "off",
            "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same",
            "shall", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them",
            "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under",
            "until", "up", "us", "very", "was", "we", "were", "what", "when", "where", "which", "while",
            "who", "whom", "whose", "why", "will", "with", "would", "you", "your", "yours", "yourself",
            "yourselves",
        };
        QSet<QString> set;
        for (const char *w : list)
            set.insert(QString::fromLatin1(w));
        return set;
    }();
    return words;
}

} // namespace

QString foldForSearch(QStringView text)
{
    // Fast path: plain ASCII needs only lower-casing.
    bool ascii = true;
    for (const QChar c : text) {
        if (c.unicode() >= 0x80) {
            ascii = false;
            break;
        }
    }
    if (ascii)
        return text.toString().toLower();
    const QString decomposed = text.toString().normalized(QString::NormalizationForm_KD);
    QString out;
    out.reserve(decomposed.size());
    for (const QChar c : decomposed) {
        const QChar::Category category = c.category();
        if (category == QChar::Mark_NonSpacing || category == QChar::Mark_Enclosing)
            continue;
        out.append(c);
    }
    return out.toCaseFolded();
}

QList<QStringView> searchTokens(QStringView folded)
{
    QList<QStringView> tokens;
    qsizetype start = -1;
    for (qsizetype i = 0; i <= folded.size(); ++i) {
        bool word = false;
        if (i < folded.size()) {
            const QChar c = folded.at(i);
            // Surrogate pairs (emoji, rare scripts) count as separators unless they are letters,
            // which unicode61 also does for symbols.
            word = c.isLetterOrNumber() || c.category() == QChar::Mark_SpacingCombining;
        }
        if (word && start < 0)
            start = i;
        else if (!word && start >= 0) {
            tokens.append(folded.mid(start, i - start));
            start = -1;
        }
    }
    return tokens;
}

bool isStopWord(QStringView folded)
{
    return folded.size() <= 9 && stopWords().contains(folded.toString());
}

bool looksNavigational(QStringView text)
{
    // An entry ends in a leader of three or more dots (spaced or not, or an ellipsis character)
    // and one or more page numbers, arabic or roman, separated by commas.
    static const QRegularExpression entry(QStringLiteral("(?:(?:\\.\\s?){3,}|\u2026+)\\s*(?:\\d{1,4}|[ivxlcdm]{1,6})"
                                                         "(?:\\s*[,\u2013-]\\s*(?:\\d{1,4}|[ivxlcdm]{1,6}))*\\s*$"),
                                          QRegularExpression::CaseInsensitiveOption);
    // Most passages have no leader at all; they are settled without a regular expression.
    if (!text.contains(QLatin1String(". . .")) && !text.contains(QLatin1String("...")) && !text.contains(QChar(0x2026)))
        return false;
    int lines = 0;
    int entries = 0;
    for (const QStringView line : text.split(QLatin1Char('\n'))) {
        const QStringView t = line.trimmed();
        if (entry.match(t).hasMatch()) {
            ++entries;
            ++lines;
        } else if (std::any_of(t.cbegin(), t.cend(), [](QChar c) { return c.isLetter(); })) {
            ++lines; // lines without letters (section numbers set apart, axis ticks) say neither
        }
    }
    return entries >= 3 && 2 * entries >= lines;
}

QString porterStem(QStringView word)
{
    if (word.size() < 3 || word.size() > 40)
        return word.toString();
    std::string ascii;
    ascii.reserve(static_cast<size_t>(word.size()));
    for (const QChar c : word) {
        const char16_t u = c.unicode();
        if (u < 'a' || u > 'z')
            return word.toString();
        ascii.push_back(static_cast<char>(u));
    }
    return QString::fromStdString(PorterStemmer(std::move(ascii)).run());
}

} // namespace docsight
