// The worker pool's injection rules on real threads: min threads on demand at once, then one
// thread per gate period while every worker is blocked and work waits.

#include "runtime/workerpool.h"
#include "trace/collector.h"

#include <QTest>

#include <condition_variable>
#include <mutex>

using namespace porthole;
using namespace porthole::runtime;
using namespace std::chrono_literals;

class TestWorkerPool : public QObject
{
    Q_OBJECT

private slots:
    void starvationAddsOneThreadPerGatePeriod()
    {
        trace::TraceRecorder recorder;
        trace::TraceStore store;
        trace::Collector collector(recorder, store);
        WorkerPoolOptions options;
        options.minThreads = 2;
        options.maxThreads = 6;
        DequeueGate gate;
        workload::RunClock clock;
        WorkerPool pool(options, recorder, gate, clock);
        std::mutex mutex;
        std::condition_variable released;
        bool release = false;
        for (int i = 0; i < 10; ++i)
            pool.queue({[&] {
                std::unique_lock lock(mutex);
                released.wait(lock, [&] { return release; });
            }});
        QCOMPARE(pool.threadCount(), 2u); // up to min: at once, on demand
        QTRY_COMPARE_WITH_TIMEOUT(pool.threadCount(), 6u, 20000);
        {
            std::lock_guard lock(mutex);
            release = true;
        }
        released.notify_all();
        pool.stop();
        collector.stop();
        std::vector<trace::Event> workers;
        for (const trace::Event &e : store.copyEvents())
            if (e.type == trace::EventType::ThreadCreated && trace::ThreadRole(e.small) == trace::ThreadRole::Worker)
                workers.push_back(e);
        QCOMPARE(workers.size(), std::size_t(6));
        for (std::size_t i = 0; i < workers.size(); ++i) {
            QCOMPARE(trace::ThreadReason(workers[i].aux),
                     i < 2 ? trace::ThreadReason::MinThreads : trace::ThreadReason::Starvation);
            if (i >= 3) // injections above min are at least a gate period apart
                QVERIFY(workers[i].timeNs - workers[i - 1].timeNs >= 450'000'000);
        }
        QCOMPARE(pool.maxThreadCount(), 6u); // max is honoured
    }

    void idleThreadsAboveMinRetire()
    {
        trace::TraceRecorder recorder;
        WorkerPoolOptions options;
        options.minThreads = 1;
        options.maxThreads = 4;
        options.idleTimeout = 100ms;
        options.gatePeriod = 50ms;
        DequeueGate gate;
        workload::RunClock clock;
        WorkerPool pool(options, recorder, gate, clock);
        std::atomic<int> done{0};
        for (int i = 0; i < 4; ++i)
            pool.queue({[&] {
                std::this_thread::sleep_for(150ms);
                ++done;
            }});
        QTRY_VERIFY_WITH_TIMEOUT(pool.maxThreadCount() >= 2, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(done.load(), 4, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(pool.threadCount(), 1u, 10000); // back to min, never below
    }
};

QTEST_GUILESS_MAIN(TestWorkerPool)
#include "tst_workerpool.moc"
