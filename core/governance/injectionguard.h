#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

namespace docsight {

// Why a passage looks like it is talking to the model rather than to the reader.
struct InjectionSignal {
    QString id;         // "override-instructions", "role-tag", ...
    QString excerpt;    // the words that matched, clipped, for the analyst
    double weight = 0;  // how strongly this alone suggests an injection attempt
};

struct InjectionAssessment {
    double score = 0;                 // 0..1: 1 - product of (1 - weight) over distinct signals
    QList<InjectionSignal> findings;
    bool flagged = false;             // score >= threshold

    QStringList signalIds() const;
};

// One passage the analyst should look at before trusting an answer built on it.
struct InjectionFlag {
    qint64 chunkId = 0;
    qint64 documentId = 0;
    QString document;
    int page = 0;
    double score = 0;
    QStringList signalIds;
};

// What an answer gave away.
struct LeakCheck {
    bool leaked = false;
    bool canary = false;             // the canary token appeared
    int longestPromptRunWords = 0;   // longest run of system-prompt words reproduced verbatim
    double promptCoverage = 0;       // share of the prompt's 6-word shingles found in the answer
    QString reason;                  // analyst-facing, empty when nothing leaked
};

// Prompt-injection defences that do not need a model. Passages are scored for instruction-like content
// (attempts to override the rules, role tags and chat-template tokens, persona changes, requests to reveal the
// prompt or to hide things from the user, exfiltration by links); a flagged passage is still used, but the
// analyst sees the flag. A canary token placed in the system prompt, and long verbatim runs of the prompt,
// reveal an answer that leaks the instructions; such an answer is withheld by the caller.
// Stateless and thread-safe (CanaryStreamFilter is per request).
namespace injection {

inline constexpr double kFlagThreshold = 0.5;

InjectionAssessment assess(QStringView text);

// "dsc-" + 24 random hex digits: never occurs in real text and is not guessable by a document.
QString newCanary();
// A system prompt line carrying the canary; appended to the prompt the provider sees.
QString canaryInstruction(const QString &canary);

// minRunWords: a verbatim run this long counts as a leak; maxCoverage: so does this share of the prompt.
LeakCheck checkAnswer(const QString &answer, const QString &systemPrompt, const QString &canary,
                      int minRunWords = 14, double maxCoverage = 0.25);

QString withheldText();

} // namespace injection

// Forwards streamed answer text while holding back just enough of its tail that a canary split across
// deltas is caught before any of it reaches the screen. Once the canary is seen nothing more is forwarded.
class CanaryStreamFilter final
{
public:
    explicit CanaryStreamFilter(QString canary);

    // Returns the text now safe to show (possibly empty).
    QString push(QStringView delta);
    // The held-back tail at the end of the stream (empty when the canary was seen).
    QString finish();
    bool tripped() const { return m_tripped; }

private:
    QString m_canary;
    QString m_pending;
    bool m_tripped = false;
};

} // namespace docsight
