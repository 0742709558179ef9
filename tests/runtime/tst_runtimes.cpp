// One real run per runtime model: which threads exist, which one runs the callbacks, under which
// frames. Invariants of the runs (counts, reasons, frames), never timings.

#include "runtimecases.h"

#include "engine/descriptorlimit.h"
#include "engine/threadinspector.h"
#include "runtime/shadowstack.h"
#include "workload/traffic.h"

#include <QTest>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

using namespace porthole;
using namespace porthole::runtime;
using namespace std::chrono_literals;
using trace::ThreadRole;

namespace {

RuntimeOptions optionsFor(RuntimeKind kind)
{
    RuntimeOptions options;
    options.kind = kind;
    options.workers.minThreads = 2;
    return options;
}


} // namespace

// The shared cases (runtimecases.h) also run on Windows' IOCP, under Wine (tests/windows).
class TestRuntimes : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { engine::raiseDescriptorLimit(); }

    void legacyRunsCallbacksInlineOnIoThreads() { PORTHOLE_VERIFY_CASE(testing::legacyRunsCallbacksInlineOnIoThreads()); }

    void legacyGateInjectsAfterTwoPeriods() { PORTHOLE_VERIFY_CASE(testing::legacyGateInjectsAfterTwoPeriods()); }
    void legacyCompletingThreadGrowsThePool() { PORTHOLE_VERIFY_CASE(testing::legacyCompletingThreadGrowsThePool()); }

    void pollersNeverRunCallbacks() { PORTHOLE_VERIFY_CASE(testing::pollersNeverRunCallbacks()); }

    void linuxHasNoIoCompletionThreads()
    {
        testing::RuntimeRun h;
        QVERIFY2(h.start(optionsFor(RuntimeKind::DotNetLinux), 50), h.error.c_str());
        QVERIFY(h.peers.sendToAll(1));
        const auto &c = h.runtime->counters();
        QTRY_COMPARE_WITH_TIMEOUT(c.callbacks.load(), std::uint64_t(50), 10000);
        QCOMPARE(c.maxAliveOf(ThreadRole::IoCompletion), 0u);
        QCOMPARE(c.maxAliveOf(ThreadRole::EventLoop), 1u);
        QCOMPARE(c.callbacksOn(ThreadRole::Worker), std::uint64_t(50));
        QCOMPARE(c.callbacksUnderDispatch.load(), std::uint64_t(50));
        QVERIFY(h.runtime->port() == nullptr); // a real epoll, no completion port
    }

    void rawLoopRunsCallbacksInline() { PORTHOLE_VERIFY_CASE(testing::rawLoopRunsCallbacksInline()); }

    void threadPerSocketHasAThreadPerSocket() { PORTHOLE_VERIFY_CASE(testing::threadPerSocketHasAThreadPerSocket()); }

    void timersOnTheFramework() { PORTHOLE_VERIFY_CASE(testing::timersOnTheFramework()); }
    void timersOnDotnet7() { PORTHOLE_VERIFY_CASE(testing::timersOnDotnet7()); }

    // A raw port returns whatever was posted; .NET posts through ThreadPool.UnsafeQueueNativeOverlapped
    // with key 0 and no bytes (the overlapped carries the callback), and says so on the poster's stack.
    void postsKeepTheirValues_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<bool>("raw");
        QTest::newRow("raw port") << int(RuntimeKind::RawUring) << true;
        QTest::newRow(".NET 7+ pool") << int(RuntimeKind::DotNetPollers) << false;
    }

    void postsKeepTheirValues()
    {
        QFETCH(int, kind);
        QFETCH(bool, raw);
        std::mutex mutex;
        std::set<std::tuple<std::uint64_t, std::int64_t, std::uint64_t>> seen;
        RuntimeOptions options = optionsFor(RuntimeKind(kind));
        options.onPacket = [&](const engine::Completion &c) {
            if (c.kind == engine::OpKind::Post) {
                std::lock_guard lock(mutex);
                seen.emplace(c.key - Runtime::PostedKeyBase, c.result, c.token);
            }
        };
        testing::RuntimeRun h;
        QVERIFY2(h.start(options, 1), h.error.c_str());
        h.recorder.attachCurrentThread("poster", ThreadRole::Porthole, trace::ThreadReason::Startup); // its stack is traced
        for (std::uint64_t i = 0; i < 10; ++i)
            QVERIFY(h.runtime->post(0xBEEF + i, std::uint32_t(100 + i), 1000 + i));
        h.recorder.detachCurrentThread(trace::ThreadReason::Shutdown);
        QTRY_COMPARE_WITH_TIMEOUT(h.runtime->counters().posts.load(), std::uint64_t(10), 10000);
        {
            std::lock_guard lock(mutex);
            for (std::uint64_t i = 0; i < 10; ++i)
                QVERIFY(seen.count({raw ? 0xBEEF + i : 0, raw ? std::int64_t(100 + i) : 0, 1000 + i}) == 1);
        }
        QCOMPARE(h.runtime->counters().callbacksOn(raw ? ThreadRole::EventLoop : ThreadRole::Worker), std::uint64_t(10));
        const trace::Trace trace = h.finish();
        std::size_t unsafeQueue = 0, pqcs = 0;
        for (const trace::Event &e : trace.events)
            if (e.type == trace::EventType::StackPush) {
                unsafeQueue += FrameId(e.aux) == FrameId::UnsafeQueueNativeOverlapped;
                pqcs += FrameId(e.aux) == FrameId::PostQueuedCompletionStatus;
            }
        QCOMPARE(pqcs, std::size_t(10));
        QCOMPARE(unsafeQueue, raw ? std::size_t(0) : std::size_t(10));
    }

    // SetMinThreads / SetMaxThreads through the runtime: a pair valid together is taken whichever way it
    // moves, a minimum above the maximum is refused, and every value is recorded as set or refused.
    void threadLimitsMoveAsAPair()
    {
        RuntimeOptions options = optionsFor(RuntimeKind::LegacyIocp);
        options.workers.minThreads = 4;
        options.workers.maxThreads = 8;
        options.ioMinThreads = 4;
        options.ioMaxThreads = 8;
        testing::RuntimeRun h;
        QVERIFY2(h.start(options, 1), h.error.c_str());
        h.recorder.attachCurrentThread("caller", ThreadRole::Porthole, trace::ThreadReason::Startup);
        ThreadLimits down; // both below the old minimum
        down.workerMin = 1;
        down.workerMax = 2;
        down.ioMin = 1;
        down.ioMax = 2;
        h.runtime->setThreadLimits(down);
        ThreadLimits up; // both above the old maximum
        up.workerMin = 20;
        up.workerMax = 30;
        h.runtime->setThreadLimits(up);
        ThreadLimits crossed;
        crossed.workerMin = 40; // above the maximum of 30
        h.runtime->setThreadLimits(crossed);
        h.recorder.detachCurrentThread(trace::ThreadReason::Shutdown);
        QCOMPARE(h.runtime->workers().minThreads(), 20u);
        QCOMPARE(h.runtime->workers().maxThreads(), 30u);
        const trace::Trace trace = h.finish();
        QStringList seen;
        for (const trace::Event &e : trace.events)
            if (e.type == trace::EventType::ThreadLimit)
                seen << QStringLiteral("%1=%2%3").arg(e.small).arg(e.value).arg(e.aux ? QString() : QStringLiteral(" refused"));
        QCOMPARE(seen.join(QLatin1Char(',')), QStringLiteral("0=1,1=2,2=1,3=2,0=20,1=30,0=40 refused"));
    }

    void pauseHoldsAndStepReleasesOneShared() { PORTHOLE_VERIFY_CASE(testing::pauseHoldsAndStepReleasesOne()); }

    // Here the held completions can be seen waiting in the CQ as well.
    void pauseHoldsAndStepReleasesOne()
    {
        testing::RuntimeRun h;
        RuntimeOptions options = optionsFor(RuntimeKind::RawUring);
        QVERIFY(h.peers.start(20).empty());
        std::string error;
        h.runtime = Runtime::create(options, h.recorder, error);
        QVERIFY2(h.runtime, error.c_str());
        h.runtime->gate().pause();
        QCOMPARE(QString::fromStdString(h.runtime->start(h.peers.localFds())), QString());
        QTRY_COMPARE_WITH_TIMEOUT(h.runtime->gate().waiting(), std::size_t(1), 10000);
        QVERIFY(h.peers.sendToAll(1));
        // Nobody dequeues: the completions pile up in the completion queue.
        QTRY_COMPARE_WITH_TIMEOUT(h.runtime->port()->ringSnapshot().cqReady, 20u, 10000);
        QCOMPARE(h.runtime->counters().callbacks.load(), std::uint64_t(0));
        h.runtime->gate().step();
        QTRY_COMPARE_WITH_TIMEOUT(h.runtime->gate().stepsTaken(), std::size_t(1), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(h.runtime->gate().waiting(), std::size_t(1), 10000); // back at the gate
        QCOMPARE(h.runtime->counters().callbacks.load(), std::uint64_t(1));
        const engine::PortStats stats = h.runtime->port()->stats();
        QCOMPARE(stats.queued + h.runtime->port()->ringSnapshot().cqReady, std::uint64_t(19));
        h.runtime->gate().resume();
        QTRY_COMPARE_WITH_TIMEOUT(h.runtime->counters().callbacks.load(), std::uint64_t(20), 10000);
    }

    // .NET 7+ pollers: a dequeued batch is one high-priority work item (the typed queue), not one per packet;
    // each packet's callback runs under Execute -> Event.Invoke -> PerformSingleIOCompletionCallback.
    void pollerBatchIsOneWorkItem()
    {
        testing::RuntimeRun h;
        QVERIFY(h.peers.start(20).empty());
        std::string error;
        h.runtime = Runtime::create(optionsFor(RuntimeKind::DotNetPollers), h.recorder, error);
        QVERIFY2(h.runtime, error.c_str());
        h.runtime->gate().pause(); // the pollers hold before they dequeue: the packets gather
        QCOMPARE(QString::fromStdString(h.runtime->start(h.peers.localFds())), QString());
        QVERIFY(h.peers.sendToAll(1));
        QTRY_COMPARE_WITH_TIMEOUT(std::uint64_t(h.runtime->port()->ringSnapshot().cqReady) + h.runtime->port()->stats().queued,
                                  std::uint64_t(20), 10000);
        h.runtime->gate().resume();
        QTRY_COMPARE_WITH_TIMEOUT(h.runtime->counters().callbacks.load(), std::uint64_t(20), 10000);
        const trace::Trace trace = h.finish();
        std::size_t queuedByPollers = 0, batches = 0;
        for (const trace::Event &e : trace.events) {
            const bool poller = e.thread < trace.threads.size() && trace.threads[e.thread].role == trace::ThreadRole::Poller;
            queuedByPollers += poller && e.type == trace::EventType::QueueSample && e.small == std::uint8_t(trace::QueueKind::WorkerQueue);
            batches += poller && e.type == trace::EventType::StackPop && e.aux == std::uint16_t(FrameId::GetQueuedCompletionStatusEx);
        }
        QVERIFY(batches >= 1);
        QVERIFY2(queuedByPollers <= batches && queuedByPollers < 20,
                 qPrintable(QStringLiteral("%1 work items queued by the pollers for %2 batches of 20 packets").arg(queuedByPollers).arg(batches)));
    }

    // Any thread's stack at any moment can be rebuilt from the push/pop events of the trace.
    void stacksRebuiltFromTrace_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("expected");
        QTest::addColumn<int>("alsoExpected");
        QTest::newRow("legacy") << int(RuntimeKind::LegacyIocp) << int(FrameId::PerformIOCompletionCallback)
                                << int(FrameId::PerformIOCompletionCallback);
        QTest::newRow("pollers") << int(RuntimeKind::DotNetPollers) << int(FrameId::TypedQueueExecute)
                                 << int(FrameId::IoPollerCallbackInvoke);
        QTest::newRow("linux") << int(RuntimeKind::DotNetLinux) << int(FrameId::SocketEngineExecute)
                               << int(FrameId::TransferCompletionCallback);
    }

    void stacksRebuiltFromTrace()
    {
        QFETCH(int, kind);
        QFETCH(int, expected);
        QFETCH(int, alsoExpected);
        testing::RuntimeRun h;
        QVERIFY2(h.start(optionsFor(RuntimeKind(kind)), 30), h.error.c_str());
        QVERIFY(h.peers.sendToAll(1));
        QTRY_COMPARE_WITH_TIMEOUT(h.runtime->counters().callbacks.load(), std::uint64_t(30), 10000);
        const trace::Trace trace = h.finish();
        QCOMPARE(trace.droppedEvents, std::uint64_t(0));
        std::map<std::uint32_t, std::vector<std::uint16_t>> stacks;
        int checked = 0;
        for (const trace::Event &e : trace.events) {
            auto &stack = stacks[e.thread];
            if (e.type == trace::EventType::StackPush) {
                stack.push_back(e.aux);
                QCOMPARE(std::size_t(e.small), stack.size()); // the depth recorded matches the rebuilt one
            } else if (e.type == trace::EventType::StackPop) {
                QVERIFY(!stack.empty());
                QCOMPARE(stack.back(), e.aux);
                stack.pop_back();
            } else if (e.type == trace::EventType::CallbackBegin) {
                const auto has = [&](int f) { return std::find(stack.begin(), stack.end(), std::uint16_t(f)) != stack.end(); };
                QVERIFY(has(expected) && has(alsoExpected));
                QVERIFY(stack.front() == std::uint16_t(FrameId::ThreadStart));
                ++checked;
            }
        }
        QCOMPARE(checked, 30);
    }

    void trafficPatternsReachTheirSockets()
    {
        std::mutex mutex;
        std::set<std::uint64_t> keys;
        RuntimeOptions options = optionsFor(RuntimeKind::RawUring);
        options.onPacket = [&](const engine::Completion &c) {
            std::lock_guard lock(mutex);
            keys.insert(c.key);
        };
        {
            testing::RuntimeRun h;
            QVERIFY2(h.start(options, 20), h.error.c_str());
            workload::TrafficGenerator hot(h.peers, {workload::TrafficOptions::Pattern::HotSocket, 2000, 8, 1000ms}, h.runtime->clock());
            hot.start();
            QTRY_VERIFY_WITH_TIMEOUT(h.runtime->counters().callbacks.load() >= 10, 10000);
            hot.stop();
            std::lock_guard lock(mutex);
            QCOMPARE(keys, (std::set<std::uint64_t>{0}));
        }
        keys.clear();
        testing::RuntimeRun h;
        QVERIFY2(h.start(options, 100), h.error.c_str());
        workload::TrafficGenerator uniform(h.peers, {workload::TrafficOptions::Pattern::Uniform, 5000, 8, 1000ms}, h.runtime->clock());
        uniform.start();
        QTRY_VERIFY_WITH_TIMEOUT([&] {
            std::lock_guard lock(mutex);
            return keys.size() == 100;
        }(), 10000);
        uniform.stop();
        QVERIFY(uniform.messagesSent() >= 100);
    }

    void offloadAndSyncOverAsyncUseWorkers()
    {
        RuntimeOptions options = optionsFor(RuntimeKind::LegacyIocp);
        options.callback.offloadToWorker = true;
        options.callback.cpuWork = 100us;
        options.callback.blockEvery = 2;
        options.callback.blockFor = 5ms;
        options.callback.blockKind = workload::CallbackBehavior::Block::SyncOverAsync;
        testing::RuntimeRun h;
        QVERIFY2(h.start(options, 40), h.error.c_str());
        QVERIFY(h.peers.sendToAll(1));
        QTRY_COMPARE_WITH_TIMEOUT(h.runtime->counters().callbacks.load(), std::uint64_t(40), 20000);
        QCOMPARE(h.runtime->counters().callbacksOn(ThreadRole::IoCompletion), std::uint64_t(40));
        QVERIFY(h.runtime->workers().maxThreadCount() >= 1); // the offloaded work and the awaited tasks ran there
        const trace::Trace trace = h.finish();
        int waits = 0;
        for (const trace::Event &e : trace.events)
            waits += e.type == trace::EventType::StackPush && e.aux == std::uint16_t(FrameId::TaskWait);
        QCOMPARE(waits, 20);
    }

    void stopLeavesNothingBehind_data()
    {
        QTest::addColumn<int>("kind");
        for (int k = 0; k <= int(RuntimeKind::ThreadPerSocket); ++k)
            QTest::newRow(std::string(runtimeKindName(RuntimeKind(k))).c_str()) << k;
    }

    void stopLeavesNothingBehind()
    {
        QFETCH(int, kind);
        PORTHOLE_VERIFY_CASE(testing::stopLeavesNothingBehind(RuntimeKind(kind)));
    }
};

QTEST_GUILESS_MAIN(TestRuntimes)
#include "tst_runtimes.moc"
