#include "governance/usagedashboard.h"

#include "common/icons.h"

#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace docsight {
namespace {

QString percent(double share)
{
    return QStringLiteral("%1%").arg(share * 100.0, 0, 'f', share > 0 && share < 0.1 ? 1 : 0);
}

QTableWidgetItem *cell(const QString &text, bool number)
{
    auto *item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    if (number)
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

} // namespace

UsageDashboard::UsageDashboard(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("usageDashboard"));
    auto *layout = new QVBoxLayout(this);
    auto *top = new QHBoxLayout;
    m_period = new QLabel(tr("Loading…"));
    QFont bold = m_period->font();
    bold.setWeight(QFont::DemiBold);
    m_period->setFont(bold);
    auto *refresh = new QPushButton(icons::icon(QStringLiteral("retry")), tr("Refresh"));
    refresh->setObjectName(QStringLiteral("refreshUsage"));
    connect(refresh, &QPushButton::clicked, this, &UsageDashboard::refreshRequested);
    top->addWidget(m_period, 1);
    top->addWidget(refresh);
    layout->addLayout(top);

    auto *form = new QFormLayout;
    form->setLabelAlignment(Qt::AlignLeft);
    m_requests = value(QStringLiteral("usageRequests"));
    m_errors = value(QStringLiteral("usageErrors"));
    m_latency = value(QStringLiteral("usageLatency"));
    m_tokens = value(QStringLiteral("usageTokens"));
    m_cost = value(QStringLiteral("usageCost"));
    m_feedback = value(QStringLiteral("usageFeedback"));
    m_budget = new QProgressBar;
    m_budget->setObjectName(QStringLiteral("budgetBar"));
    m_budget->setRange(0, 100);
    m_budget->setTextVisible(true);
    m_budgetNote = value(QStringLiteral("budgetNote"));
    m_budgetNote->setWordWrap(true);
    form->addRow(tr("Requests:"), m_requests);
    form->addRow(tr("Errors:"), m_errors);
    form->addRow(tr("Latency:"), m_latency);
    form->addRow(tr("Tokens:"), m_tokens);
    form->addRow(tr("Cost:"), m_cost);
    form->addRow(tr("Budget:"), m_budget);
    form->addRow(QString(), m_budgetNote);
    form->addRow(tr("Feedback:"), m_feedback);
    layout->addLayout(form);

    m_models = new QTableWidget(0, 6);
    m_models->setObjectName(QStringLiteral("usageByModel"));
    m_models->setHorizontalHeaderLabels({tr("Provider"), tr("Model"), tr("Requests"), tr("Errors"), tr("Tokens in / out"), tr("Cost")});
    m_models->verticalHeader()->hide();
    m_models->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_models->horizontalHeader()->setStretchLastSection(true);
    m_models->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_models->setAlternatingRowColors(true);
    layout->addWidget(m_models, 1);
}

QLabel *UsageDashboard::value(const QString &name)
{
    auto *l = new QLabel(QStringLiteral("–"));
    l->setObjectName(name);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return l;
}

QString UsageDashboard::money(double usd)
{
    return QStringLiteral("$") + QString::number(usd, 'f', usd > 0 && usd < 0.01 ? 4 : 2);
}

void UsageDashboard::setSummary(const UsageSummary &s)
{
    m_summary = s;
    m_loaded = true;
    const QLocale locale;
    m_period->setText(tr("This month: %1 – %2")
                          .arg(locale.toString(s.from.toLocalTime().date(), QLocale::ShortFormat),
                               locale.toString(s.to.toLocalTime().addSecs(-1).date(), QLocale::ShortFormat)));
    m_requests->setText(locale.toString(s.requests));
    m_errors->setText(tr("%1 (%2)").arg(locale.toString(s.errors), percent(s.errorRate)));
    m_latency->setText(s.latency.count == 0 ? tr("no answers yet")
                                            : tr("p50 %1 ms · p95 %2 ms · p99 %3 ms")
                                                  .arg(locale.toString(s.latency.p50), locale.toString(s.latency.p95),
                                                       locale.toString(s.latency.p99)));
    m_tokens->setText(tr("%1 in · %2 out").arg(locale.toString(s.inputTokens), locale.toString(s.outputTokens)));
    m_cost->setText(s.unpriced > 0 ? tr("%1 (%n cloud request(s) had no price: see Settings → Governance)", nullptr, s.unpriced)
                                         .arg(money(s.costUsd))
                                   : money(s.costUsd));

    const BudgetStatus &b = s.budget;
    const bool none = b.level == BudgetLevel::NoBudget || b.budgetUsd <= 0;
    m_budget->setValue(none ? 0 : std::clamp(static_cast<int>(b.share * 100.0), 0, 100));
    m_budget->setFormat(none ? tr("no monthly budget") : tr("%1 of %2 (%3)").arg(money(b.spentUsd), money(b.budgetUsd), percent(b.share)));
    // Green, amber past a warning threshold, red once spent.
    const QString colour = b.level == BudgetLevel::Exceeded ? QStringLiteral("#c0392b")
                         : b.level == BudgetLevel::Warning  ? QStringLiteral("#d68910")
                                                            : QStringLiteral("#27ae60");
    m_budget->setProperty("level", static_cast<int>(b.level));
    m_budget->setStyleSheet(QStringLiteral("QProgressBar::chunk { background: %1; }").arg(colour));
    m_budgetNote->setText(b.message);
    m_budgetNote->setVisible(!b.message.isEmpty());

    const FeedbackStats &f = s.feedback;
    m_feedback->setText(tr("%1 up (%2) · %3 down (%4) of %5 rated · %6 correction(s) (%7 of %8 answers)")
                            .arg(f.up)
                            .arg(percent(f.upRate))
                            .arg(f.down)
                            .arg(percent(f.downRate))
                            .arg(f.rated)
                            .arg(f.corrections)
                            .arg(percent(f.correctionRate))
                            .arg(f.answers));

    m_models->setRowCount(static_cast<int>(s.byModel.size()));
    for (int row = 0; row < s.byModel.size(); ++row) {
        const UsageBreakdown &u = s.byModel.at(row);
        m_models->setItem(row, 0, cell(u.provider, false));
        m_models->setItem(row, 1, cell(u.model, false));
        m_models->setItem(row, 2, cell(locale.toString(u.requests), true));
        m_models->setItem(row, 3, cell(locale.toString(u.errors), true));
        m_models->setItem(row, 4, cell(tr("%1 / %2").arg(locale.toString(u.inputTokens), locale.toString(u.outputTokens)), true));
        m_models->setItem(row, 5, cell(money(u.costUsd), true));
    }
}

} // namespace docsight
