#include "trace/collector.h"

#include <vector>

namespace porthole::trace {

Collector::Collector(TraceRecorder &recorder, TraceStore &store, std::chrono::milliseconds interval)
    : m_recorder(recorder)
    , m_store(store)
    , m_interval(interval)
    , m_thread([this] { run(); })
{
}

Collector::~Collector() { stop(); }

void Collector::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
    drainNow();
}

std::uint64_t Collector::drainNow()
{
    std::lock_guard lock(m_drainMutex);
    const std::uint64_t before = nowNs(); // what was committed before this is in the rings now
    m_recorder.drain(m_batch);
    m_store.append(m_batch); // leaves it empty
    // Release: a reader that sees the new watermark sees the appended events (the store's lock too).
    m_drainedThrough.store(before, std::memory_order_release);
    m_drained.notify_all();
    if (m_recorder.isBehind()) {
        { std::lock_guard wakeLock(m_mutex); } // the collector sees behind, or is asleep and gets the notify
        m_wake.notify_one();
    }
    return before;
}

bool Collector::waitUntilDrained(std::uint64_t timeNs, std::chrono::milliseconds timeout) const
{
    std::unique_lock lock(m_drainMutex);
    return m_drained.wait_for(lock, timeout, [&] { return drainedThroughNs() >= timeNs; });
}

void Collector::run()
{
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        // A drain that found some ring over a quarter full drains again at once: in one more interval
        // the ring could fill and drop events, or a flood waiting on isBehind() stand still.
        m_wake.wait_for(lock, m_interval, [this] { return m_stopping || m_recorder.isBehind(); });
        lock.unlock();
        drainNow();
        lock.lock();
    }
}

} // namespace porthole::trace
