#include "net/sseparser.h"

#include <QTest>

using namespace docsight;

namespace {

// One line per event, so a mismatch prints readably.
QByteArray render(const QList<SseEvent> &events)
{
    QByteArray out;
    for (const SseEvent &e : events) {
        QByteArray data = e.data;
        data.replace('\n', "\\n");
        out += "event=" + e.event + " id=" + e.id + " data=" + data + (e.truncated ? " TRUNCATED" : "") + '\n';
    }
    return out;
}

QByteArray parseWhole(const QByteArray &stream)
{
    SseParser p;
    QList<SseEvent> events = p.feed(stream);
    if (const auto last = p.flush())
        events << *last;
    return render(events);
}

QByteArray parseSplit(const QByteArray &stream, const QList<qsizetype> &cuts)
{
    SseParser p;
    QList<SseEvent> events;
    qsizetype from = 0;
    for (const qsizetype cut : cuts) {
        events << p.feed(QByteArrayView(stream).sliced(from, cut - from));
        from = cut;
    }
    events << p.feed(QByteArrayView(stream).sliced(from));
    if (const auto last = p.flush())
        events << *last;
    return render(events);
}

} // namespace

class TestSseParser final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesStreams_data()
    {
        QTest::addColumn<QByteArray>("stream");
        QTest::addColumn<QByteArray>("expected");

        QTest::newRow("openai chunks and done")
            << QByteArray("data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n"
                          ": keep-alive\n\n"
                          "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3}}\n\n"
                          "data: [DONE]\n\n")
            << QByteArray("event=message id= data={\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n"
                          "event=message id= data={\"choices\":[],\"usage\":{\"prompt_tokens\":3}}\n"
                          "event=message id= data=[DONE]\n");
        QTest::newRow("anthropic named events")
            << QByteArray("event: message_start\ndata: {\"type\":\"message_start\"}\n\n"
                          "event: ping\ndata: {\"type\": \"ping\"}\n\n"
                          "event: content_block_delta\ndata: {\"delta\":{\"text\":\"caf\xC3\xA9 \xE2\x9C\x93\"}}\n\n"
                          "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
            << QByteArray("event=message_start id= data={\"type\":\"message_start\"}\n"
                          "event=ping id= data={\"type\": \"ping\"}\n"
                          "event=content_block_delta id= data={\"delta\":{\"text\":\"caf\xC3\xA9 \xE2\x9C\x93\"}}\n"
                          "event=message_stop id= data={\"type\":\"message_stop\"}\n");
        QTest::newRow("crlf line endings")
            << QByteArray("event: a\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n")
            << QByteArray("event=a id= data=1\nevent=message id= data=2\n");
        QTest::newRow("cr line endings")
            << QByteArray("event: a\rdata: 1\r\rdata: 2\r\r")
            << QByteArray("event=a id= data=1\nevent=message id= data=2\n");
        QTest::newRow("mixed line endings")
            << QByteArray("data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\n\n")
            << QByteArray("event=message id= data=a\\nb\\nc\nevent=message id= data=d\n");
        QTest::newRow("multi-line data joined with newline")
            << QByteArray("data: line one\ndata: line two\ndata:\ndata: four\n\n")
            << QByteArray("event=message id= data=line one\\nline two\\n\\nfour\n");
        QTest::newRow("comments anywhere")
            << QByteArray(": hello\ndata: a\n: between\ndata: b\n\n:\n\n")
            << QByteArray("event=message id= data=a\\nb\n");
        QTest::newRow("only one leading space is stripped")
            << QByteArray("data:x\n\ndata:  y\n\n")
            << QByteArray("event=message id= data=x\nevent=message id= data= y\n");
        QTest::newRow("field name without colon")
            << QByteArray("data\n\n")
            << QByteArray("event=message id= data=\n");
        QTest::newRow("event without data is not dispatched")
            << QByteArray("event: ping\n\nevent: x\nid: 3\n\ndata: after\n\n")
            << QByteArray("event=message id=3 data=after\n");
        QTest::newRow("id persists across events")
            << QByteArray("id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\n")
            << QByteArray("event=message id=7 data=a\nevent=message id=7 data=b\nevent=message id= data=c\n");
        QTest::newRow("event type resets after dispatch")
            << QByteArray("event: e1\ndata: a\n\ndata: b\n\n")
            << QByteArray("event=e1 id= data=a\nevent=message id= data=b\n");
        QTest::newRow("unknown fields and retry ignored")
            << QByteArray("foo: bar\nretry: 1500\ndata: a\n\n")
            << QByteArray("event=message id= data=a\n");
        QTest::newRow("utf8 byte order mark")
            << QByteArray("\xEF\xBB\xBF" "data: a\n\n")
            << QByteArray("event=message id= data=a\n");
        QTest::newRow("colon inside the value")
            << QByteArray("data: {\"url\":\"http://x\"}\n\n")
            << QByteArray("event=message id= data={\"url\":\"http://x\"}\n");
        QTest::newRow("several blank lines")
            << QByteArray("\n\n\r\ndata: a\n\n\n\n")
            << QByteArray("event=message id= data=a\n");
        QTest::newRow("unterminated final event")
            << QByteArray("data: done\n\ndata: {\"partial\":")
            << QByteArray("event=message id= data=done\nevent=message id= data={\"partial\": TRUNCATED\n");
        QTest::newRow("final event lacks only the blank line")
            << QByteArray("event: e\ndata: a\ndata: b\r\n")
            << QByteArray("event=e id= data=a\\nb TRUNCATED\n");
    }

    void parsesStreams()
    {
        QFETCH(QByteArray, stream);
        QFETCH(QByteArray, expected);
        QCOMPARE(parseWhole(stream), expected);
    }

    // Network reads split a stream anywhere: inside a field name, between \r and \n, inside a UTF-8
    // sequence, inside the BOM. Every split must give the same events.
    void everySplitGivesTheSameEvents_data() { parsesStreams_data(); }
    void everySplitGivesTheSameEvents()
    {
        QFETCH(QByteArray, stream);
        QFETCH(QByteArray, expected);
        for (qsizetype i = 0; i <= stream.size(); ++i) {
            const QByteArray got = parseSplit(stream, {i});
            if (got != expected)
                QFAIL(qPrintable(QStringLiteral("split at %1 gave:\n%2").arg(i).arg(QString::fromUtf8(got))));
        }
        for (qsizetype i = 0; i <= stream.size(); ++i) {
            for (qsizetype j = i; j <= stream.size(); ++j) {
                const QByteArray got = parseSplit(stream, {i, j});
                if (got != expected)
                    QFAIL(qPrintable(QStringLiteral("splits at %1,%2 gave:\n%3").arg(i).arg(j).arg(QString::fromUtf8(got))));
            }
        }
        QList<qsizetype> everyByte;
        for (qsizetype i = 1; i < stream.size(); ++i)
            everyByte << i;
        QCOMPARE(parseSplit(stream, everyByte), expected);
    }

    void deliversEventsAsSoonAsTheyAreComplete()
    {
        SseParser p;
        QVERIFY(p.feed("data: a").isEmpty());
        QVERIFY(p.feed("\n").isEmpty());
        const QList<SseEvent> events = p.feed("\ndata: b\n");
        QCOMPARE(events.size(), 1);
        QCOMPARE(events.constFirst().data, QByteArray("a"));
        QVERIFY(!events.constFirst().truncated);
    }

    void cleanEndIsNotTruncated()
    {
        SseParser p;
        QCOMPARE(p.feed("data: a\n\n: bye\n").size(), 1);
        QVERIFY(!p.flush().has_value());
        QVERIFY(!p.endedMidEvent());
    }

    void endingAfterFieldsWithoutDataIsReported()
    {
        SseParser p;
        QVERIFY(p.feed("data: a\n\nevent: message_stop\n").size() == 1);
        QVERIFY(!p.flush().has_value());
        QVERIFY(p.endedMidEvent());
    }

    void remembersRetryAdvice()
    {
        SseParser p;
        QCOMPARE(p.retryMs(), -1);
        p.feed("retry: 2500\n\nretry: soon\n\nretry: -1\n\n");
        QCOMPARE(p.retryMs(), 2500);
    }

    void oversizedEventIsDroppedAndParsingContinues()
    {
        SseParser p;
        const QByteArray big(SseParser::maxEventBytes + 10, 'x');
        QVERIFY(p.feed("data: ").isEmpty());
        QVERIFY(p.feed(big).isEmpty());
        QVERIFY(p.overflowed());
        QVERIFY(p.feed("still the same line\ndata: same event\n\n").isEmpty());
        const QList<SseEvent> events = p.feed("data: small\n\n");
        QCOMPARE(events.size(), 1);
        QCOMPARE(events.constFirst().data, QByteArray("small"));
    }
};

QTEST_GUILESS_MAIN(TestSseParser)
#include "tst_sseparser.moc"
