#include "search/passageranker.h"

#include "search/keywordsearch.h"
#include "search/textanalysis.h"
#include "search/vocabulary.h"

#include <algorithm>

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSet>

namespace docsight {

Q_LOGGING_CATEGORY(lcRanker, "docsight.search.ranker")

namespace {

constexpr const char *kFeatureNames[PassageRanker::FeatureCount] = {
    "fused", "keyword", "vector", "coverage", "proximity", "phrase",
    "year_match", "year_other", "numbers", "document_prior", "navigational", "page_coverage", "page_year", "heading_coverage", "first_stage_rank"};

// Two question words count as "together" in a passage when at most this many words lie between.
constexpr int kProximityWindow = 4;

QStringList yearsIn(const QString &text)
{
    static const QRegularExpression year(QStringLiteral("\\b(?:19|20)\\d\\d\\b"));
    QStringList out;
    for (auto it = year.globalMatch(text); it.hasNext();) {
        const QString y = it.next().captured(0);
        if (!out.contains(y))
            out.append(y);
    }
    return out;
}

bool asksForAmount(const QString &question)
{
    static const QRegularExpression amount(
        QStringLiteral("\\b(?:how (?:much|many|large|big|high|low)|what (?:was|were|is|are) (?:the )?(?:total|amount|value|level)"
                       "|what (?:percentage|percent|share|portion|proportion|amount)|how much)\\b|\\b(?:what (?:was|were))\\b"),
        QRegularExpression::CaseInsensitiveOption);
    return amount.match(question).hasMatch();
}

struct Words {
    QStringList stems;                  // every word, stop words included, in order
    QHash<QString, QList<int>> positions;
    int figures = 0;                    // numbers of two or more digits
};

Words wordsOf(const QString &text)
{
    Words w;
    const QString folded = foldForSearch(text);
    for (const QStringView token : searchTokens(folded)) {
        const int at = static_cast<int>(w.stems.size());
        const QString stem = porterStem(token);
        w.stems.append(stem);
        w.positions[stem].append(at);
        if (token.size() >= 2 && std::all_of(token.begin(), token.end(), [](QChar c) { return c.isDigit(); }))
            ++w.figures;
    }
    return w;
}

// What the features need to know about the question.
struct Question {
    QStringList content;  // content-word stems, each once
    QList<double> weight; // their IDF in the library (1 each without library counts)
    double totalWeight = 0.0;
    QList<std::pair<QStringList, QStringList>> phrases; // vocabulary phrase, the question words it stands for
    QStringList years;
    bool amount = false;
};

Question questionOf(const QString &question, const KeywordQuery &query)
{
    Question q;
    const QString spelled = spellOutPeriods(question);
    const QString folded = foldForSearch(spelled); // searchTokens() returns views into it
    for (const QStringView token : searchTokens(folded)) {
        if (isStopWord(token))
            continue;
        const QString stem = porterStem(token);
        if (q.content.contains(stem))
            continue;
        const double idf = query.chunkCount > 0 ? inverseDocumentFrequency(query.frequencyOf.value(stem), query.chunkCount) : 1.0;
        q.content.append(stem);
        q.weight.append(idf);
        q.totalWeight += idf;
    }
    for (qsizetype i = 0; i < query.expansionPhrases.size(); ++i)
        q.phrases.append({stemmedWords(query.expansionPhrases.at(i)), stemmedWords(query.expandedFrom.value(i))});
    q.years = yearsIn(spelled);
    q.amount = asksForAmount(question);
    return q;
}

// Share of the question's word weight found among words.
double coverage(const Question &q, const Words &words)
{
    double covered = 0.0;
    for (qsizetype i = 0; i < q.content.size(); ++i) {
        if (words.positions.contains(q.content.at(i)))
            covered += q.weight.at(i);
    }
    return q.totalWeight > 0 ? covered / q.totalWeight : 0.0;
}

bool near(const Words &w, const QString &a, const QString &b)
{
    const auto pa = w.positions.constFind(a);
    const auto pb = w.positions.constFind(b);
    if (pa == w.positions.cend() || pb == w.positions.cend())
        return false;
    for (const int i : *pa) {
        for (const int j : *pb) {
            if (std::abs(i - j) <= kProximityWindow + 1)
                return true;
        }
    }
    return false;
}

bool containsSequence(const Words &w, const QStringList &sequence)
{
    if (sequence.isEmpty())
        return false;
    const auto first = w.positions.constFind(sequence.first());
    if (first == w.positions.cend())
        return false;
    for (const int at : *first) {
        if (at + sequence.size() > w.stems.size())
            continue;
        bool match = true;
        for (qsizetype j = 1; j < sequence.size() && match; ++j)
            match = w.stems.at(at + j) == sequence.at(j);
        if (match)
            return true;
    }
    return false;
}

} // namespace

QString PassageRanker::featureName(int feature)
{
    return feature >= 0 && feature < FeatureCount ? QString::fromLatin1(kFeatureNames[feature]) : QString();
}

PassageRanker::PassageRanker(const QString &weightsJson)
{
    const QJsonObject weights = QJsonDocument::fromJson(weightsJson.toUtf8()).object().value(QLatin1String("weights")).toObject();
    int found = 0;
    for (int i = 0; i < FeatureCount; ++i) {
        const QJsonValue v = weights.value(featureName(i));
        if (v.isDouble()) {
            m_weights[static_cast<size_t>(i)] = v.toDouble();
            ++found;
        }
    }
    m_usable = found == FeatureCount;
}

const PassageRanker &PassageRanker::shipped()
{
    static const PassageRanker ranker = [] {
        QFile file(QStringLiteral(":/search/ranker-weights.json"));
        if (!file.open(QIODevice::ReadOnly)) {
            qCWarning(lcRanker) << "the second stage's weights are missing from the build; the first stage's order is kept";
            return PassageRanker(QString());
        }
        PassageRanker r(QString::fromUtf8(file.readAll()));
        if (!r.isUsable())
            qCWarning(lcRanker) << "the second stage's weights do not name every feature; the first stage's order is kept";
        return r;
    }();
    return ranker;
}

double PassageRanker::score(const Features &f) const
{
    double s = 0.0;
    for (size_t i = 0; i < f.size(); ++i)
        s += m_weights[i] * f[i];
    return s;
}

QList<PassageRanker::Features> PassageRanker::features(const QString &question, const KeywordQuery &query,
                                                       const QList<Candidate> &candidates,
                                                       const QHash<qint64, double> &documentScores) const
{
    const Question q = questionOf(question, query);
    double bestFused = 0.0, bestKeyword = 0.0, bestDocument = 0.0;
    for (const Candidate &c : candidates) {
        bestFused = std::max(bestFused, c.fusedScore);
        bestKeyword = std::max(bestKeyword, c.keywordScore);
    }
    for (const double s : documentScores)
        bestDocument = std::max(bestDocument, s);

    // Several candidates share a page: each page's words are read once.
    QHash<QString, std::pair<Words, QStringList>> pages;
    for (const Candidate &c : candidates) {
        if (!c.pageTop.isEmpty() && !pages.contains(c.pageTop)) {
            const QString top = c.pageTop.left(kPageTopChars);
            pages.insert(c.pageTop, {wordsOf(top), yearsIn(top)});
        }
    }
    QList<Features> out;
    out.reserve(candidates.size());
    for (const Candidate &c : candidates) {
        Features f{};
        f[Fused] = bestFused > 0 ? c.fusedScore / bestFused : 0.0;
        f[Keyword] = bestKeyword > 0 ? c.keywordScore / bestKeyword : 0.0;
        f[Vector] = std::clamp(c.vectorScore, 0.0, 1.0);
        const QString passage = c.heading + QLatin1Char('\n') + c.text;
        const Words w = wordsOf(passage);
        f[Coverage] = coverage(q, w);
        f[HeadingCoverage] = c.heading.isEmpty() ? 0.0 : coverage(q, wordsOf(c.heading));
        f[FirstStageRank] = c.rank > 0 ? 10.0 / (9.0 + c.rank) : 0.0;
        const auto page = pages.constFind(c.pageTop);
        Words inherited = w;
        if (page != pages.cend()) {
            for (auto it = page->first.positions.cbegin(); it != page->first.positions.cend(); ++it)
                inherited.positions[it.key()];
        }
        f[PageCoverage] = coverage(q, inherited);
        int pairs = 0, together = 0;
        for (qsizetype i = 0; i + 1 < q.content.size(); ++i) {
            ++pairs;
            together += near(w, q.content.at(i), q.content.at(i + 1)) ? 1 : 0;
        }
        f[Proximity] = pairs > 0 ? static_cast<double>(together) / pairs : 0.0;
        // The vocabulary counts where it supplies what the question's own words lack: a passage
        // that says "purchases of property and equipment" for a question about "capex".
        f[Phrase] = std::any_of(q.phrases.cbegin(), q.phrases.cend(), [&](const auto &p) {
            return containsSequence(w, p.first) && !containsSequence(w, p.second);
        }) ? 1.0 : 0.0;
        if (!q.years.isEmpty()) {
            const QStringList passageYears = yearsIn(passage);
            const QStringList pageYears = page != pages.cend() ? page->second : QStringList();
            const auto inPassage = [&](const QString &y) { return passageYears.contains(y); };
            f[YearMatch] = std::all_of(q.years.cbegin(), q.years.cend(), inPassage) ? 1.0 : 0.0;
            f[YearOther] = std::none_of(q.years.cbegin(), q.years.cend(), inPassage) && !passageYears.isEmpty() ? 1.0 : 0.0;
            f[PageYear] = std::all_of(q.years.cbegin(), q.years.cend(),
                                      [&](const QString &y) { return inPassage(y) || pageYears.contains(y); })
                ? 1.0 : 0.0;
        }
        if (q.amount && !w.stems.isEmpty())
            f[Numbers] = std::min(1.0, 4.0 * w.figures / static_cast<double>(w.stems.size()));
        // A share of the best document's score. (exp(s - s_best), reading BM25 as a log-likelihood,
        // was measured too: slightly worse on the held-out questions, as BM25 is no calibrated one.)
        f[DocumentPrior] = bestDocument > 0 ? documentScores.value(c.documentId) / bestDocument : 0.0;
        f[Navigational] = looksNavigational(c.text) ? 1.0 : 0.0;
        out.append(f);
    }
    return out;
}

} // namespace docsight
