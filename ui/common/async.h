#pragma once

#include <type_traits>
#include <utility>

#include <QFutureWatcher>
#include <QObject>
#include <QThread>
#include <QThreadPool>
#include <QtConcurrent/qtconcurrenttask.h>

namespace docsight {

// The one way the UI runs work off the GUI thread: work() runs on pool, then done(result) (done() when
// work returns void) runs on context's thread, and not at all once context is gone. Call it from
// context's thread. The pool is the caller's own (a controller's member), never the global one, so
// whoever owns it decides how much runs at once and waits for it when it goes. Among jobs still waiting
// in the pool, a higher priority starts first.
//
// A QFutureWatcher parented to context rather than QFuture::then(context, ...): in Qt 6.4 then() asserts
// that the context still lives when the work ends, and a watcher dies with its parent.
template <typename Work, typename Done>
void runAsync(QThreadPool *pool, QObject *context, Work work, Done done, int priority = 0)
{
    Q_ASSERT(pool && context);
    Q_ASSERT(context->thread() == QThread::currentThread());
    using Result = std::invoke_result_t<Work>;
    auto *watcher = new QFutureWatcher<Result>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, context, [watcher, done = std::move(done)]() mutable {
        watcher->deleteLater();
        if constexpr (std::is_void_v<Result>)
            done();
        else
            done(watcher->result());
    });
    watcher->setFuture(QtConcurrent::task(std::move(work)).onThreadPool(*pool).withPriority(priority).spawn());
}

} // namespace docsight
