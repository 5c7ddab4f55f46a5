#include "settings/governancepage.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QScrollArea>
#include <QTableWidget>
#include <QVBoxLayout>

namespace docsight {
namespace {

QPushButton *smallButton(const QString &text, const QString &name)
{
    auto *b = new QPushButton(text);
    b->setObjectName(name);
    b->setAutoDefault(false);
    return b;
}

QLabel *hint(const QString &text)
{
    auto *l = new QLabel(text);
    l->setWordWrap(true);
    l->setForegroundRole(QPalette::PlaceholderText);
    return l;
}

} // namespace

GovernancePage::GovernancePage(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("governancePage"));
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto *scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto *content = new QWidget;
    auto *layout = new QVBoxLayout(content);
    m_status = new QLabel(tr("Reading this library's governance settings…"));
    m_status->setObjectName(QStringLiteral("governanceError"));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
    layout->addWidget(createPolicyGroup());
    layout->addWidget(createBudgetGroup());
    layout->addWidget(createPricesGroup());
    layout->addWidget(hint(tr("These settings belong to the library (docsight-cli obeys them too); every change is "
                              "recorded in the audit trail.")));
    scroll->setWidget(content);
    outer->addWidget(scroll);
    content->setEnabled(false);
}

QWidget *GovernancePage::createPolicyGroup()
{
    auto *group = new QGroupBox(tr("Policy"));
    auto *form = new QFormLayout(group);
    form->setRowWrapPolicy(QFormLayout::WrapLongRows);
    m_restricted = new QComboBox;
    m_restricted->setObjectName(QStringLiteral("restrictedHandling"));
    m_restricted->addItem(tr("Withhold them, with a notice"), static_cast<int>(RestrictedHandling::Withhold));
    m_restricted->addItem(tr("Answer the question locally instead"), static_cast<int>(RestrictedHandling::AnswerLocally));
    form->addRow(tr("Restricted passages, cloud provider:"), m_restricted);
    m_redactConfidential = new QCheckBox(tr("Redact PII in Confidential passages sent to the cloud"));
    m_redactConfidential->setObjectName(QStringLiteral("redactConfidential"));
    m_redactInternal = new QCheckBox(tr("Redact PII in Internal passages too"));
    m_redactInternal->setObjectName(QStringLiteral("redactInternal"));
    form->addRow(QString(), m_redactConfidential);
    form->addRow(QString(), m_redactInternal);

    form->addRow(tr("LAN servers marked local:"),
                 createHostList(QStringLiteral("localHost"), QStringLiteral("192.168.1.20, gpu-box.lan"), &m_hosts,
                                &m_hostInput, &GovernancePage::addLocalHost,
                                tr("Servers on your local network that count as local (private addresses or LAN names only).")));
    form->addRow(tr("Addresses marked cloud:"),
                 createHostList(QStringLiteral("cloudHost"), QStringLiteral("127.0.0.1:8443, llm-gateway.corp"), &m_cloudHosts,
                                &m_cloudHostInput, &GovernancePage::addCloudHost,
                                tr("Gateways, proxies or SSH tunnels that forward to a cloud service count as cloud, even "
                                   "on this computer (HOST for every port, HOST:PORT for one). OpenAI and Anthropic are "
                                   "always cloud.")));
    return group;
}

QLayout *GovernancePage::createHostList(const QString &name, const QString &placeholder, QListWidget **list,
                                       QLineEdit **input, void (GovernancePage::*add)(), const QString &help)
{
    *list = new QListWidget;
    (*list)->setObjectName(name + QLatin1Char('s'));
    (*list)->setMaximumHeight(90);
    *input = new QLineEdit;
    (*input)->setObjectName(name + QStringLiteral("Input"));
    (*input)->setPlaceholderText(placeholder);
    QString capitalised = name;
    capitalised[0] = capitalised[0].toUpper();
    auto *addButton = smallButton(tr("Add"), QStringLiteral("add") + capitalised);
    auto *removeButton = smallButton(tr("Remove"), QStringLiteral("remove") + capitalised);
    connect(addButton, &QPushButton::clicked, this, add);
    connect(*input, &QLineEdit::returnPressed, this, add);
    connect(removeButton, &QPushButton::clicked, this, [l = *list] { qDeleteAll(l->selectedItems()); });
    auto *row = new QHBoxLayout;
    row->addWidget(*input, 1);
    row->addWidget(addButton);
    row->addWidget(removeButton);
    auto *column = new QVBoxLayout;
    column->addWidget(*list);
    column->addLayout(row);
    column->addWidget(hint(help));
    return column;
}

QWidget *GovernancePage::createBudgetGroup()
{
    auto *group = new QGroupBox(tr("Monthly cloud budget"));
    auto *form = new QFormLayout(group);
    m_budget = new QDoubleSpinBox;
    m_budget->setObjectName(QStringLiteral("monthlyBudget"));
    m_budget->setRange(0, 1'000'000);
    m_budget->setDecimals(2);
    m_budget->setPrefix(QStringLiteral("$ "));
    m_budget->setSpecialValueText(tr("No budget"));
    form->addRow(tr("Budget (USD per month):"), m_budget);
    m_hardStop = new QCheckBox(tr("Refuse cloud calls once the budget is spent"));
    m_hardStop->setObjectName(QStringLiteral("hardStop"));
    form->addRow(QString(), m_hardStop);
    m_warnAt = new QLineEdit;
    m_warnAt->setObjectName(QStringLiteral("warnThresholds"));
    m_warnAt->setPlaceholderText(QStringLiteral("50, 80, 90"));
    form->addRow(tr("Warn at (% of budget):"), m_warnAt);
    return group;
}

QWidget *GovernancePage::createPricesGroup()
{
    auto *group = new QGroupBox(tr("Prices (USD per 1M tokens)"));
    auto *layout = new QVBoxLayout(group);
    m_prices = new QTableWidget(0, 4);
    m_prices->setObjectName(QStringLiteral("priceTable"));
    m_prices->setHorizontalHeaderLabels({tr("Provider"), tr("Model"), tr("Input"), tr("Output")});
    m_prices->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_prices->verticalHeader()->hide();
    m_prices->setMinimumHeight(140);
    auto *row = new QHBoxLayout;
    auto *add = smallButton(tr("Add Price"), QStringLiteral("addPrice"));
    auto *remove = smallButton(tr("Remove"), QStringLiteral("removePrice"));
    connect(add, &QPushButton::clicked, this, [this] {
        const int r = m_prices->rowCount();
        m_prices->insertRow(r);
        for (int c = 0; c < 4; ++c)
            m_prices->setItem(r, c, new QTableWidgetItem(c >= 2 ? QStringLiteral("0") : QString()));
        m_prices->editItem(m_prices->item(r, 0));
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        if (m_prices->currentRow() >= 0)
            m_prices->removeRow(m_prices->currentRow());
    });
    row->addWidget(add);
    row->addWidget(remove);
    row->addStretch();
    layout->addWidget(m_prices);
    layout->addLayout(row);
    layout->addWidget(hint(tr("Model \"*\" prices any model of the provider; a model prices its dated versions too.")));
    return group;
}

void GovernancePage::addLocalHost()
{
    const QString host = m_hostInput->text().trimmed().toLower();
    if (host.isEmpty())
        return;
    if (!isLanHost(host)) {
        showError(tr("%1 is not a local-network address or name, so it cannot be marked local.").arg(host));
        return;
    }
    if (m_hosts->findItems(host, Qt::MatchExactly).isEmpty())
        m_hosts->addItem(host);
    m_hostInput->clear();
    m_status->hide();
}

void GovernancePage::addCloudHost()
{
    QString why;
    const std::optional<QString> mark = normalizeCloudMark(m_cloudHostInput->text(), &why);
    if (!mark) {
        if (!m_cloudHostInput->text().trimmed().isEmpty())
            showError(tr("It cannot be marked cloud: %1.").arg(why));
        return;
    }
    if (m_cloudHosts->findItems(*mark, Qt::MatchExactly).isEmpty())
        m_cloudHosts->addItem(*mark);
    m_cloudHostInput->clear();
    m_status->hide();
}

void GovernancePage::showError(const QString &message)
{
    m_status->setText(message);
    m_status->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_status->show();
}

void GovernancePage::setSettings(const GovernanceSettings &s)
{
    m_loaded = s;
    m_status->hide();
    m_restricted->setCurrentIndex(m_restricted->findData(static_cast<int>(s.policy.restricted)));
    m_redactConfidential->setChecked(s.policy.redactConfidential);
    m_redactInternal->setChecked(s.policy.redactInternal);
    m_hosts->clear();
    m_hosts->addItems(s.policy.localHosts);
    m_cloudHosts->clear();
    m_cloudHosts->addItems(s.policy.cloudHosts);
    m_budget->setValue(s.budget.monthlyUsd);
    m_hardStop->setChecked(s.budget.hardStop);
    QStringList warn;
    for (const double w : s.budget.warnAt)
        warn << QString::number(w * 100.0, 'g', 4);
    m_warnAt->setText(warn.join(QStringLiteral(", ")));
    const QList<ModelPrice> prices = s.prices.entries();
    m_prices->setRowCount(static_cast<int>(prices.size()));
    for (int r = 0; r < prices.size(); ++r) {
        const ModelPrice &p = prices.at(r);
        m_prices->setItem(r, 0, new QTableWidgetItem(p.provider));
        m_prices->setItem(r, 1, new QTableWidgetItem(p.model));
        m_prices->setItem(r, 2, new QTableWidgetItem(QString::number(p.inputPerMillion, 'g', 8)));
        m_prices->setItem(r, 3, new QTableWidgetItem(QString::number(p.outputPerMillion, 'g', 8)));
    }
    findChild<QScrollArea *>()->widget()->setEnabled(true);
}

std::optional<GovernanceSettings> GovernancePage::collect(QString *error)
{
    const auto fail = [&](const QString &message) -> std::optional<GovernanceSettings> {
        showError(message);
        if (error)
            *error = message;
        return std::nullopt;
    };
    if (!m_loaded)
        return fail(tr("The governance settings have not been read yet."));
    GovernanceSettings s = *m_loaded;
    s.policy.restricted = static_cast<RestrictedHandling>(m_restricted->currentData().toInt());
    s.policy.redactConfidential = m_redactConfidential->isChecked();
    s.policy.redactInternal = m_redactInternal->isChecked();
    s.policy.localHosts.clear();
    for (int i = 0; i < m_hosts->count(); ++i)
        s.policy.localHosts << m_hosts->item(i)->text();
    s.policy.cloudHosts.clear();
    for (int i = 0; i < m_cloudHosts->count(); ++i)
        s.policy.cloudHosts << m_cloudHosts->item(i)->text();
    s.budget.monthlyUsd = m_budget->value();
    s.budget.hardStop = m_hardStop->isChecked();
    s.budget.warnAt.clear();
    for (const QString &part : m_warnAt->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const double percent = part.trimmed().remove(QLatin1Char('%')).toDouble(&ok);
        if (!ok || percent <= 0 || percent >= 100)
            return fail(tr("Warning thresholds are percentages between 0 and 100, separated by commas (e.g. 50, 80, 90); "
                           "“%1” is not one.").arg(part.trimmed()));
        s.budget.warnAt << percent / 100.0;
    }
    std::sort(s.budget.warnAt.begin(), s.budget.warnAt.end());
    PriceTable prices;
    for (int r = 0; r < m_prices->rowCount(); ++r) {
        const auto text = [&](int c) { return m_prices->item(r, c) ? m_prices->item(r, c)->text().trimmed() : QString(); };
        bool inOk = false, outOk = false;
        const ModelPrice p{text(0).toLower(), text(1), text(2).toDouble(&inOk), text(3).toDouble(&outOk)};
        if (p.provider.isEmpty() && p.model.isEmpty())
            continue; // an empty row added by mistake
        if (p.provider.isEmpty() || p.model.isEmpty() || p.provider.contains(QLatin1Char('/')))
            return fail(tr("Price row %1 needs a provider (e.g. openai) and a model (or *).").arg(r + 1));
        if (!inOk || !outOk || p.inputPerMillion < 0 || p.outputPerMillion < 0)
            return fail(tr("Price row %1 (%2/%3): input and output are US dollars per 1M tokens, 0 or more.")
                            .arg(r + 1)
                            .arg(p.provider, p.model));
        prices.set(p);
    }
    s.prices = prices;
    m_status->hide();
    return s;
}

} // namespace docsight
