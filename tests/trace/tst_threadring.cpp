#include "trace/collector.h"
#include "trace/recorder.h"

#include <QTest>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <pthread.h>
#include <thread>
#include <vector>

using namespace porthole::trace;

class TestThreadRing : public QObject
{
    Q_OBJECT

private slots:
    void eventIs32Bytes() { QCOMPARE(sizeof(Event), std::size_t(32)); }

    // Several writers, a collector draining concurrently: every event arrives once, untorn, in order per thread.
    void manyWritersNothingLostBelowCapacity()
    {
        TraceRecorder recorder;
        TraceStore store;
        constexpr int Writers = 4;
        constexpr std::uint64_t PerWriter = 200000;
        {
            Collector collector(recorder, store, std::chrono::milliseconds(1));
            std::vector<std::thread> threads;
            for (int w = 0; w < Writers; ++w) {
                threads.emplace_back([&, w] {
                    recorder.attachCurrentThread("writer " + std::to_string(w), ThreadRole::Worker, ThreadReason::Startup,
                                                 TraceRecorder::DefaultRingEvents);
                    for (std::uint64_t i = 0; i < PerWriter; ++i) {
                        // Stay below capacity: bursts of a quarter ring, each after the collector emptied it.
                        if (i % (TraceRecorder::DefaultRingEvents / 4) == 0)
                            while (!detail::t_slot.ring->isEmpty())
                                std::this_thread::yield();
                        record(EventType::OpSubmitted, 0, std::uint16_t(w), i, i * 3 + std::uint64_t(w));
                    }
                    recorder.detachCurrentThread(ThreadReason::Shutdown);
                });
            }
            for (auto &t : threads)
                t.join();
            collector.stop();
        }
        QCOMPARE(recorder.droppedEvents(), std::uint64_t(0));
        const std::vector<Event> events = store.copyEvents();
        std::vector<std::uint64_t> next(recorder.threads().size(), 0);
        std::size_t submitted = 0;
        for (std::size_t i = 0; i < events.size(); ++i) {
            const Event &e = events[i];
            if (i > 0)
                QVERIFY(events[i - 1].timeNs <= e.timeNs);
            if (e.type != EventType::OpSubmitted)
                continue;
            ++submitted;
            QCOMPARE(e.id, next[e.thread]); // per-thread order kept, nothing skipped
            QCOMPARE(e.value, e.id * 3 + e.aux); // not torn
            ++next[e.thread];
        }
        QCOMPARE(submitted, std::size_t(Writers) * PerWriter);
        // Rings of exited threads are freed once drained.
        QCOMPARE(recorder.ringBytes(), std::size_t(0));
    }

    // Nobody drains: the ring fills, further events are dropped and counted, the writer never blocks.
    void fullRingDropsAndCounts()
    {
        TraceRecorder recorder;
        std::thread writer([&] {
            recorder.attachCurrentThread("writer", ThreadRole::Worker, ThreadReason::Startup, 64);
            for (int i = 0; i < 1000; ++i)
                record(EventType::Post, 0, 0, std::uint64_t(i), 0);
            recorder.detachCurrentThread(ThreadReason::Shutdown);
        });
        writer.join();
        std::vector<Event> out;
        recorder.drain(out);
        QCOMPARE(out.size(), std::size_t(64));
        // 1 created + 1000 posts + 1 exited were offered; 64 fit.
        QCOMPARE(recorder.droppedEvents(), std::uint64_t(1002 - 64));
        QCOMPARE(out.front().type, EventType::ThreadCreated);
        QCOMPARE(out.back().id, std::uint64_t(62)); // the first 63 posts made it, in order
    }

    // Thread per socket: 10,000 mostly idle threads must cost at most 100 MB of rings.
    void tenThousandIdleThreadsStayUnder100MB()
    {
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
