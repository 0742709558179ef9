#pragma once

// The Task.Delay timer thread of the .NET models, by version (only runtime/*.cpp include this).

#include "runtime/runtime.h"
#include "runtime/shadowstack.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <vector>

namespace porthole::runtime {

using trace::EventType;
using trace::ThreadRole;
using trace::ThreadState;

// Task.Delay: one timer thread holds the due times. When timers come due, FireNextTimers fires the
// first itself and queues every other to the workers as a work item of its own (Timer.cs, "We fire
// the first timer on this thread"). Where it runs depends on the version:
// - .NET 5+ (TimerQueue.Portable.cs): the timer thread queues the timer queue as one work item, and
//   FireNextTimers runs on a worker. CoreCLR 10 on x64 tail-calls Fire from it, so a real stack
//   shows TimerQueueTimer.Fire right above Dispatch for every timer (measured): so do these frames.
// - .NET Framework: the VM's timer thread calls AppDomainTimerCallback -> FireNextTimers, and the
//   first due timer fires there, on the timer thread, not under Dispatch (FACTS §2).
class Runtime::TimerThread
{
public:
    explicit TimerThread(Runtime &runtime) : m_runtime(runtime), m_framework(runtime.m_options.workers.legacyFrames)
    {
        runtime.spawn(".NET Timer", ThreadRole::Timer, trace::ThreadReason::Startup, [this] { run(); });
    }
    void add(std::chrono::milliseconds delay)
    {
        std::lock_guard lock(m_mutex);
        m_due.emplace(m_runtime.m_clock.now() + std::chrono::duration_cast<workload::RunClock::Duration>(delay * m_runtime.slowMotion()),
                      ++m_nextId);
        m_changed.notify_one();
    }
    void stop()
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
        m_changed.notify_one();
    }

private:
    void run()
    {
        if (m_framework) { // the Framework's timer thread is the VM's, with no managed frame
            loop();
            return;
        }
        FrameScope frame(FrameId::TimerThread);
        loop();
    }

    void loop()
    {
        std::unique_lock lock(m_mutex);
        const auto idle = [] { trace::record(EventType::ThreadState, std::uint8_t(ThreadState::Parked), 0, 0, 0); };
        const auto busy = [] { trace::record(EventType::ThreadState, std::uint8_t(ThreadState::Running), 0, 0, 0); };
        while (!m_stopping) {
            // Waiting for the next due time: recorded, so no lane shows the timer thread running then.
            if (m_due.empty()) {
                idle();
                m_changed.wait(lock);
                busy();
                continue;
            }
            // Due times are in the run's time: a pause holds every timer.
            const auto next = m_due.begin()->first;
            idle();
            const bool early = m_runtime.m_clock.waitUntil(lock, m_changed, next, [this, next] {
                return m_stopping || m_due.empty() || m_due.begin()->first != next;
            });
            busy();
            if (early)
                continue;
            // Due in this tick: .NET counts time in whole milliseconds (Environment.TickCount).
            std::vector<std::uint64_t> due;
            const auto tick = m_runtime.m_clock.now() + std::chrono::milliseconds(1);
            while (!m_due.empty() && m_due.begin()->first <= tick) {
                due.push_back(m_due.begin()->second);
                trace::record(EventType::Timer, 0, 0, due.back(), 0);
                m_due.erase(m_due.begin());
            }
            lock.unlock();
            if (m_framework) {
                FrameScope entry(FrameId::AppDomainTimerCallback);
                FrameScope fireNext(FrameId::FireNextTimers);
                fireNextTimers(std::move(due));
            } else {
                m_runtime.m_workers->queue({[this, due = std::move(due)]() mutable { fireNextTimers(std::move(due)); },
                                            FrameId::TimerQueueTimerFire},
                                           true); // UnsafeQueueHighPriorityWorkItemInternal
            }
            lock.lock();
        }
    }

    // Queues every due timer but the first to the workers, then fires the first on this thread.
    void fireNextTimers(std::vector<std::uint64_t> due)
    {
        for (std::size_t i = 1; i < due.size(); ++i)
            m_runtime.m_workers->queue({[this, id = due[i]] { m_runtime.fireTimer(id); }, FrameId::TimerQueueTimerFire});
        if (due.empty())
            return;
        if (!m_framework) { // the work item's entry frame is Fire already
            m_runtime.fireTimer(due.front());
            return;
        }
        FrameScope fire(FrameId::TimerQueueTimerFire);
        m_runtime.fireTimer(due.front());
    }

    Runtime &m_runtime;
    const bool m_framework; // .NET Framework's timer path, else .NET 5+'s
    std::mutex m_mutex; // guards m_due, m_nextId, m_stopping
    std::condition_variable m_changed;
    std::multimap<workload::RunClock::Duration, std::uint64_t> m_due; // run time -> timer id
    std::uint64_t m_nextId = 0;
    bool m_stopping = false;
};

} // namespace porthole::runtime
