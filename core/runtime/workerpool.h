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
// min, a gate thread adds one per gate period while work waits and nothing was dequeued for that
// long (starvation injection). Idle threads above min retire after the idle timeout. Those periods
// are measured in the run's time, and no thread is injected while the gate is paused.
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
    unsigned minThreads() const { return m_min; }
    unsigned starting() const { return m_starting.load(std::memory_order_acquire); } // created, not yet traced
    void afterResume(); // starts the threads a pause held back (below min, with work waiting)

private:
    void startWorkerLocked(trace::ThreadReason reason);
    void workerLoop(trace::ThreadReason reason, std::list<std::thread>::iterator self);
    void gateLoop();
    void joinRetiredLocked();

    const WorkerPoolOptions m_options;
    const unsigned m_min;
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
    bool m_stopping = false;
    std::atomic<std::uint32_t> m_nextSlot{0};
    std::atomic<unsigned> m_starting{0};
    std::thread m_gate;
};

} // namespace porthole::runtime
