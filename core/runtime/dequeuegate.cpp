#include "runtime/dequeuegate.h"

#include "trace/recorder.h"

namespace porthole::runtime {

using trace::EventType;
using trace::ThreadState;

void DequeueGate::holdLocked(std::unique_lock<std::mutex> &lock, std::size_t &steps)
{
    const auto open = [&] { return m_closed || !m_paused || steps > 0; };
    if (open())
        return;
    // Held: recorded, so the lane shows "held by pause" until the thread goes on.
    trace::record(EventType::ThreadState, std::uint8_t(ThreadState::HeldByPause), 0, 0, 0);
    ++m_waiting;
    m_changed.wait(lock, open);
    --m_waiting;
    trace::record(EventType::ThreadState, std::uint8_t(ThreadState::Running), 0, 0, 0);
}

DequeueGate::Pass DequeueGate::pass()
{
    std::unique_lock lock(m_mutex);
    holdLocked(lock, m_steps);
    if (m_closed)
        return Pass::Closed;
    if (!m_paused)
        return Pass::Free;
    --m_steps;
    ++m_stepsTaken;
    return Pass::OneStep;
}

void DequeueGate::beginCallback(std::uint64_t opId)
{
    std::unique_lock lock(m_mutex);
    holdLocked(lock, m_callbackSteps);
    if (m_paused && !m_closed)
        --m_callbackSteps;
    trace::record(EventType::CallbackBegin, 0, 0, opId, 0);
}

void DequeueGate::pause()
{
    std::lock_guard lock(m_mutex);
    m_paused = true;
}

void DequeueGate::resume()
{
    {
        std::lock_guard lock(m_mutex);
        m_paused = false;
        m_steps = 0;
        m_callbackSteps = 0;
    }
    m_changed.notify_all();
}

void DequeueGate::step(std::size_t count)
{
    {
        std::lock_guard lock(m_mutex);
        m_steps += count;
        m_callbackSteps += count;
    }
    m_changed.notify_all();
}

void DequeueGate::close()
{
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
    }
    m_changed.notify_all();
}

bool DequeueGate::isPaused() const
{
    std::lock_guard lock(m_mutex);
    return m_paused;
}

std::size_t DequeueGate::stepsTaken() const
{
    std::lock_guard lock(m_mutex);
    return m_stepsTaken;
}

std::size_t DequeueGate::waiting() const
{
    std::lock_guard lock(m_mutex);
    return m_waiting;
}

} // namespace porthole::runtime
