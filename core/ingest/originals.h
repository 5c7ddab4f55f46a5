#pragma once

#include "util/canceltoken.h"

#include <memory>

#include <QLockFile>
#include <QString>

// The library's copies of imported originals (files/<sha256>.<ext>): their hash, the copy itself, and
// the per-content lock under which a content is registered and read. Used by the import queue only.
namespace docsight::originals {

// SHA-256 of the file, hex; empty when it cannot be read (*error says why) or cancel was set.
QString hashFile(const QString &path, const CancelToken &cancel, QString *error);

// Copies through QSaveFile (a temporary file of its own, renamed on commit), so files/ never holds
// a half-written copy and two writers never share a temporary name. The caller holds the content
// lock, so no one else writes this name meanwhile.
bool storeCopy(const QString &from, const QString &to, const CancelToken &cancel, QString *error);

// One reader per content (SHA-256), within this process and across processes sharing the library:
// registration (look up, copy, add) and reading happen under it, so identical files in one import,
// or two imports of the same file, give one document and duplicates instead of racing for the same
// row and stored file. A killed process's lock is stale (its PID is gone, or it was killed before
// writing its PID: util/lockfile) and is taken over; age never makes it stale, since reading a long
// scan takes as long as it takes. wait: keep trying (until cancel) while another process holds it.
std::unique_ptr<QLockFile> lockContent(const QString &locksDir, const QString &sha256, const CancelToken &cancel,
                                       bool wait, QString *error);

// True when a live process (this one included) holds the content lock.
bool contentLocked(const QString &locksDir, const QString &sha256);

} // namespace docsight::originals
