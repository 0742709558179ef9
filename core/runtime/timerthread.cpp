#include "runtime/timerthread.h"

namespace porthole::runtime {

void Runtime::addTimer(std::chrono::milliseconds delay)
{
    if (stopping())
        return;
    std::lock_guard lock(m_timersMutex);
    if (!m_timers)
        m_timers = std::make_unique<TimerThread>(*this);
    m_timers->add(delay);
}

void Runtime::fireTimer(std::uint64_t id)
{
    ++m_counters.timersFired;
    trace::record(EventType::Timer, 1, 0, id, 0); // small 1: fired (0: came due, queued to the workers)
    if (ShadowStack::contains(FrameId::Dispatch))
        ++m_counters.timersUnderDispatch;
    runUserCallback(id);
}

} // namespace porthole::runtime
