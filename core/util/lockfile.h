#pragma once

#include <QString>

class QLockFile;

namespace docsight {

// Takes a lock file shared by the processes using one library (set up with setStaleLockTime(0):
// stale only when its owner is gone, never by age), waiting up to timeoutMs. QLockFile judges a
// lock by the PID written into it; a process killed between creating the file and writing its PID
// leaves an empty file that names no owner, and every later process would wait on it forever. Such
// a file, once it has stayed empty for longer than any writer takes to fill it in, is removed and
// the lock taken.
bool tryLockOwned(QLockFile &lock, const QString &path, int timeoutMs);

} // namespace docsight
