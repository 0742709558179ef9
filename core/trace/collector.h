#pragma once

#include "trace/recorder.h"
#include "trace/tracestore.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace porthole::trace {

// A thread that drains every ring into the store in bulk, every interval, and once more on stop; at
// once again after a drain that found some ring over a quarter full (TraceRecorder::isBehind()).
class Collector
{
public:
    Collector(TraceRecorder &recorder, TraceStore &store,
              std::chrono::milliseconds interval = std::chrono::milliseconds(5));
    ~Collector();

    void stop();         // drains a last time and joins
    std::uint64_t drainNow(); // from any thread: one bulk drain, now; returns its watermark (below)

    // The watermark: every event committed before this steady-clock time is in the store. Tests and
    // readers wait on it instead of sleeping.
    std::uint64_t drainedThroughNs() const { return m_drainedThrough.load(std::memory_order_acquire); } // pairs with drainNow's release
    bool waitUntilDrained(std::uint64_t timeNs, std::chrono::milliseconds timeout) const;

private:
    void run();

    TraceRecorder &m_recorder;
    TraceStore &m_store;
    const std::chrono::milliseconds m_interval;
    std::mutex m_mutex; // guards m_stopping
    std::condition_variable m_wake;
    mutable std::mutex m_drainMutex; // one drain at a time, so the watermark only rises; guards m_batch
    std::vector<Event> m_batch;      // kept between drains: its memory is reused, not faulted in again
    mutable std::condition_variable m_drained;
    std::atomic<std::uint64_t> m_drainedThrough{0};
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace porthole::trace
