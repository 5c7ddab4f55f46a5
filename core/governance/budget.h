#pragma once

// Budget: the monthly spending limit on cloud providers, and the status UsageMeter reports against it.

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace docsight {

// Monthly spending limit on cloud providers.
struct Budget {
    double monthlyUsd = 0;                       // 0: no budget
    QList<double> warnAt = defaultWarnAt();      // shares of the budget that raise a warning
    bool hardStop = true;                        // refuse cloud calls once the budget is spent

    QJsonObject toJson() const;
    static Budget fromJson(const QJsonObject &json);
    static QList<double> defaultWarnAt();        // 50%, 80%, 90%
};

enum class BudgetLevel { NoBudget, Ok, Warning, Exceeded };

struct BudgetStatus {
    BudgetLevel level = BudgetLevel::NoBudget;
    double spentUsd = 0;          // cloud spending this month
    double budgetUsd = 0;
    double share = 0;             // spent / budget
    double thresholdCrossed = 0;  // highest warnAt reached (0 when none)
    bool blocksCloud = false;     // hard stop and exceeded
    QDateTime monthStart;         // UTC instant of local midnight on the 1st
    QDateTime nextMonthStart;
    QString message;              // analyst-facing; empty when nothing to say
};

} // namespace docsight
