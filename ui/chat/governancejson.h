#pragma once

#include "governance/policygate.h"

#include <QJsonObject>

namespace docsight {

// AnswerGovernance as the chat pane keeps it in its conversation files: AnswerGovernance::toJson() plus
// where the answer was stored, so a reopened conversation still shows its notices and takes feedback.
QJsonObject answerGovernanceToJson(const AnswerGovernance &governance);
AnswerGovernance answerGovernanceFromJson(const QJsonObject &json);

} // namespace docsight
