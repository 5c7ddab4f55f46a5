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
};

// The offline answerer: no network, no model. Picks the sentences of the given passages that best
// answer the question and cites each as [S#]. A sentence scores by the question terms it shares
// (stemmed, stop words ignored), each weighted by its inverse document frequency over the passages, times
// a bonus for the passage's rank; long sentences are discounted. When no sentence shares enough of the
// question's informative terms it says plainly that the documents do not answer the question.
// Thread-safe (stateless).
class ExtractiveAnswerer final : public ChatProvider
{
public:
    explicit ExtractiveAnswerer(ExtractiveSettings settings = {});
    Q_DISABLE_COPY_MOVE(ExtractiveAnswerer)

    static QString noAnswerText();

    QString id() const override;
    QString defaultModel() const override; // "sentence-overlap-v1"
    bool sendsDataOffDevice() const override { return false; }
    int contextWindow(const QString &model) const override;
    ChatResult chat(const ChatRequest &request, const ChatDeltaFn &onDelta) override;
    ModelList listModels(const CancelToken &cancel) override;

    // The chosen sentences, in reading order (source rank, then position); empty when there is no answer.
    QList<ExtractedSentence> pick(const QString &question, const QList<ChatSource> &sources) const;

    // Sentence spans of passage text, with PDF line breaks inside sentences and code lines set apart by
    // blank lines joined back into the sentence they belong to.
    QList<std::pair<int, int>> passageSentences(const QString &text) const;

private:
    const ExtractiveSettings m_settings;
};

} // namespace docsight
