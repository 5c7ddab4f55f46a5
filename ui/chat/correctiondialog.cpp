#include "chat/correctiondialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace docsight {

CorrectionDialog::CorrectionDialog(const QString &question, QWidget *parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("correctionDialog"));
    setWindowTitle(tr("Correct the Answer"));
    auto *layout = new QVBoxLayout(this);
    auto *label = new QLabel(tr("What should the answer to “%1” have said? The correction is kept with the answer in "
                                "this library and counted in the usage dashboard.")
                                 .arg(question.simplified().toHtmlEscaped()));
    label->setWordWrap(true);
    m_text = new QPlainTextEdit;
    m_text->setObjectName(QStringLiteral("correctionText"));
    m_text->setPlaceholderText(tr("The correct answer, or what is wrong with this one"));
    m_text->setTabChangesFocus(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    m_send = buttons->button(QDialogButtonBox::Ok);
    m_send->setText(tr("Send Correction"));
    m_send->setEnabled(false);
    connect(m_text, &QPlainTextEdit::textChanged, this, [this] { m_send->setEnabled(!correction().isEmpty()); });
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(label);
    layout->addWidget(m_text, 1);
    layout->addWidget(buttons);
    resize(460, 260);
}

QString CorrectionDialog::correction() const
{
    return m_text->toPlainText().trimmed();
}

} // namespace docsight
