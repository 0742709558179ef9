#pragma once

#include "trace/recorder.h"
#include "trace/tracestore.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace porthole::trace {

// A thread that drains every ring into the store in bulk, every interval, and once more on stop.
class Collector
{
public:
    Collector(TraceRecorder &recorder, TraceStore &store,
              std::chrono::milliseconds interval = std::chrono::milliseconds(5));
    ~Collector();

    void stop();         // drains a last time and joins
    void drainNow();     // from any thread: one bulk drain, now

private:
    void run();

    TraceRecorder &m_recorder;
    TraceStore &m_store;
    const std::chrono::milliseconds m_interval;
    std::mutex m_mutex; // guards m_stopping
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace porthole::trace
