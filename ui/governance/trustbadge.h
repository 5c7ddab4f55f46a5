#pragma once

#include "governance/policygate.h"

#include <QLabel>

namespace docsight {

// "Local" or "Cloud" next to the provider picker: whether passages found for a question leave this computer,
// with the reason (assessTrust) as its tooltip.
class TrustBadge final : public QLabel
{
    Q_OBJECT

public:
    explicit TrustBadge(QWidget *parent = nullptr);

    void setDecision(const TrustDecision &decision);
    ProviderTrust trust() const { return m_trust; }

private:
    ProviderTrust m_trust = ProviderTrust::Local;
};

} // namespace docsight
