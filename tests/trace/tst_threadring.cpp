#include "tracecases.h"

#include <QTest>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <pthread.h>
#include <thread>
#include <vector>

using namespace porthole::trace;

// Shared cases (tracecases.h) run on Windows too, under Wine (tests/windows).
class TestThreadRing : public QObject
{
    Q_OBJECT

private slots:
    void eventIs32Bytes() { QCOMPARE(sizeof(Event), std::size_t(32)); }

    void manyWritersNothingLostBelowCapacity() { PORTHOLE_VERIFY_CASE(porthole::testing::manyWritersNothingLostBelowCapacity()); }

    void fullRingDropsAndCounts() { PORTHOLE_VERIFY_CASE(porthole::testing::fullRingDropsAndCounts()); }

    // Thread per socket: 10,000 mostly idle threads must cost at most 100 MB of rings.
    void tenThousandIdleThreadsStayUnder100MB()
    {
#if defined(__SANITIZE_THREAD__)
        QSKIP("ThreadSanitizer keeps a history per thread and cannot map one for 10,000 at once");
#endif
        TraceRecorder recorder;
        constexpr int Threads = 10000;
        struct Arg {
            TraceRecorder *recorder;
            std::mutex mutex;
            std::condition_variable changed;
            int attached = 0;
            bool release = false;
        } arg{&recorder, {}, {}, 0, false};
        auto body = [](void *p) -> void * {
            auto *a = static_cast<Arg *>(p);
            a->recorder->attachCurrentThread("socket thread", ThreadRole::Worker, ThreadReason::Startup,
                                             TraceRecorder::SmallRingEvents);
            record(EventType::ThreadState, 1, 0, 0, 0);
            std::unique_lock lock(a->mutex);
            ++a->attached;
            a->changed.notify_all();
            a->changed.wait(lock, [a] { return a->release; });
            lock.unlock();
            a->recorder->detachCurrentThread(ThreadReason::Shutdown);
            return nullptr;
        };
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, 64 * 1024);
        std::vector<pthread_t> threads;
        threads.reserve(Threads);
        for (int i = 0; i < Threads; ++i) {
            pthread_t t;
            if (pthread_create(&t, &attr, body, &arg) != 0)
                break;
            threads.push_back(t);
        }
        pthread_attr_destroy(&attr);
        std::unique_lock lock(arg.mutex);
        arg.changed.wait(lock, [&] { return arg.attached == int(threads.size()); });
        const std::size_t bytes = recorder.ringBytes();
        arg.release = true;
        arg.changed.notify_all();
        lock.unlock();
        for (pthread_t t : threads)
            pthread_join(t, nullptr);
        if (threads.size() < std::size_t(Threads))
            QSKIP("this machine cannot start 10,000 threads (pthread_create failed)");
        qInfo("10,000 attached threads hold %zu bytes of rings (%.1f MB)", bytes, double(bytes) / 1e6);
        QVERIFY(bytes <= 100u * 1000 * 1000);
        std::vector<Event> out;
        recorder.drain(out);
        QCOMPARE(out.size(), std::size_t(Threads) * 3);
        QCOMPARE(recorder.ringBytes(), std::size_t(0));
    }
};

QTEST_GUILESS_MAIN(TestThreadRing)
#include "tst_threadring.moc"
