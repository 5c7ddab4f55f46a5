// When a failed attempt is tried again and how long to wait first: which failures are transient, the
// jittered exponential backoff, and the delay a server asks for.
#include "net/retrypolicy.h"

#include "net/providererror.h"

#include <algorithm>
#include <cmath>

#include <QLocale>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTimeZone>

namespace docsight {

using std::chrono::milliseconds;

namespace {

// Go-style durations as in x-ratelimit-reset-*: "20ms", "1.5s", "6m0s", "1h2m3s".
std::optional<milliseconds> parseGoDuration(QByteArrayView text)
{
    static const QRegularExpression part(QStringLiteral(R"((\d+(?:\.\d+)?)(ms|h|m|s))"));
    const QString s = QString::fromLatin1(text).trimmed();
    double total = 0;
    qsizetype pos = 0;
    while (pos < s.size()) {
        const QRegularExpressionMatch m = part.match(s, pos, QRegularExpression::NormalMatch,
                                                     QRegularExpression::AnchorAtOffsetMatchOption);
        if (!m.hasMatch())
            return std::nullopt;
        const double n = m.captured(1).toDouble();
        const QString unit = m.captured(2);
        total += unit == QLatin1String("ms") ? n : unit == QLatin1String("s") ? n * 1e3
               : unit == QLatin1String("m") ? n * 60e3 : n * 3600e3;
        pos = m.capturedEnd();
    }
    if (s.isEmpty())
        return std::nullopt;
    return milliseconds(qint64(std::ceil(total)));
}

} // namespace

bool isRetryable(const HttpResponse &r)
{
    switch (r.error) {
    case HttpError::Network:
    case HttpError::Timeout:
        return true;
    case HttpError::Http:
        switch (r.status) {
        case 429:
            return !isQuotaExhausted(parseProviderError(r.body));
        case 500: case 502: case 503: case 504: case 529:
            return true;
        default:
            return false;
        }
    default:
        return false;
    }
}

milliseconds backoffDelay(const HttpPolicy &policy, int retryIndex)
{
    // "Equal jitter": half the exponential step is fixed, half random, so clients that failed together
    // do not come back together.
    const qint64 base = std::max<qint64>(0, policy.backoffBase.count());
    const qint64 step = std::min<qint64>(policy.backoffCap.count(), base << std::min(retryIndex, 20));
    const qint64 half = step / 2;
    return milliseconds(half + (half > 0 ? qint64(QRandomGenerator::global()->bounded(quint64(half) + 1)) : 0));
}

std::optional<milliseconds> serverRetryDelay(const HttpResponse &response, const QDateTime &nowUtc)
{
    bool ok = false;
    const double ms = response.header("retry-after-ms").trimmed().toDouble(&ok);
    if (ok && ms >= 0)
        return milliseconds(qint64(std::ceil(ms)));

    const QByteArray retryAfter = response.header("retry-after").trimmed();
    if (!retryAfter.isEmpty()) {
        const double seconds = retryAfter.toDouble(&ok);
        if (ok && seconds >= 0)
            return milliseconds(qint64(std::ceil(seconds * 1000)));
        // IMF-fixdate, e.g. "Wed, 21 Oct 2015 07:28:00 GMT" (the only date form servers may still send).
        QDateTime at = QLocale::c().toDateTime(QString::fromLatin1(retryAfter),
                                               QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"));
        if (at.isValid()) {
            at.setTimeZone(QTimeZone::utc());
            return milliseconds(std::max<qint64>(0, nowUtc.msecsTo(at)));
        }
    }

    if (response.status == 429) {
        std::optional<milliseconds> longest;
        for (const char *limit : {"requests", "tokens"}) {
            const QByteArray kind(limit);
            if (response.header(QByteArray("x-ratelimit-remaining-" + kind)).trimmed() != "0")
                continue;
            const std::optional<milliseconds> d =
                parseGoDuration(response.header(QByteArray("x-ratelimit-reset-" + kind)));
            if (d && (!longest || *d > *longest))
                longest = d;
        }
        return longest;
    }
    return std::nullopt;
}

} // namespace docsight
