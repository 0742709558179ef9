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

    // A moment's events share one time stamp and keep their order; an event recorded after the moment
    // is no earlier and comes after them.
    void momentSharesOneStampInOrder()
    {
        TraceRecorder recorder;
        const std::uint32_t self = recorder.attachCurrentThread("reaper", ThreadRole::IoCompletion, ThreadReason::Startup, 64);
        {
            Moment look;
            for (std::uint64_t i = 0; i < 5; ++i)
                look.record(EventType::OpCompleted, 0, 1, i, 0);
        }
        record(EventType::OpDequeued, 0, 1, 99, 0);
        recorder.detachCurrentThread(ThreadReason::Shutdown);
        std::vector<Event> out;
        recorder.drain(out);
        QCOMPARE(out.size(), std::size_t(1 + 5 + 1 + 1)); // created, the moment, the dequeue, exited
        for (std::size_t i = 1; i <= 5; ++i) {
            QCOMPARE(out[i].type, EventType::OpCompleted);
            QCOMPARE(out[i].id, std::uint64_t(i - 1));
            QCOMPARE(out[i].thread, self);
            QCOMPARE(out[i].timeNs, out[1].timeNs);
        }
        QVERIFY(out[1].timeNs >= out[0].timeNs);
        QCOMPARE(out[6].id, std::uint64_t(99));
        QVERIFY(out[6].timeNs >= out[5].timeNs);
    }

    // A moment on a full ring drops and counts as record() does, and the ring takes events again once drained.
    void momentOnAFullRingDropsAndCounts()
    {
        TraceRecorder recorder;
        recorder.attachCurrentThread("reaper", ThreadRole::IoCompletion, ThreadReason::Startup, 64);
        {
            Moment look;
            for (std::uint64_t i = 0; i < 100; ++i)
                look.record(EventType::OpCompleted, 0, 1, i, 0);
        }
        QCOMPARE(recorder.droppedEvents(), std::uint64_t(100 - 63)); // ThreadCreated took one slot
        std::vector<Event> out;
        recorder.drain(out);
        QCOMPARE(out.size(), std::size_t(64));
        QCOMPARE(out.back().id, std::uint64_t(62));
        Moment again;
        again.record(EventType::OpCompleted, 0, 1, 1000, 0);
        out.clear();
        recorder.drain(out);
        QCOMPARE(out.size(), std::size_t(1));
        QCOMPARE(out.front().id, std::uint64_t(1000));
        recorder.detachCurrentThread(ThreadReason::Shutdown);
    }

    // A thread nobody attached records nothing through a moment either.
    void momentOnAnUntracedThreadRecordsNothing()
    {
        TraceRecorder recorder;
        std::thread([] {
            Moment look;
            look.record(EventType::OpCompleted, 0, 1, 1, 0);
        }).join();
        std::vector<Event> out;
        recorder.drain(out);
        QVERIFY(out.empty());
        QCOMPARE(recorder.droppedEvents(), std::uint64_t(0));
    }

    // A drain that finds a ring over a quarter full is followed by another at once, not after the
    // interval (an hour here): a flood waiting on isBehind() goes on as soon as the collector has room.
    void collectorDrainsAgainAtOnceWhenBehind()
    {
        TraceRecorder recorder;
        TraceStore store;
        Collector collector(recorder, store, std::chrono::hours(1));
        std::thread([&] {
            recorder.attachCurrentThread("writer", ThreadRole::Other, ThreadReason::Startup, TraceRecorder::DefaultRingEvents);
            for (std::uint64_t i = 0; i <= TraceRecorder::DefaultRingEvents / 4; ++i)
                record(EventType::OpSubmitted, 0, 0, i, 0);
            recorder.detachCurrentThread(ThreadReason::Shutdown);
        }).join();
        const std::uint64_t first = collector.drainNow();
        QVERIFY(collector.waitUntilDrained(first + 1, std::chrono::seconds(30)));
        QVERIFY(store.eventCount() > TraceRecorder::DefaultRingEvents / 4);
    }

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
