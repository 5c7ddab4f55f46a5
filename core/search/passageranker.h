#pragma once

#include <array>

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace docsight {

struct KeywordQuery;

// The second ranking stage: re-orders the best fused candidates by features a reader would check
// — does the passage contain the question's rarer words, near each other, the years it asks
// about, numbers when it asks "how much", the phrasing a statement uses for the question's
// vocabulary, is it in the document the question is about, is it a table of contents — combined
// linearly with weights learned from the team's question sets (scripts/train_ranker.py writes
// resources/search/ranker-weights.json). Offline, cheap (word sets of ~50 passages) and
// explainable: features() says why a passage ranks where it does. Thread-safe after construction.
class PassageRanker final
{
public:
    enum Feature {
        Fused,         // the fused first-stage score, as a share of the best candidate's
        Keyword,       // BM25, as a share of the best candidate's (0 when BM25 did not find it)
        Vector,        // vector similarity (0 when the vector side did not find it)
        Coverage,      // share of the question's word weight (IDF) found in heading and text
        Proximity,     // share of the question's neighbouring word pairs found close together
        Phrase,        // a vocabulary phrase stands in the passage for question words it lacks
        YearMatch,     // the question names years and the passage has them all
        YearOther,     // the question names years, the passage has years but none of them
        Numbers,       // the question asks for an amount and the passage is dense in figures
        DocumentPrior, // document-level BM25 as a share of the best document's: which document the question is about
        Navigational,  // a table of contents or index
        PageCoverage,  // Coverage over the passage plus the top of its page (a statement's title, company
                       // and year columns are often in another chunk of the page than the line that answers)
        PageYear,      // the question names years and the passage or the top of its page has them all
        HeadingCoverage, // Coverage over the passage's section heading alone
        FirstStageRank,  // 10 / (9 + the passage's rank in the first stage): 1 for the first
        FeatureCount
    };
    using Features = std::array<double, FeatureCount>;

    // The top of a page holds what its passages inherit: a statement's title, the company, the
    // period columns ("2015 2014 2013"), a running header. The whole page would favour long, dense
    // pages (a reference card covers every word), so only this much of it is read.
    static constexpr int kPageTopChars = 400;

    struct Candidate {
        qint64 documentId = 0;
        QString heading;
        QString text;
        QString pageTop;           // the first kPageTopChars characters of the passage's page
        double fusedScore = 0.0;
        double keywordScore = 0.0; // 0 when BM25 did not find it
        double vectorScore = 0.0;  // 0 when the vector side did not find it
        int rank = 0;              // 1-based, in the first stage's order
    };

    // The shipped weights (falls back to the first stage's order when they cannot be read).
    static const PassageRanker &shipped();
    explicit PassageRanker(const QString &weightsJson);

    static QString featureName(int feature);

    // Features of each candidate for the question; documentScores from KeywordSearch::documentScores.
    QList<Features> features(const QString &question, const KeywordQuery &query, const QList<Candidate> &candidates,
                             const QHash<qint64, double> &documentScores) const;
    double score(const Features &f) const;
    bool isUsable() const { return m_usable; }

private:
    Features m_weights{};
    bool m_usable = false;
};

} // namespace docsight
