// SseParser promises that where the stream is split does not matter. The same bytes go to three
// parsers, whole, one byte at a time and in random pieces (the split points derive from the input,
// so a crash replays); every event, the flushed remainder and the stream state must agree.

#include "fuzzsupport.h"

#include "net/sseparser.h"

#include <random>

using namespace docsight;

namespace {

struct Outcome {
    QList<SseEvent> events;
    std::optional<SseEvent> last;
    bool endedMidEvent = false;
    qint64 retryMs = -1;
    bool overflowed = false;
};

template<typename Split>
Outcome parse(QByteArrayView bytes, Split nextLength)
{
    SseParser parser;
    Outcome out;
    qsizetype at = 0;
    while (at < bytes.size()) {
        const qsizetype n = std::min(nextLength(), bytes.size() - at);
        out.events += parser.feed(bytes.sliced(at, n));
        at += n;
    }
    out.last = parser.flush();
    out.endedMidEvent = parser.endedMidEvent();
    out.retryMs = parser.retryMs();
    out.overflowed = parser.overflowed();
    return out;
}

QString describe(const SseEvent &e)
{
    return QStringLiteral("{event=%1 id=%2 truncated=%3 data=%4}")
        .arg(QString::fromLatin1(e.event.toPercentEncoding()), QString::fromLatin1(e.id.toPercentEncoding()))
        .arg(e.truncated)
        .arg(QString::fromLatin1(e.data.toPercentEncoding()));
}

bool same(const SseEvent &a, const SseEvent &b)
{
    return a.event == b.event && a.data == b.data && a.id == b.id && a.truncated == b.truncated;
}

void compare(const Outcome &whole, const Outcome &split, const char *how)
{
    const QString label = QString::fromLatin1(how);
    DOCSIGHT_FUZZ_CHECK(whole.events.size() == split.events.size(),
                        QStringLiteral("%1: %2 events whole, %3 split").arg(label).arg(whole.events.size()).arg(split.events.size()));
    for (qsizetype i = 0; i < whole.events.size(); ++i)
        DOCSIGHT_FUZZ_CHECK(same(whole.events.at(i), split.events.at(i)),
                            label + QStringLiteral(": event %1 whole ").arg(i) + describe(whole.events.at(i))
                                + QStringLiteral(" split ") + describe(split.events.at(i)));
    DOCSIGHT_FUZZ_CHECK(whole.last.has_value() == split.last.has_value(), label + QStringLiteral(": flush()"));
    if (whole.last)
        DOCSIGHT_FUZZ_CHECK(same(*whole.last, *split.last),
                            label + QStringLiteral(": flushed whole ") + describe(*whole.last) + QStringLiteral(" split ")
                                + describe(*split.last));
    DOCSIGHT_FUZZ_CHECK(whole.endedMidEvent == split.endedMidEvent, label + QStringLiteral(": endedMidEvent()"));
    DOCSIGHT_FUZZ_CHECK(whole.retryMs == split.retryMs,
                        label + QStringLiteral(": retry %1 whole, %2 split").arg(whole.retryMs).arg(split.retryMs));
    DOCSIGHT_FUZZ_CHECK(whole.overflowed == split.overflowed, label + QStringLiteral(": overflowed()"));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const Outcome whole = parse(bytes, [&] { return bytes.size(); });
    for (const SseEvent &e : whole.events)
        DOCSIGHT_FUZZ_CHECK(!e.truncated, describe(e));
    if (whole.last)
        DOCSIGHT_FUZZ_CHECK(whole.last->truncated, describe(*whole.last));

    compare(whole, parse(bytes, [] { return qsizetype(1); }), "byte by byte");

    std::seed_seq seed(bytes.begin(), bytes.end());
    std::minstd_rand random(seed);
    std::uniform_int_distribution<qsizetype> length(0, 8); // empty chunks happen too (a keep-alive read)
    compare(whole, parse(bytes, [&] { return length(random); }), "random pieces");
    return 0;
}
