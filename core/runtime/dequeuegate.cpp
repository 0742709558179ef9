#include "runtime/dequeuegate.h"

namespace porthole::runtime {

DequeueGate::Pass DequeueGate::pass()
{
    std::unique_lock lock(m_mutex);
    ++m_waiting;
    m_changed.wait(lock, [this] { return m_closed || !m_paused || m_steps > 0; });
    --m_waiting;
    if (m_closed)
        return Pass::Closed;
    if (!m_paused)
        return Pass::Free;
    --m_steps;
    ++m_stepsTaken;
    return Pass::OneStep;
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
    }
    m_changed.notify_all();
}

void DequeueGate::step(std::size_t count)
{
    {
        std::lock_guard lock(m_mutex);
        m_steps += count;
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

} // namespace porthole::runtime

namespace porthole::runtime {

std::size_t DequeueGate::waiting() const
{
    std::lock_guard lock(m_mutex);
    return m_waiting;
}

} // namespace porthole::runtime
