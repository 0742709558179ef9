#include "runtime/workerpool.h"

#include "runtime/runtime_p.h"
#include "runtime/shadowstack.h"

#include <optional>

namespace porthole::runtime {

using trace::EventType;
using trace::ThreadReason;
using trace::ThreadState;

WorkerPool::WorkerPool(const WorkerPoolOptions &options, trace::TraceRecorder &recorder, DequeueGate &gate,
                       const workload::RunClock &clock)
    : m_options(options)
    , m_min(options.minThreads ? options.minThreads : std::max(1u, std::thread::hardware_concurrency()))
    , m_max(std::max(m_min, options.maxThreads))
    , m_recorder(recorder)
    , m_pauseGate(gate)
    , m_clock(clock)
    , m_lastDequeue(clock.now())
{
}

WorkerPool::~WorkerPool() { stop(); }

void WorkerPool::queue(WorkItem item, bool highPriority)
{
    std::lock_guard lock(m_mutex);
    if (m_stopping)
        return;
    if (!m_gate.joinable()) // the pool's gate starts with its first work item: no work, no thread
        m_gate = std::thread([this] { gateLoop(); });
    (highPriority ? m_high : m_normal).push_back(std::move(item));
    trace::record(EventType::QueueSample, std::uint8_t(trace::QueueKind::WorkerQueue), 0, 0, m_high.size() + m_normal.size());
    if (m_idle > 0)
        m_workAvailable.notify_one();
    else if (m_alive < m_min && m_alive < m_max)
        m_pauseGate.unlessPaused([this] { startWorkerLocked(ThreadReason::MinThreads); }); // below min: on demand, at once
}

void WorkerPool::afterResume()
{
    std::lock_guard lock(m_mutex);
    for (std::size_t waiting = m_high.size() + m_normal.size(); !m_stopping && waiting > m_idle && m_alive < m_min
         && m_alive < m_max;
         --waiting)
        startWorkerLocked(ThreadReason::MinThreads);
}

void WorkerPool::startWorkerLocked(ThreadReason reason)
{
    ++m_alive;
    ++m_starting;
    m_maxAlive = std::max(m_maxAlive, m_alive);
    m_threads.emplace_back();
    auto self = std::prev(m_threads.end());
    *self = std::thread([this, reason, self] { workerLoop(reason, self); });
}

void WorkerPool::workerLoop(ThreadReason reason, std::list<std::thread>::iterator self)
{
    m_recorder.attachCurrentThread(m_options.threadName, trace::ThreadRole::Worker, reason);
    --m_starting;
    setCurrentThreadRole(trace::ThreadRole::Worker);
    nameCurrentThread(m_options.threadName);
    setCurrentThreadSlot(128 + (m_nextSlot++ % 128)); // workers count in the upper half of the slots
    // A .NET Framework (or Mono) pool thread starts in native code: its managed stack begins at PerformWaitCallback.
    std::optional<FrameScope> start;
    if (!m_options.legacyFrames)
        start.emplace(FrameId::ThreadStart, std::source_location::current());
    FrameScope loop(m_options.legacyFrames ? FrameId::PerformWaitCallback : FrameId::WorkerThreadStart);
    std::unique_lock lock(m_mutex);
    ThreadReason exitReason = ThreadReason::Shutdown;
    for (;;) {
        if (m_high.empty() && m_normal.empty()) {
            if (m_stopping)
                break;
            trace::record(EventType::ThreadState, std::uint8_t(ThreadState::Parked), 0, 0, 0);
            ++m_idle;
            bool timedOut = false;
            {
                FrameScope wait(FrameId::WorkerWait);
                timedOut = !m_clock.waitFor(lock, m_workAvailable, m_options.idleTimeout, [this] {
                    return m_stopping || !m_high.empty() || !m_normal.empty();
                });
            }
            --m_idle;
            if (timedOut && m_alive > m_min) {
                exitReason = ThreadReason::IdleTimeout;
                break;
            }
            continue;
        }
        std::deque<WorkItem> &from = m_high.empty() ? m_normal : m_high;
        WorkItem item = std::move(from.front());
        from.pop_front();
        m_lastDequeue = m_clock.now();
        lock.unlock();
        trace::record(EventType::ThreadState, std::uint8_t(ThreadState::Running), 0, 0, 0);
        {
            FrameScope dispatch(FrameId::Dispatch);
            FrameScope entry(item.entry);
            item.run();
        }
        lock.lock();
    }
    --m_alive;
    m_retired.splice(m_retired.end(), m_threads, self);
    m_gateWake.notify_all();
    lock.unlock();
    m_recorder.detachCurrentThread(exitReason);
}

void WorkerPool::joinRetiredLocked()
{
    // A retired thread has left workerLoop's locked section; joining it waits only for its last lines.
    for (std::thread &t : m_retired)
        if (t.joinable() && t.get_id() != std::this_thread::get_id())
            t.join();
    m_retired.clear();
}

void WorkerPool::gateLoop()
{
    m_recorder.attachCurrentThread(".NET TP Gate", trace::ThreadRole::Gate, ThreadReason::Startup);
    setCurrentThreadRole(trace::ThreadRole::Gate);
    nameCurrentThread(".NET TP Gate");
    FrameScope start(FrameId::GateThread);
    using Duration = workload::RunClock::Duration;
    ProcessCpuMeter cpu;
    std::unique_lock lock(m_mutex);
    // Gate activities come one period after the last (DelayHelper); a blocking adjustment may wake
    // the gate in between, at once or when its delay ends.
    Duration nextTick = m_clock.now() + m_options.gatePeriod;
    const auto adjustmentDueNow = [this] {
        return m_blockingPending && m_blockingDelayUntil == Duration::zero() && !m_pauseGate.isPaused();
    };
    while (!m_stopping) {
        Duration wakeAt = nextTick;
        if (m_blockingPending && m_blockingDelayUntil != Duration::zero())
            wakeAt = std::min(wakeAt, m_blockingDelayUntil);
        // Between ticks the gate sleeps: recorded, so no lane shows it running then.
        trace::record(EventType::ThreadState, std::uint8_t(ThreadState::Parked), 0, 0, 0);
        m_clock.waitUntil(lock, m_gateWake, wakeAt, [&] { return m_stopping || adjustmentDueNow(); }); // run time: a pause stops it
        trace::record(EventType::ThreadState, std::uint8_t(ThreadState::Running), 0, 0, 0);
        if (m_stopping)
            break;
        joinRetiredLocked();
        const Duration now = m_clock.now();
        if (m_blockingPending && (m_blockingDelayUntil == Duration::zero() || now >= m_blockingDelayUntil))
            m_pauseGate.unlessPaused([this] { blockingAdjustmentLocked(); });
        if (now < nextTick)
            continue;
        // CoreCLR counts in whole milliseconds (Environment.TickCount): the next activities come a
        // period after this tick's millisecond, and the delay since the last dequeue is a difference
        // of milliseconds. So whether the thread added at one tick lets the next tick add another
        // depends on how late the gate wakes: on a quiet machine (under a millisecond) it does not,
        // and the pool grows by one thread a second; on a loaded one it may, as CoreCLR's does.
        const auto ms = [](Duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d); };
        nextTick = ms(now) + m_options.gatePeriod;
        // Starvation: work waits and nothing was dequeued for more than a period, or, with this
        // process's CPU at 80% or more, for more than (threads) x 2 periods (SufficientDelaySinceLastDequeue).
        // Not while a blocking adjustment is pending (it has its own pace). The thread the gate adds
        // dequeues just after this tick, so at the next one a period or less has passed: one
        // thread per two ticks, unless the gate woke a millisecond or more late.
        const bool cpuBusy = cpu.utilizationSinceLast() >= 0.80;
        const auto minimumDelay = cpuBusy ? m_options.gatePeriod * 2 * std::max(1u, m_alive) : workload::RunClock::Duration(m_options.gatePeriod);
        const bool workWaits = !m_high.empty() || !m_normal.empty();
        const bool starving = ms(now) - ms(m_lastDequeue) > minimumDelay;
        if (!m_blockingPending && workWaits && starving && m_idle == 0 && m_alive < m_max)
            m_pauseGate.unlessPaused([this] { startWorkerLocked(ThreadReason::Starvation); });
    }
    lock.unlock();
    m_recorder.detachCurrentThread(ThreadReason::Shutdown);
}

void WorkerPool::notifyBlocked()
{
    if (!m_options.cooperativeBlocking || currentThreadRole() != trace::ThreadRole::Worker)
        return;
    std::lock_guard lock(m_mutex);
    ++m_blocked;
    if (!m_blockingPending && m_alive < std::min(m_min + m_blocked, m_max)) {
        m_blockingPending = true;
        m_gateWake.notify_all();
    }
}

void WorkerPool::notifyUnblocked()
{
    if (!m_options.cooperativeBlocking || currentThreadRole() != trace::ThreadRole::Worker)
        return;
    std::lock_guard lock(m_mutex);
    if (m_blocked > 0)
        --m_blocked; // threads above the target are not stopped: idle ones retire after the timeout
}

bool WorkerPool::startIfWorkWaitsLocked(ThreadReason reason)
{
    if (m_stopping || m_high.size() + m_normal.size() <= m_idle || m_alive >= m_max)
        return false;
    startWorkerLocked(reason);
    return true;
}

void WorkerPool::blockingAdjustmentLocked()
{
    using Duration = workload::RunClock::Duration;
    m_blockingPending = false;
    const unsigned processors = std::max(1u, std::thread::hardware_concurrency());
    const unsigned target = std::min(m_min + m_blocked, m_max);
    if (m_alive >= target) {
        m_blockingDelayUntil = Duration::zero();
        return;
    }
    // Up to min + ProcessorCount threads (ThreadsToAddWithoutDelay) come at once; beyond, one per delay.
    const unsigned withoutDelay = std::min(m_min + processors, m_max);
    const bool delayElapsed = m_blockingDelayUntil != Duration::zero() && m_clock.now() >= m_blockingDelayUntil;
    unsigned goal = m_alive;
    if (goal < std::min(target, std::max(withoutDelay, m_alive)))
        goal = std::min(target, std::max(withoutDelay, m_alive));
    else if (delayElapsed)
        goal = m_alive + 1;
    while (m_alive < goal && startIfWorkWaitsLocked(ThreadReason::CooperativeBlocking)) {
    }
    if (m_alive >= target) {
        m_blockingDelayUntil = Duration::zero();
        return;
    }
    // The delay before the next thread: DelayStepMs more for every ProcessorCount threads added with one.
    m_blockingPending = true;
    const unsigned steps = 1 + (m_alive > withoutDelay ? m_alive - withoutDelay : 0) / processors;
    m_blockingDelayUntil = m_clock.now() + std::min(m_options.blockingDelayStep * steps, m_options.blockingMaxDelay);
}

void WorkerPool::stop()
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping && !m_gate.joinable())
            return;
        m_stopping = true;
        m_high.clear();
        m_normal.clear();
    }
    m_workAvailable.notify_all();
    m_gateWake.notify_all();
    if (m_gate.joinable())
        m_gate.join();
    std::unique_lock lock(m_mutex);
    while (!m_threads.empty()) {
        m_gateWake.wait(lock, [this] { return !m_retired.empty() || m_threads.empty(); });
        joinRetiredLocked();
    }
    joinRetiredLocked();
}

unsigned WorkerPool::minThreads() const
{
    std::lock_guard lock(m_mutex);
    return m_min;
}

unsigned WorkerPool::maxThreads() const
{
    std::lock_guard lock(m_mutex);
    return m_max;
}

bool WorkerPool::setMinThreads(unsigned min)
{
    std::lock_guard lock(m_mutex);
    if (min == 0 || min > m_max)
        return false;
    m_min = min;
    // Below the new minimum, threads come on demand at once (a pause holds them back until resume).
    m_pauseGate.unlessPaused([this] {
        while (m_alive < m_min && startIfWorkWaitsLocked(ThreadReason::MinThreads)) {
        }
    });
    if (m_blocked > 0 && !m_blockingPending) { // the blocking adjustment takes the new minimum into account
        m_blockingPending = true;
        m_gateWake.notify_all();
    }
    return true;
}

bool WorkerPool::setMaxThreads(unsigned max)
{
    std::lock_guard lock(m_mutex);
    if (max == 0 || max < m_min)
        return false;
    m_max = max; // threads above it are not stopped: idle ones retire
    return true;
}

unsigned WorkerPool::threadCount() const
{
    std::lock_guard lock(m_mutex);
    return m_alive;
}

unsigned WorkerPool::maxThreadCount() const
{
    std::lock_guard lock(m_mutex);
    return m_maxAlive;
}

std::size_t WorkerPool::queuedCount() const
{
    std::lock_guard lock(m_mutex);
    return m_high.size() + m_normal.size();
}

} // namespace porthole::runtime
