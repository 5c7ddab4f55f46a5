#include "model/loaderror.h"

namespace docsight {

QString loadErrorKindName(LoadError::Kind kind)
{
    switch (kind) {
    case LoadError::Kind::None: return QStringLiteral("none");
    case LoadError::Kind::Io: return QStringLiteral("io");
    case LoadError::Kind::Unsupported: return QStringLiteral("unsupported");
    case LoadError::Kind::Corrupt: return QStringLiteral("corrupt");
    case LoadError::Kind::PasswordRequired: return QStringLiteral("password-required");
    case LoadError::Kind::Empty: return QStringLiteral("empty");
    case LoadError::Kind::OcrFailed: return QStringLiteral("ocr-failed");
    case LoadError::Kind::TooLarge: return QStringLiteral("too-large");
    case LoadError::Kind::DiskFull: return QStringLiteral("disk-full");
    case LoadError::Kind::Cancelled: return QStringLiteral("cancelled");
    }
    return QStringLiteral("none");
}

} // namespace docsight
