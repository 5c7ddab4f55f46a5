#pragma once

#include "llm/answer.h"

#include <QFrame>

class QLabel;
class QToolButton;
class QVBoxLayout;

namespace docsight {

class AnswerText;
class FeedbackBar;

// One answer in the conversation: streamed text while it arrives, then the final text with its
// citations as chips ([S1] inline, and a list of sources under it) that show the quote on hover and
// open the passage on click; a notice when the offline extractive answerer wrote it; what governance did
// (a withheld leak, a budget stop, passages withheld by policy, instruction-like passages badged ⚠, PII
// redacted before sending); warnings; copy; and feedback on answers stored in the library.
class AnswerView final : public QFrame
{
    Q_OBJECT

public:
    explicit AnswerView(QWidget *parent = nullptr);

    void startStreaming(const QString &providerName);
    void appendText(const QString &delta);
    void setAnswer(const Answer &answer);

    const Answer &answer() const { return m_answer; }
    bool isStreaming() const { return m_streaming; }
    QString streamedText() const { return m_stream; }
    QList<QToolButton *> sourceButtons() const { return m_sourceButtons; }
    // Indexes into answer().citations, one per distinct passage, in the order the sources list shows them.
    QList<int> sourceCitations() const { return m_sourceCitations; }
    // The answer as plain text with its sources listed, for the clipboard.
    QString plainText() const;
    void copyToClipboard() const;
    void setCurrentCitation(int citationIndex);
    FeedbackBar *feedbackBar() const { return m_feedback; }
    // The feedback shown (recorded by the caller).
    void setFeedbackState(int rating, bool corrected);

    // Rich text of the answer with [S#] markers as links "cite:<index into citations>".
    static QString answerHtml(const Answer &answer, const QPalette &palette);

Q_SIGNALS:
    void citationActivated(int citationIndex);
    // The analyst rated (+1/-1) or corrected (rating 0 with the text) the stored answer.
    void feedbackRequested(qint64 messageId, int rating, const QString &correction);

protected:
    void changeEvent(QEvent *event) override;

private:
    QString citationTooltip(int index) const;
    void showGovernance(const Answer &answer);
    void askCorrection();

    QLabel *m_header = nullptr;
    QLabel *m_notice = nullptr;
    AnswerText *m_text = nullptr;
    QWidget *m_governance = nullptr;
    QLabel *m_warnings = nullptr;
    QWidget *m_sources = nullptr;
    QVBoxLayout *m_sourcesLayout = nullptr;
    QLabel *m_footer = nullptr;
    QToolButton *m_copy = nullptr;
    FeedbackBar *m_feedback = nullptr;
    QList<QToolButton *> m_sourceButtons;
    QList<int> m_sourceCitations;
    Answer m_answer;
    QString m_stream;
    bool m_streaming = false;
};

} // namespace docsight
