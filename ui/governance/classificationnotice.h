#pragma once

#include "governance/classificationsuggestion.h"

#include <QFrame>
#include <QList>

class QLabel;
class QPushButton;

namespace docsight {

// A bar above the library: "PII found in X: classify Restricted?" for documents whose detected personal
// data suggests a stricter classification than they have, one at a time. It only suggests: accepting asks
// the caller to classify (the same audited call as the Classification menu).
class ClassificationNotice final : public QFrame
{
    Q_OBJECT

public:
    explicit ClassificationNotice(QWidget *parent = nullptr);

    void suggest(qint64 documentId, const QString &documentName, const ClassificationSuggestion &suggestion);
    int pending() const { return static_cast<int>(m_queue.size()); }
    QString text() const;
    QPushButton *acceptButton() const { return m_accept; }

Q_SIGNALS:
    void classifyRequested(qint64 documentId, int level);

private:
    struct Item {
        qint64 documentId = 0;
        QString name;
        ClassificationSuggestion suggestion;
    };
    void showFirst();

    QList<Item> m_queue;
    QLabel *m_label = nullptr;
    QPushButton *m_accept = nullptr;
    QPushButton *m_dismiss = nullptr;
};

} // namespace docsight
