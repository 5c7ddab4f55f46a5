#pragma once

#include <QString>

namespace docsight {

// Tells "the disk is full" apart from other write failures. SQLite says "database or disk is full"
// (or, when the WAL cannot grow, "disk I/O error"), QFile says "No space left on device"; neither
// names the folder or how much room is left, which is what the analyst needs to act on it.
//
// Returns an analyst-facing reason ("the disk is full: 12 KB free in /home/ann/library") when the
// error text says so or the folder's file system has (almost) no room left; an empty string
// otherwise. folder is a folder on the file system that was written to.
QString diskFullReason(const QString &errorText, const QString &folder);

// A byte count as the analyst reads it: "512 bytes", "12 KB", "3.4 MB", "1.2 GB".
QString humanBytes(qint64 bytes);

} // namespace docsight
