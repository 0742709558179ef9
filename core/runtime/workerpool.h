#pragma once

#include "runtime/workerpooloptions.h"

#include "runtime/dequeuegate.h"
#include "runtime/frames.h"
#include "trace/recorder.h"
#include "workload/runclock.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <thread>

namespace porthole::runtime {

struct WorkItem {
    std::function<void()> run;
    FrameId entry = FrameId::UserCallback; // the frame pushed above Dispatch while it runs
};


// The .NET worker pool on real threads: up to min threads are created on demand at once; above
// min, the gate thread ticks once per gate period (on a fixed schedule) and adds a thread when work
// waits and nothing was dequeued for more than a period (starvation injection, GateThread.cs): the
// new thread's own dequeue makes the next tick too early, so blocked work grows the pool by about
// one thread per two periods, as CoreCLR 10 does (one per second measured on this project's
// machines). Workers blocked in Task.Wait grow it faster (cooperative blocking, .NET 6+). Idle
// threads above min retire after the idle timeout. Every period is measured in the run's time, and
// no thread is injected while the gate is paused.
class WorkerPool
{
public:
    WorkerPool(const WorkerPoolOptions &options, trace::TraceRecorder &recorder, DequeueGate &gate,
               const workload::RunClock &clock);
    ~WorkerPool();

    void queue(WorkItem item, bool highPriority = false);
    void stop(); // lets running items finish, then joins every thread (the gate's too)

    unsigned threadCount() const;
    unsigned maxThreadCount() const;
    std::size_t queuedCount() const;
    unsigned minThreads() const;
    unsigned maxThreads() const;
    // SetMinThreads / SetMaxThreads: false (and nothing changes) when the minimum would exceed the
    // maximum. A raised minimum adds threads at once while work waits for them.
    bool setMinThreads(unsigned min);
    bool setMaxThreads(unsigned max);
    unsigned starting() const { return m_starting.load(std::memory_order_acquire); } // created, not yet traced
    void afterResume(); // starts the threads a pause held back (below min, with work waiting)
    // ThreadPool.NotifyThreadBlocked / NotifyThreadUnblocked, from a worker about to wait on a task
    // (Task.SpinThenBlockingWait). No-ops unless cooperative blocking is on and the caller is a worker.
    void notifyBlocked();
    void notifyUnblocked();

private:
    void startWorkerLocked(trace::ThreadReason reason);
    void workerLoop(trace::ThreadReason reason, std::list<std::thread>::iterator self);
    void gateLoop();
    void blockingAdjustmentLocked(); // PerformBlockingAdjustment: threads for workers blocked in Task.Wait
    bool startIfWorkWaitsLocked(trace::ThreadReason reason);
    void joinRetiredLocked();

    const WorkerPoolOptions m_options;
    unsigned m_min; // guarded by m_mutex, as is m_max
    unsigned m_max;
    trace::TraceRecorder &m_recorder;
    DequeueGate &m_pauseGate;
    const workload::RunClock &m_clock;

    mutable std::mutex m_mutex; // guards everything below
    std::condition_variable m_workAvailable;
    std::condition_variable m_gateWake;
    std::deque<WorkItem> m_high;
    std::deque<WorkItem> m_normal;
    std::list<std::thread> m_threads;
    std::list<std::thread> m_retired; // exited threads, joined by the gate or by stop()
    unsigned m_alive = 0;
    unsigned m_idle = 0;
    unsigned m_maxAlive = 0;
    workload::RunClock::Duration m_lastDequeue; // run time
    unsigned m_blocked = 0;           // workers blocked in Task.Wait
    bool m_blockingPending = false;   // an adjustment for them is due (the gate wakes for it)
    workload::RunClock::Duration m_blockingDelayUntil{0}; // run time; 0: no delay running
    bool m_stopping = false;
    std::atomic<std::uint32_t> m_nextSlot{0};
    std::atomic<unsigned> m_starting{0};
    std::thread m_gate;
};

} // namespace porthole::runtime
