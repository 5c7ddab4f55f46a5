// runAsync (ui/common/async.h): work on the given pool, the result on the context's thread, nothing once
// the context is gone. Headless: links docsight_uicore only.
#include "common/async.h"

#include <atomic>
#include <memory>

#include <QCoreApplication>
#include <QSemaphore>
#include <QTest>

using namespace docsight;

class TestAsync final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void runsWorkOnThePoolAndDeliversOnTheContextThread()
    {
        QThreadPool pool;
        QObject context;
        QThread *workedOn = nullptr;
        QThread *deliveredOn = nullptr;
        int result = 0;
        runAsync(
            &pool, &context,
            [&workedOn] {
                workedOn = QThread::currentThread();
                return 42;
            },
            [&](int r) {
                deliveredOn = QThread::currentThread();
                result = r;
            });
        QTRY_COMPARE(result, 42);
        QVERIFY(workedOn);
        QVERIFY(workedOn != QThread::currentThread());
        QCOMPARE(deliveredOn, context.thread());
    }

    void deliversOnTheThreadTheContextLivesIn()
    {
        QThreadPool pool;
        QThread thread;
        thread.start();
        auto *context = new QObject;
        context->moveToThread(&thread);
        std::atomic<QThread *> deliveredOn = nullptr;
        QMetaObject::invokeMethod(context, [&pool, context, &deliveredOn] {
            runAsync(
                &pool, context, [] { return QStringLiteral("done"); },
                [&deliveredOn](const QString &) { deliveredOn = QThread::currentThread(); });
        });
        QTRY_VERIFY(deliveredOn.load());
        QCOMPARE(deliveredOn.load(), &thread);
        QMetaObject::invokeMethod(context, &QObject::deleteLater);
        thread.quit();
        QVERIFY(thread.wait(5000));
    }

    void deliversNothingOnceTheContextIsDestroyed()
    {
        QThreadPool pool;
        QSemaphore release;
        std::atomic<bool> worked = false;
        bool delivered = false;
        auto context = std::make_unique<QObject>();
        runAsync(
            &pool, context.get(),
            [&] {
                release.acquire();
                worked = true;
                return 1;
            },
            [&delivered](int) { delivered = true; });
        context.reset(); // while the work still runs
        release.release();
        QVERIFY(pool.waitForDone(5000));
        QVERIFY(worked);
        QTest::qWait(50);
        QCoreApplication::processEvents();
        QVERIFY(!delivered);
    }

    void deliversNothingWhenTheContextGoesAfterTheWorkEnded()
    {
        // The work is done and its result on its way: the context goes before the event loop runs.
        QThreadPool pool;
        bool delivered = false;
        auto context = std::make_unique<QObject>();
        runAsync(&pool, context.get(), [] { return 1; }, [&delivered](int) { delivered = true; });
        QVERIFY(pool.waitForDone(5000));
        context.reset();
        QTest::qWait(50);
        QVERIFY(!delivered);
    }

    void supportsWorkWithoutAResult()
    {
        QThreadPool pool;
        QObject context;
        std::atomic<bool> worked = false;
        bool delivered = false;
        runAsync(&pool, &context, [&worked] { worked = true; }, [&] { delivered = worked; });
        QTRY_VERIFY(delivered);
    }

    void startsHigherPriorityWorkFirst()
    {
        QThreadPool pool;
        pool.setMaxThreadCount(1);
        QObject context;
        QSemaphore release;
        QList<int> order;
        runAsync(&pool, &context, [&release] { release.acquire(); }, [] {});
        for (int priority : {1, 3, 2})
            runAsync(&pool, &context, [priority] { return priority; }, [&order](int p) { order.append(p); }, priority);
        release.release();
        QTRY_COMPARE(order.size(), 3);
        QCOMPARE(order, (QList<int>{3, 2, 1}));
    }
};

QTEST_GUILESS_MAIN(TestAsync)
#include "tst_async.moc"
