#pragma once

// RestoringStream: a streamed answer with the redactor's placeholders put back, delta by delta.

#include <QString>
#include <QStringView>

namespace docsight {

class PiiRedactor;

// Restores placeholders in a streamed answer: text is released only up to the last whitespace, since a
// placeholder (even one split across deltas, "[EMA" + "IL_1]") never contains any. Per request.
class RestoringStream final
{
public:
    explicit RestoringStream(const PiiRedactor &redactor);
    QString push(QStringView delta);
    QString finish();

private:
    const PiiRedactor &m_redactor;
    QString m_pending;
};

} // namespace docsight
