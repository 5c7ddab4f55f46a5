#pragma once

#include "governance/usagemeter.h"

#include <QWidget>

class QLabel;
class QProgressBar;
class QTableWidget;

namespace docsight {

// This month's use of language models, as UsageMeter::thisMonth() sums it: requests and errors, latency
// percentiles, tokens, cost against the budget (a bar that turns amber at a warning threshold and red once
// spent), a per-model table and answer feedback. Shows only: the summary is computed on a worker.
class UsageDashboard final : public QWidget
{
    Q_OBJECT

public:
    explicit UsageDashboard(QWidget *parent = nullptr);

    void setSummary(const UsageSummary &summary);
    const UsageSummary &summary() const { return m_summary; }
    bool hasSummary() const { return m_loaded; }

    static QString money(double usd);

Q_SIGNALS:
    void refreshRequested();

private:
    QLabel *value(const QString &name);

    QLabel *m_period = nullptr;
    QLabel *m_requests = nullptr;
    QLabel *m_errors = nullptr;
    QLabel *m_latency = nullptr;
    QLabel *m_tokens = nullptr;
    QLabel *m_cost = nullptr;
    QProgressBar *m_budget = nullptr;
    QLabel *m_budgetNote = nullptr;
    QLabel *m_feedback = nullptr;
    QTableWidget *m_models = nullptr;
    UsageSummary m_summary;
    bool m_loaded = false;
};

} // namespace docsight
