#include "governance/trustbadge.h"

namespace docsight {

TrustBadge::TrustBadge(QWidget *parent) : QLabel(parent)
{
    setObjectName(QStringLiteral("providerTrust"));
    setTextFormat(Qt::RichText);
    setDecision({ProviderTrust::Local, {}});
}

void TrustBadge::setDecision(const TrustDecision &decision)
{
    m_trust = decision.trust;
    const bool local = decision.trust == ProviderTrust::Local;
    // A word, not only a colour: a colour-blind reader gets it too.
    setText(QStringLiteral("<b style='color:%1'>%2</b>")
                .arg(local ? QStringLiteral("#1e8449") : QStringLiteral("#b9770e"), local ? tr("Local") : tr("Cloud")));
    setAccessibleName(local ? tr("Provider runs locally") : tr("Provider is a cloud service"));
    setToolTip((local ? tr("Local: passages stay on this computer or your local network.")
                      : tr("Cloud: passages found for a question are sent off this computer. Restricted documents are "
                           "never sent; Confidential ones are redacted as the Governance settings say."))
               + (decision.reason.isEmpty() ? QString() : QStringLiteral("\n") + decision.reason));
}

} // namespace docsight
