#include "net/sseparser.h"

#include <algorithm>

#include <QLoggingCategory>

namespace docsight {

Q_LOGGING_CATEGORY(lcSse, "docsight.net.sse")

QList<SseEvent> SseParser::feed(QByteArrayView chunk)
{
    QList<SseEvent> out;
    if (!m_bomChecked) {
        // The BOM may itself arrive split; wait until three bytes are there to decide.
        static constexpr char bom[] = "\xEF\xBB\xBF";
        const QByteArrayView bomView(bom, 3);
        const QByteArray head = m_line + chunk.first(qMin<qsizetype>(chunk.size(), 3)).toByteArray();
        if (head.size() < 3 && bomView.startsWith(QByteArrayView(head))) {
            m_line.append(chunk);
            return out;
        }
        m_bomChecked = true;
        if (QByteArrayView(head).startsWith(bomView)) {
            const qsizetype fromChunk = 3 - m_line.size();
            m_line.clear();
            chunk = chunk.sliced(fromChunk);
        }
    }

    qsizetype start = 0;
    for (qsizetype i = 0; i < chunk.size(); ++i) {
        const char c = chunk[i];
        if (m_skipLf) {
            m_skipLf = false;
            if (c == '\n') {
                start = i + 1;
                continue;
            }
        }
        if (c != '\n' && c != '\r')
            continue;
        const QByteArrayView piece = chunk.sliced(start, i - start);
        if (m_skipRestOfLine) {
            m_skipRestOfLine = false; // the end of an oversized line: not a blank line
        } else if (m_line.isEmpty()) {
            processLine(piece, &out);
        } else {
            m_line.append(piece);
            processLine(m_line, &out);
            m_line.clear();
        }
        m_skipLf = c == '\r';
        start = i + 1;
    }
    if (start < chunk.size() && !m_skipRestOfLine) {
        m_line.append(chunk.sliced(start));
        if (m_line.size() + m_data.size() > maxEventBytes) {
            qCWarning(lcSse) << "event larger than" << maxEventBytes << "bytes; dropped";
            m_overflowed = true;
            m_discarding = true;
            m_skipRestOfLine = true;
            m_line.clear();
            resetEvent();
        }
    }
    return out;
}

std::optional<SseEvent> SseParser::flush()
{
    QList<SseEvent> ignored;
    if (!m_line.isEmpty()) {
        // An unterminated last line still counts as content: keep what it says.
        processLine(m_line, &ignored);
        m_line.clear();
    }
    m_skipLf = false;
    m_endedMidEvent = m_hasFields || m_discarding;
    m_skipRestOfLine = false;
    std::optional<SseEvent> result;
    if (m_hasData && !m_discarding) {
        QList<SseEvent> last;
        dispatch(&last);
        if (!last.isEmpty()) {
            result = last.constFirst();
            result->truncated = true;
        }
    }
    resetEvent();
    m_discarding = false;
    return result;
}

void SseParser::processLine(QByteArrayView line, QList<SseEvent> *out)
{
    if (line.isEmpty()) {
        if (m_discarding)
            m_discarding = false;
        else
            dispatch(out);
        resetEvent();
        return;
    }
    if (m_discarding || line.startsWith(':'))
        return;

    QByteArrayView field = line;
    QByteArrayView value;
    const qsizetype colon = line.indexOf(':');
    if (colon >= 0) {
        field = line.first(colon);
        value = line.sliced(colon + 1);
        if (value.startsWith(' '))
            value = value.sliced(1);
    }
    m_hasFields = true;

    if (field == "data") {
        if (m_data.size() + value.size() > maxEventBytes) {
            qCWarning(lcSse) << "event larger than" << maxEventBytes << "bytes; dropped";
            m_overflowed = true;
            m_discarding = true;
            resetEvent();
            return;
        }
        m_data.append(value);
        m_data.append('\n');
        m_hasData = true;
    } else if (field == "event") {
        m_eventType = value.toByteArray();
    } else if (field == "id") {
        // The spec ignores ids containing NUL, so that a later reconnect header cannot be broken.
        if (!value.contains('\0'))
            m_lastId = value.toByteArray();
    } else if (field == "retry") {
        // Only plain ASCII digits count, as in the spec ("retry: 1e3" or "retry: -1" are ignored).
        const bool digitsOnly = !value.isEmpty() && value.size() <= 12
            && std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (digitsOnly)
            m_retryMs = value.toByteArray().toLongLong();
    }
}

void SseParser::dispatch(QList<SseEvent> *out)
{
    if (!m_hasData)
        return; // per the spec, an event without any data line is not delivered
    SseEvent event;
    if (!m_eventType.isEmpty())
        event.event = m_eventType;
    event.data = m_data;
    event.data.chop(1); // the '\n' after the last data line
    event.id = m_lastId;
    out->append(std::move(event));
}

void SseParser::resetEvent()
{
    m_data.clear();
    m_eventType.clear();
    m_hasData = false;
    m_hasFields = false;
}

} // namespace docsight
