#pragma once

#include <QWidget>

class QLabel;
class QToolButton;

namespace docsight {

// Thumbs up, thumbs down and "Correct…" under a stored answer. Shows the feedback given; asks for it
// through signals (the chat pane records it on a worker) and shows it once recorded.
class FeedbackBar final : public QWidget
{
    Q_OBJECT

public:
    explicit FeedbackBar(QWidget *parent = nullptr);

    void setState(int rating, bool corrected);
    void setPending(bool pending);
    void setError(const QString &message);
    int rating() const { return m_rating; }
    bool corrected() const { return m_corrected; }

Q_SIGNALS:
    void rated(int rating);
    void correctionRequested();

private:
    QToolButton *m_up = nullptr;
    QToolButton *m_down = nullptr;
    QToolButton *m_correct = nullptr;
    QLabel *m_status = nullptr;
    int m_rating = 0;
    bool m_corrected = false;
};

} // namespace docsight
