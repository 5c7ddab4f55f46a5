#pragma once

#include "model/pagecontent.h"

#include <QByteArray>
#include <QList>

namespace docsight {

// Word boxes are stored as one compact little-endian blob per page (a version byte, then
// 28 bytes a word) rather than a row per word: a 100-page scan has ~50k words.
QByteArray encodeWordBoxes(const QList<WordBox> &words);
// Returns an empty list for an empty, truncated or unknown-version blob.
QList<WordBox> decodeWordBoxes(const QByteArray &blob);

} // namespace docsight
