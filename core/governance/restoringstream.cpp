// Restoring placeholders in an answer that arrives in pieces.
#include "governance/restoringstream.h"

#include "governance/piiredactor.h"

namespace docsight {

RestoringStream::RestoringStream(const PiiRedactor &redactor)
    : m_redactor(redactor)
{
}

QString RestoringStream::push(QStringView delta)
{
    m_pending += delta;
    if (m_redactor.isEmpty()) {
        QString out;
        std::swap(out, m_pending);
        return out;
    }
    qsizetype cut = m_pending.size();
    while (cut > 0 && !m_pending.at(cut - 1).isSpace())
        --cut;
    if (cut == 0)
        return {};
    const QString ready = m_pending.left(cut);
    m_pending.remove(0, cut);
    return m_redactor.restore(ready);
}

QString RestoringStream::finish()
{
    QString out = m_redactor.restore(m_pending);
    m_pending.clear();
    return out;
}

} // namespace docsight
