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

void Collector::drainNow()
{
    std::vector<Event> batch;
    m_recorder.drain(batch);
    m_store.append(batch);
}

void Collector::run()
{
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        m_wake.wait_for(lock, m_interval, [this] { return m_stopping; });
        lock.unlock();
        drainNow();
        lock.lock();
    }
}

} // namespace porthole::trace
