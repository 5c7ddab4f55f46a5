// pii::detect and PiiRedactor on arbitrary text. What the API promises, checked on every input:
// matches are in order, inside the text and do not overlap; redact() issues one placeholder per
// distinct value; restore() of the redacted text gives back the original text (unless the text
// already held placeholder-shaped words, or two spellings shared a placeholder); and the streamed
// restore, fed the redacted text in random pieces, gives the same as restore() on the whole.

#include "fuzzsupport.h"

#include "governance/piidetector.h"
#include "governance/piiredactor.h"
#include "governance/restoringstream.h"

#include <random>

#include <QRegularExpression>
#include <QSet>

using namespace docsight;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = fuzz::textOf(data, size);

    const QList<PiiMatch> matches = pii::detect(text);
    qsizetype end = 0;
    QSet<std::pair<int, QString>> distinct;
    for (const PiiMatch &m : matches) {
        DOCSIGHT_FUZZ_CHECK(m.start >= end && m.length > 0 && m.start + m.length <= text.size(),
                            QStringLiteral("match %1+%2 after %3 in %4 characters").arg(m.start).arg(m.length).arg(end).arg(text.size()));
        DOCSIGHT_FUZZ_CHECK(m.text == QStringView(text).sliced(m.start, m.length), m.text);
        end = m.start + m.length;
        distinct.insert({int(m.kind), m.text});
    }

    PiiRedactor redactor;
    const QString redacted = redactor.redact(text);
    DOCSIGHT_FUZZ_CHECK(matches.isEmpty() == redactor.isEmpty(), redacted);
    DOCSIGHT_FUZZ_CHECK(redactor.occurrences() == matches.size(), QString::number(redactor.occurrences()));
    DOCSIGHT_FUZZ_CHECK(redactor.redactions().size() <= distinct.size(), QString::number(redactor.redactions().size()));
    // The same text again gets the same placeholders and no new ones.
    const qsizetype issued = redactor.redactions().size();
    DOCSIGHT_FUZZ_CHECK(redactor.redact(text) == redacted, QStringLiteral("second redaction differs"));
    DOCSIGHT_FUZZ_CHECK(redactor.redactions().size() == issued, QStringLiteral("second redaction issued placeholders"));

    const QString restored = redactor.restore(redacted);
    static const QRegularExpression placeholderShaped(QStringLiteral("\\b(EMAIL|PHONE|IBAN|CARD|SSN|IP)_[0-9]"),
                                                      QRegularExpression::CaseInsensitiveOption);
    const bool oneSpellingEach = redactor.redactions().size() == distinct.size();
    if (oneSpellingEach && !text.contains(placeholderShaped))
        DOCSIGHT_FUZZ_CHECK(restored == text, QStringLiteral("restore(redact(text)) differs: ") + restored);

    std::seed_seq seed(data, data + size);
    std::minstd_rand random(seed);
    std::uniform_int_distribution<qsizetype> length(1, 12);
    RestoringStream stream(redactor);
    QString streamed;
    for (qsizetype at = 0; at < redacted.size();) {
        const qsizetype n = std::min(length(random), redacted.size() - at);
        streamed += stream.push(QStringView(redacted).sliced(at, n));
        at += n;
    }
    streamed += stream.finish();
    DOCSIGHT_FUZZ_CHECK(streamed == restored, QStringLiteral("streamed restore differs: ") + streamed);
    return 0;
}
