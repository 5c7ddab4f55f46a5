#pragma once

#include <QWidget>

class QLabel;
class QPushButton;

namespace docsight {

// A centred title and explanation with optional actions: the viewer's empty state, "reading…", and a
// failed import's reason with Retry / Enter Password.
class MessagePanel final : public QWidget
{
    Q_OBJECT

public:
    explicit MessagePanel(QWidget *parent = nullptr);

    void setMessage(const QString &title, const QString &text, bool retry, bool password);
    QString title() const;

Q_SIGNALS:
    void retryClicked();
    void passwordClicked();

private:
    QLabel *m_title = nullptr;
    QLabel *m_text = nullptr;
    QPushButton *m_retry = nullptr;
    QPushButton *m_password = nullptr;
};

} // namespace docsight
