#pragma once

#include <QStringList>
#include <QWidget>

namespace docsight {

// The chat pane's first-run state: what answers are like, and suggested questions to click.
class ChatWelcome final : public QWidget
{
    Q_OBJECT

public:
    explicit ChatWelcome(QWidget *parent = nullptr);

    void setSuggestions(const QStringList &questions);

Q_SIGNALS:
    void suggestionClicked(const QString &question);

private:
    QWidget *m_suggestions = nullptr;
};

} // namespace docsight
