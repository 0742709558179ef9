#pragma once

// Cases of the runtime models, shared by the Linux Qt Test suite (tst_runtimes) and the plain
// Windows executables run under Wine (tests/windows): the same models on io_uring and on IOCP.
// Each is a real run: real sockets, real threads; it asserts counts, roles and frames, never timings.

#include "caseresult.h"
#include "processcounts.h"
#include "runtime/runtime.h"
#include "trace/collector.h"
#include "workload/peerhost.h"

#include <chrono>
#include <functional>
#include <thread>

namespace porthole::testing {

// A trace, a socket farm and one runtime.
struct RuntimeRun {
    trace::TraceRecorder recorder;
    trace::TraceStore store;
    trace::Collector collector{recorder, store};
    workload::PeerHost peers;
    std::unique_ptr<runtime::Runtime> runtime;
    std::string error;

    bool start(runtime::RuntimeOptions options, std::size_t sockets)
    {
        error = peers.start(sockets);
        if (!error.empty())
            return false;
        runtime = runtime::Runtime::create(options, recorder, error);
        if (!runtime)
            return false;
        error = runtime->start(peers.localFds());
        return error.empty();
    }

    // Stops the runtime and the peers, then drains the trace.
    trace::Trace finish()
    {
        if (runtime)
            runtime->stop();
        runtime.reset();
        peers.stop();
        collector.drainNow();
        return store.snapshot(recorder);
    }

    ~RuntimeRun() { finish(); }
};

inline runtime::RuntimeOptions runtimeOptions(runtime::RuntimeKind kind)
{
    runtime::RuntimeOptions options;
    options.kind = kind;
    options.workers.minThreads = 2;
    return options;
}

// Polls until `done` holds or the time is up (the run decides when; the test only waits).
inline bool waitFor(const std::function<bool()> &done, std::chrono::milliseconds limit = std::chrono::seconds(20))
{
    const auto giveUp = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > giveUp)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

#define RUNTIME_CHECK(condition, why)                                                                                              \
    do {                                                                                                                           \
        if (!(condition))                                                                                                          \
            return fail(std::string(why) + " [" #condition "]");                                                                  \
    } while (false)

using trace::ThreadRole;

// .NET Framework (and Windows up to .NET 6): I/O completion threads run the callbacks inline,
// under PerformIOCompletionCallback; the worker pool stays empty.
inline CaseResult legacyRunsCallbacksInlineOnIoThreads()
{
    RuntimeRun r;
    RUNTIME_CHECK(r.start(runtimeOptions(runtime::RuntimeKind::LegacyIocp), 50), r.error);
    RUNTIME_CHECK(r.peers.sendToAll(1), "the peers did not send");
    const auto &c = r.runtime->counters();
    RUNTIME_CHECK(waitFor([&] { return c.callbacks.load() >= 50; }), "callbacks: " + std::to_string(c.callbacks.load()));
    RUNTIME_CHECK(c.callbacks.load() == 50, "more callbacks than messages");
    RUNTIME_CHECK(c.callbacksOn(ThreadRole::IoCompletion) == 50, "not all on I/O threads");
    RUNTIME_CHECK(c.callbacksUnderPerformIo.load() == 50, "not all under PerformIOCompletionCallback");
    RUNTIME_CHECK(c.callbacksUnderDispatch.load() == 0, "a callback under Dispatch");
    RUNTIME_CHECK(r.runtime->workers().maxThreadCount() == 0, "the worker pool made a thread");
    return {};
}

// Blocking callbacks: I/O threads are added (at once up to min, then one per gate period), while
// the worker pool, which has no work, creates no thread. The spacing is the gate's own schedule.
inline std::vector<trace::Event> ioThreadsCreated(const trace::Trace &trace, bool &workerMade)
{
    std::vector<trace::Event> io;
    for (const trace::Event &e : trace.events) {
        if (e.type == trace::EventType::ThreadCreated && ThreadRole(e.small) == ThreadRole::IoCompletion)
            io.push_back(e);
        workerMade = workerMade || (e.type == trace::EventType::ThreadCreated && ThreadRole(e.small) == ThreadRole::Worker);
    }
    return io;
}

// Callbacks that never return: only the gate adds I/O threads. Its first activities come two
// periods after it starts (a CPU baseline first), so about 1 s; then one thread per period.
inline CaseResult legacyGateInjectsAfterTwoPeriods()
{
    runtime::RuntimeOptions options = runtimeOptions(runtime::RuntimeKind::LegacyIocp);
    options.ioMinThreads = 2;
    options.ioMaxThreads = 4;
    options.callback.blockEvery = 1;
    options.callback.blockFor = std::chrono::milliseconds(60'000); // stop wakes it
    RuntimeRun r;
    RUNTIME_CHECK(r.start(options, 20), r.error);
    RUNTIME_CHECK(r.peers.sendToAll(1), "the peers did not send");
    const auto &c = r.runtime->counters();
    RUNTIME_CHECK(waitFor([&] { return c.maxAliveOf(ThreadRole::IoCompletion) >= 4; }),
                  "I/O threads: " + std::to_string(c.maxAliveOf(ThreadRole::IoCompletion)));
    RUNTIME_CHECK(r.runtime->workers().maxThreadCount() == 0, "the worker pool made a thread");
    const trace::Trace trace = r.finish();
    bool workerMade = false;
    const std::vector<trace::Event> io = ioThreadsCreated(trace, workerMade);
    RUNTIME_CHECK(!workerMade, "a worker was created");
    std::uint64_t gateStartNs = 0;
    for (const trace::Event &e : trace.events)
        if (e.type == trace::EventType::ThreadCreated && ThreadRole(e.small) == ThreadRole::Gate)
            gateStartNs = e.timeNs;
    RUNTIME_CHECK(io.size() == 4 && gateStartNs > 0, "I/O threads created: " + std::to_string(io.size()));
    for (std::size_t i = 0; i < io.size(); ++i)
        RUNTIME_CHECK(trace::ThreadReason(io[i].aux) == (i < 2 ? trace::ThreadReason::MinThreads : trace::ThreadReason::Starvation),
                      "thread " + std::to_string(i) + " created for the wrong reason");
    RUNTIME_CHECK(io[2].timeNs >= gateStartNs + 950'000'000, "the gate's first thread came before two periods");
    RUNTIME_CHECK(io[3].timeNs - io[2].timeNs >= 450'000'000, "gate injections must be a gate period apart");
    return {};
}

// Callbacks that block 300 ms, with the gate too slow to matter: a thread that completes and finds
// every other busy adds one, 500 ms after the last was made (GrowCompletionPortThreadpoolIfNeeded).
inline CaseResult legacyCompletingThreadGrowsThePool()
{
    runtime::RuntimeOptions options = runtimeOptions(runtime::RuntimeKind::LegacyIocp);
    options.ioMinThreads = 3;
    options.ioMaxThreads = 6;
    options.ioGatePeriod = std::chrono::milliseconds(60'000);
    options.callback.blockEvery = 1;
    options.callback.blockFor = std::chrono::milliseconds(300);
    RuntimeRun r;
    RUNTIME_CHECK(r.start(options, 40), r.error);
    RUNTIME_CHECK(r.peers.sendToAll(1), "the peers did not send");
    const auto &c = r.runtime->counters();
    RUNTIME_CHECK(waitFor([&] { return c.maxAliveOf(ThreadRole::IoCompletion) >= 5; }),
                  "I/O threads: " + std::to_string(c.maxAliveOf(ThreadRole::IoCompletion)));
    const trace::Trace trace = r.finish();
    bool workerMade = false;
    const std::vector<trace::Event> io = ioThreadsCreated(trace, workerMade);
    RUNTIME_CHECK(!workerMade, "a worker was created");
    RUNTIME_CHECK(io.size() >= 5, "I/O threads created: " + std::to_string(io.size()));
    for (std::size_t i = 0; i < io.size(); ++i) {
        RUNTIME_CHECK(trace::ThreadReason(io[i].aux) == (i < 3 ? trace::ThreadReason::MinThreads : trace::ThreadReason::Starvation),
                      "thread " + std::to_string(i) + " created for the wrong reason");
        if (i >= 3)
            RUNTIME_CHECK(io[i].timeNs - io[i - 1].timeNs >= 450'000'000, "a completing thread added one within 500 ms of the last");
    }
    return {};
}

// .NET 7+ on Windows: pollers dequeue, workers run every callback under Dispatch.
inline CaseResult pollersNeverRunCallbacks()
{
    RuntimeRun r;
    RUNTIME_CHECK(r.start(runtimeOptions(runtime::RuntimeKind::DotNetPollers), 50), r.error);
    RUNTIME_CHECK(r.peers.sendToAll(1), "the peers did not send");
    const auto &c = r.runtime->counters();
    RUNTIME_CHECK(waitFor([&] { return c.callbacks.load() >= 50; }), "callbacks: " + std::to_string(c.callbacks.load()));
    RUNTIME_CHECK(c.callbacksOn(ThreadRole::Poller) == 0, "a poller ran a callback");
    RUNTIME_CHECK(c.callbacksOn(ThreadRole::Worker) == 50, "not all on workers");
    RUNTIME_CHECK(c.callbacksUnderDispatch.load() == 50, "not all under Dispatch");
    RUNTIME_CHECK(c.callbacksUnderPerformIo.load() == 0, "a callback under PerformIOCompletionCallback");
    const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
    RUNTIME_CHECK(c.maxAliveOf(ThreadRole::Poller) == (cpus - 1) / 12 + 1, "pollers: (ProcessorCount - 1) / 12 + 1");
    return {};
}

// One loop thread serves every socket and runs the callbacks itself.
inline CaseResult rawLoopRunsCallbacksInline()
{
    RuntimeRun r;
    RUNTIME_CHECK(r.start(runtimeOptions(runtime::RuntimeKind::RawUring), 50), r.error);
    RUNTIME_CHECK(r.peers.sendToAll(1), "the peers did not send");
    const auto &c = r.runtime->counters();
    RUNTIME_CHECK(waitFor([&] { return c.callbacks.load() >= 50; }), "callbacks: " + std::to_string(c.callbacks.load()));
    RUNTIME_CHECK(c.callbacksOn(ThreadRole::EventLoop) == 50, "not all on the loop thread");
    RUNTIME_CHECK(c.maxAliveOf(ThreadRole::EventLoop) == 1, "more than one loop thread");
    RUNTIME_CHECK(c.callbacksUnderDispatch.load() == 0, "a callback under Dispatch");
    return {};
}

// The baseline: a real thread blocked in recv per socket.
inline CaseResult threadPerSocketHasAThreadPerSocket()
{
    constexpr std::size_t Sockets = 100;
    const std::size_t before = threadCount();
    RuntimeRun r;
    RUNTIME_CHECK(r.start(runtimeOptions(runtime::RuntimeKind::ThreadPerSocket), Sockets), r.error);
    const auto &c = r.runtime->counters();
    RUNTIME_CHECK(waitFor([&] { return c.waitingReceives.load() == std::int64_t(Sockets); }), "threads in recv: " + std::to_string(c.waitingReceives.load()));
    const std::size_t added = threadCount() - before;
    // One per socket, the collector, and at most the worker pool's gate.
    RUNTIME_CHECK(added >= Sockets + 1 && added <= Sockets + 3, "threads added: " + std::to_string(added));
    RUNTIME_CHECK(r.peers.sendToAll(1), "the peers did not send");
    RUNTIME_CHECK(waitFor([&] { return c.callbacks.load() >= Sockets; }), "callbacks: " + std::to_string(c.callbacks.load()));
    RUNTIME_CHECK(c.callbacksOn(ThreadRole::Other) == Sockets, "callbacks on other threads");
    return {};
}

// Task.Delay: the timer thread queues the continuation to a worker, never to an I/O thread.
// Five Task.Delay timers due in the same tick. FireNextTimers fires the first itself and queues the
// other four as work items. .NET 5+: it runs on a worker, so all five run under Dispatch, and their
// stacks show TimerQueueTimer.Fire there (as CoreCLR 10 does). .NET Framework: it runs on the timer
// thread, so the first fires there under AppDomainTimerCallback and four on workers.
inline CaseResult timersFollowTheirVersion(runtime::RuntimeKind kind)
{
    const bool framework = kind == runtime::RuntimeKind::LegacyIocp;
    RuntimeRun r;
    RUNTIME_CHECK(r.start(runtimeOptions(kind), 1), r.error);
    for (int i = 0; i < 5; ++i)
        r.runtime->addTimer(std::chrono::milliseconds(50));
    const auto &c = r.runtime->counters();
    // A firing counts fired, then under Dispatch, then the callback by role: wait for the last of them,
    // or the fifth timer can be seen fired before it is counted anywhere else.
    RUNTIME_CHECK(waitFor([&] { return c.timersFired.load() >= 5 && c.callbacksOn(ThreadRole::Worker) + c.callbacksOn(ThreadRole::Timer) >= 5; }),
                  "timers fired: " + std::to_string(c.timersFired.load()));
    RUNTIME_CHECK(c.timersUnderDispatch.load() == (framework ? 4u : 5u), "under Dispatch: " + std::to_string(c.timersUnderDispatch.load()));
    RUNTIME_CHECK(c.callbacksOn(ThreadRole::Worker) == (framework ? 4u : 5u), "on workers: " + std::to_string(c.callbacksOn(ThreadRole::Worker)));
    RUNTIME_CHECK(c.callbacksOn(ThreadRole::Timer) == (framework ? 1u : 0u), "on the timer thread: " + std::to_string(c.callbacksOn(ThreadRole::Timer)));
    RUNTIME_CHECK(c.callbacksOn(ThreadRole::IoCompletion) == 0, "a timer ran on an I/O thread");
    RUNTIME_CHECK(c.maxAliveOf(ThreadRole::Timer) == 1, "not one timer thread");
    const trace::Trace trace = r.finish();
    // Every timer's callback runs under TimerQueueTimer.Fire; FireNextTimers shows only on the Framework.
    std::size_t fires = 0, fireNext = 0, appDomain = 0;
    for (const trace::Event &e : trace.events) {
        if (e.type != trace::EventType::StackPush)
            continue;
        fires += runtime::FrameId(e.aux) == runtime::FrameId::TimerQueueTimerFire;
        fireNext += runtime::FrameId(e.aux) == runtime::FrameId::FireNextTimers;
        appDomain += runtime::FrameId(e.aux) == runtime::FrameId::AppDomainTimerCallback;
    }
    RUNTIME_CHECK(fires >= 5, "TimerQueueTimer.Fire pushed " + std::to_string(fires) + " times");
    RUNTIME_CHECK(fireNext == (framework ? 1u : 0u) && appDomain == (framework ? 1u : 0u),
                  "FireNextTimers " + std::to_string(fireNext) + ", AppDomainTimerCallback " + std::to_string(appDomain));
    return {};
}

inline CaseResult timersOnTheFramework() { return timersFollowTheirVersion(runtime::RuntimeKind::LegacyIocp); }
inline CaseResult timersOnDotnet7() { return timersFollowTheirVersion(runtime::RuntimeKind::DotNetPollers); }

// PostQueuedCompletionStatus through a model: the posted packets' callbacks run on I/O threads.
inline CaseResult postsReachTheCallbacks()
{
    RuntimeRun r;
    RUNTIME_CHECK(r.start(runtimeOptions(runtime::RuntimeKind::LegacyIocp), 1), r.error);
    for (std::uint64_t i = 0; i < 20; ++i)
        RUNTIME_CHECK(r.runtime->post(0xBEEF, std::uint32_t(i), i), "post refused");
    const auto &c = r.runtime->counters();
    RUNTIME_CHECK(waitFor([&] { return c.posts.load() >= 20; }), "posts: " + std::to_string(c.posts.load()));
    RUNTIME_CHECK(c.posts.load() == 20 && c.callbacksUnderPerformIo.load() == 20, "posts not run under PerformIOCompletionCallback");
    return {};
}

// Pause closes a gate before every dequeue; a step lets exactly one completion through.
inline CaseResult pauseHoldsAndStepReleasesOne()
{
    RuntimeRun r;
    RUNTIME_CHECK(r.peers.start(20).empty(), "no sockets");
    r.runtime = runtime::Runtime::create(runtimeOptions(runtime::RuntimeKind::RawUring), r.recorder, r.error);
    RUNTIME_CHECK(r.runtime, r.error);
    r.runtime->gate().pause();
    r.error = r.runtime->start(r.peers.localFds());
    RUNTIME_CHECK(r.error.empty(), r.error);
    RUNTIME_CHECK(waitFor([&] { return r.runtime->gate().waiting() == 1; }), "the loop thread is not held at the gate");
    RUNTIME_CHECK(r.peers.sendToAll(1), "the peers did not send");
    std::this_thread::sleep_for(std::chrono::milliseconds(200)); // the data arrives; nobody may take it
    RUNTIME_CHECK(r.runtime->counters().callbacks.load() == 0, "a callback ran while paused");
    r.runtime->gate().step();
    RUNTIME_CHECK(waitFor([&] { return r.runtime->gate().stepsTaken() == 1 && r.runtime->gate().waiting() == 1; }), "the step was not taken");
    RUNTIME_CHECK(r.runtime->counters().callbacks.load() == 1, "callbacks after one step: " + std::to_string(r.runtime->counters().callbacks.load()));
    r.runtime->gate().resume();
    RUNTIME_CHECK(waitFor([&] { return r.runtime->counters().callbacks.load() == 20; }), "not every completion after resume");
    return {};
}

// Stopping a model mid-run, with blocking callbacks, a timer and a post, leaves no thread and no
// descriptor (handle) behind. Every model that runs on this platform.
inline CaseResult stopLeavesNothingBehind(runtime::RuntimeKind kind)
{
    const std::size_t handles = handleCount(), threads = threadCount();
    {
        runtime::RuntimeOptions options = runtimeOptions(kind);
        options.callback.blockEvery = 3;
        options.callback.blockFor = std::chrono::milliseconds(20);
        RuntimeRun r;
        RUNTIME_CHECK(r.start(options, 200), r.error);
        r.runtime->addTimer(std::chrono::milliseconds(1));
        r.runtime->post(1, 1, 1);
        RUNTIME_CHECK(r.peers.sendToAll(1, 3), "the peers did not send");
        RUNTIME_CHECK(waitFor([&] { return r.runtime->counters().callbacks.load() >= 100; }),
                      "callbacks: " + std::to_string(r.runtime->counters().callbacks.load()));
        r.finish();
    }
    // The collector is gone with the run; kernel workers (io-wq) leave on their own.
    RUNTIME_CHECK(waitFor([&] { return threadCount() == threads; }, std::chrono::seconds(10)),
                  "threads before " + std::to_string(threads) + ", after " + std::to_string(threadCount()));
    RUNTIME_CHECK(handleCount() == handles, "handles before " + std::to_string(handles) + ", after " + std::to_string(handleCount()));
    return {};
}

#undef RUNTIME_CHECK

} // namespace porthole::testing
