#pragma once

#include "llm/chatprovider.h"

#include <QList>
#include <QString>

namespace docsight {

struct ExtractiveSettings {
    int maxSentences = 3;
    double keepRatio = 0.5;     // further sentences must score at least this share of the best one
    // Share of the question's term weight the best sentence must match. Best sentences of the golden
    // questions cover 0.24-1.0, questions about nothing in the corpus mostly 0-0.2; an off-topic question
    // made of common words can still pass and get a weak (but cited, checkable) answer.
    double minCoverage = 0.15;
    // Below this share no sentence answers the question as asked: the answer says so and shows the
    // closest passages (their best sentence each) rather than presenting loose matches as an answer.
    double answerCoverage = 0.35;
    int closestPassages = 3;
    int maxSentenceWords = 90;  // longer "sentences" (tables, run-on lists) are split at line breaks
};

// One sentence the answerer chose.
struct ExtractedSentence {
    int source = -1;           // index in the request's sources
    int start = 0;             // span in that source's text
    int end = 0;
    QString text;              // whitespace collapsed
    double score = 0.0;
    double coverage = 0.0;     // share of the question's term weight it matches
    QString reading;           // a table row read against its column years and unit, else empty
};

// What the answerer found: the sentences that answer, or, when none does well enough, the closest
// passages' best sentences (closestOnly). Empty sentences: nothing matches at all.
struct ExtractiveAnswer {
    QList<ExtractedSentence> sentences;
    bool closestOnly = false;
};

// The offline answerer: no network, no model. Picks the sentences and table rows of the given passages
// that best answer the question and cites each as [S#]. A unit scores by the question terms it shares
// (stemmed, stop words ignored; a table row also gets half credit for the words of its caption and
// column headers), each weighted by its inverse document frequency over the passages, times a prior
// for the passage's rank (the passages come reranked, so the best passage's row beats a weaker
// passage's sentence), times agreement with what the question asks for: a figure for "how much",
// a date for "when", the year it names. A table row is read against its column years and unit
// ("Net sales in 2022 (in millions): 394,328"). When no unit shares enough of the question's
// informative terms it says so plainly; when the best match is weak it says so and shows the
// closest passages instead of quoting loose matches as an answer.
// Thread-safe (stateless).
class ExtractiveAnswerer final : public ChatProvider
{
public:
    explicit ExtractiveAnswerer(ExtractiveSettings settings = {});
    Q_DISABLE_COPY_MOVE(ExtractiveAnswerer)

    static QString noAnswerText();
    static QString closestPassagesText(); // heads an answer that shows the closest passages only

    QString id() const override;
    QString defaultModel() const override; // "sentence-overlap-v1"
    bool sendsDataOffDevice() const override { return false; }
    int contextWindow(const QString &model) const override;
    ChatResult chat(const ChatRequest &request, const ChatDeltaFn &onDelta) override;
    ModelList listModels(const CancelToken &cancel) override;

    // The chosen sentences, in reading order (source rank, then position); empty when there is no answer.
    QList<ExtractedSentence> pick(const QString &question, const QList<ChatSource> &sources) const;
    ExtractiveAnswer answer(const QString &question, const QList<ChatSource> &sources) const;

    // Sentence spans of passage text, with PDF line breaks inside sentences and code lines set apart by
    // blank lines joined back into the sentence they belong to.
    QList<std::pair<int, int>> passageSentences(const QString &text) const;

private:
    const ExtractiveSettings m_settings;
};

} // namespace docsight
