#pragma once

#include <QDialog>

class QPlainTextEdit;
class QPushButton;

namespace docsight {

// Asks for what the answer should have said. The text goes to the library's feedback table, never to the
// audit trail (which records only that a correction was given).
class CorrectionDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit CorrectionDialog(const QString &question, QWidget *parent = nullptr);

    QString correction() const;
    QPlainTextEdit *editor() const { return m_text; }

private:
    QPlainTextEdit *m_text = nullptr;
    QPushButton *m_send = nullptr;
};

} // namespace docsight
