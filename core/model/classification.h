#pragma once

#include <optional>

#include <QString>
#include <QStringList>

namespace docsight {

// How sensitive a document is. Ordered: a higher value is more sensitive.
enum class Classification { Public = 0, Internal = 1, Confidential = 2, Restricted = 3 };

QString classificationName(Classification c);
// Case-insensitive; nullopt for anything else.
std::optional<Classification> parseClassification(const QString &name);
QStringList classificationNames();

} // namespace docsight
