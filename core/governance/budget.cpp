// The monthly cloud budget as stored in the library's meta table.
#include "governance/budget.h"

#include <algorithm>

#include <QJsonArray>

namespace docsight {

QList<double> Budget::defaultWarnAt()
{
    // Built here rather than from a braced list in the header, which GCC 12 flags as maybe-uninitialized.
    QList<double> shares;
    shares << 0.5 << 0.8 << 0.9;
    return shares;
}

QJsonObject Budget::toJson() const
{
    QJsonArray warn;
    for (const double w : warnAt)
        warn.append(w);
    return {{QStringLiteral("monthly_usd"), monthlyUsd}, {QStringLiteral("warn_at"), warn},
            {QStringLiteral("hard_stop"), hardStop}};
}

Budget Budget::fromJson(const QJsonObject &json)
{
    Budget b;
    b.monthlyUsd = std::max(0.0, json.value(QLatin1String("monthly_usd")).toDouble(0));
    if (json.contains(QLatin1String("warn_at"))) {
        b.warnAt.clear();
        for (const QJsonValue v : json.value(QLatin1String("warn_at")).toArray()) {
            if (v.toDouble() > 0 && v.toDouble() < 1)
                b.warnAt.append(v.toDouble());
        }
        std::sort(b.warnAt.begin(), b.warnAt.end());
    }
    b.hardStop = json.value(QLatin1String("hard_stop")).toBool(true);
    return b;
}

} // namespace docsight
