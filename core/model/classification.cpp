#include "model/classification.h"

namespace docsight {

QString classificationName(Classification c)
{
    switch (c) {
    case Classification::Public: return QStringLiteral("Public");
    case Classification::Internal: return QStringLiteral("Internal");
    case Classification::Confidential: return QStringLiteral("Confidential");
    case Classification::Restricted: return QStringLiteral("Restricted");
    }
    return QStringLiteral("Internal");
}

std::optional<Classification> parseClassification(const QString &name)
{
    for (Classification c : {Classification::Public, Classification::Internal, Classification::Confidential,
                             Classification::Restricted}) {
        if (name.compare(classificationName(c), Qt::CaseInsensitive) == 0)
            return c;
    }
    return std::nullopt;
}

QStringList classificationNames()
{
    return {QStringLiteral("Public"), QStringLiteral("Internal"), QStringLiteral("Confidential"),
            QStringLiteral("Restricted")};
}

} // namespace docsight
