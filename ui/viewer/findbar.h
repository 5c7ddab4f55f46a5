#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;

namespace docsight {

// The viewer's find bar: a search field, "3 of 17", previous/next and close. Esc closes it, even while
// a window-wide Esc shortcut (stop the answer) exists.
class FindBar final : public QWidget
{
    Q_OBJECT

public:
    explicit FindBar(QWidget *parent = nullptr);

    QString text() const;
    void setCountText(const QString &text);
    void activate();  // shows it and selects the text to type over

Q_SIGNALS:
    void textChanged(const QString &text);
    void next();
    void previous();
    void closed();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QLineEdit *m_edit = nullptr;
    QLabel *m_count = nullptr;
};

} // namespace docsight
