#pragma once

#include <optional>

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace docsight {

struct SseEvent {
    QByteArray event = QByteArrayLiteral("message"); // the `event:` field, "message" when absent (as in the spec)
    QByteArray data;                                  // `data:` lines joined with '\n'
    QByteArray id;                                    // the last `id:` seen so far in the stream (it persists)
    bool truncated = false;                           // the stream ended before the blank line that ends it
};

// Incremental text/event-stream parser (WHATWG "server-sent events" rules). Feed it the bytes as they
// arrive, split anywhere; it returns each event once the blank line that ends it has arrived. Handles
// \n, \r\n and \r line endings (also a \r\n split across two chunks), comment lines (":" keep-alives),
// a leading UTF-8 BOM, and fields it does not know (ignored). Not thread-safe: one parser per stream.
class SseParser final
{
public:
    SseParser() = default;
    Q_DISABLE_COPY_MOVE(SseParser)

    // Events completed by this chunk, in stream order.
    QList<SseEvent> feed(QByteArrayView chunk);

    // Call at end of stream. Returns the event that was still being collected (truncated = true), if it
    // had any data; endedMidEvent() then tells whether anything at all was left unterminated.
    std::optional<SseEvent> flush();
    bool endedMidEvent() const noexcept { return m_endedMidEvent; }

    // The server's `retry:` advice in milliseconds, -1 when it gave none.
    qint64 retryMs() const noexcept { return m_retryMs; }

    // True once a single line or event grew beyond the limit; the parser then drops that event (a
    // misbehaving server must not make us buffer without bound).
    bool overflowed() const noexcept { return m_overflowed; }
    static constexpr qsizetype maxEventBytes = 16 * 1024 * 1024;

private:
    void processLine(QByteArrayView line, QList<SseEvent> *out);
    void dispatch(QList<SseEvent> *out);
    void resetEvent();

    QByteArray m_line;        // bytes of the current, unfinished line
    QByteArray m_data;        // data buffer of the current event (each line followed by '\n')
    QByteArray m_eventType;
    QByteArray m_lastId;
    qint64 m_retryMs = -1;
    bool m_hasData = false;
    bool m_hasFields = false;   // any field line seen since the last dispatch
    bool m_skipLf = false;      // the previous chunk ended with '\r': a '\n' starting this one belongs to it
    bool m_bomChecked = false;
    bool m_discarding = false;  // current event overflowed: skip until the next blank line
    bool m_skipRestOfLine = false; // ...starting with the rest of the oversized line
    bool m_overflowed = false;
    bool m_endedMidEvent = false;
};

} // namespace docsight
