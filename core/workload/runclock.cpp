#include "workload/runclock.h"

namespace porthole::workload {

RunClock::Duration RunClock::now() const
{
    std::lock_guard lock(m_mutex);
    const auto until = m_paused ? m_pausedSince : std::chrono::steady_clock::now();
    return until - m_start - m_pausedTotal;
}

bool RunClock::isPaused() const
{
    std::lock_guard lock(m_mutex);
    return m_paused;
}

void RunClock::pause()
{
    std::lock_guard lock(m_mutex);
    if (m_paused)
        return;
    m_paused = true;
    m_pausedSince = std::chrono::steady_clock::now();
}

void RunClock::resume()
{
    std::lock_guard lock(m_mutex);
    if (!m_paused)
        return;
    m_paused = false;
    m_pausedTotal += std::chrono::steady_clock::now() - m_pausedSince;
}

} // namespace porthole::workload
