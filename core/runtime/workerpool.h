#pragma once

#include "runtime/workerpooloptions.h"

#include "runtime/frames.h"
#include "trace/recorder.h"

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
// long (starvation injection). Idle threads above min retire after the idle timeout.
class WorkerPool
{
public:
    WorkerPool(const WorkerPoolOptions &options, trace::TraceRecorder &recorder);
    ~WorkerPool();

    void queue(WorkItem item, bool highPriority = false);
    void stop(); // lets running items finish, then joins every thread (the gate's too)

    unsigned threadCount() const;
    unsigned maxThreadCount() const;
    std::size_t queuedCount() const;
    unsigned minThreads() const { return m_min; }

private:
    void startWorkerLocked(trace::ThreadReason reason);
    void workerLoop(trace::ThreadReason reason, std::list<std::thread>::iterator self);
    void gateLoop();
    void joinRetiredLocked();

    const WorkerPoolOptions m_options;
    const unsigned m_min;
    trace::TraceRecorder &m_recorder;

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
    std::chrono::steady_clock::time_point m_lastDequeue;
    bool m_stopping = false;
    std::atomic<std::uint32_t> m_nextSlot{0};
    std::thread m_gate;
};

} // namespace porthole::runtime
