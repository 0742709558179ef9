#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace porthole::workload {

// The run's own time: steady time that stands still while the run is paused. The runtime's clocks
// (thread injection, starvation, idle retirement, timers), the scenario's schedule and the traffic
// generator measure in it, so a pause freezes the lesson and resume picks up where it left off.
// Any thread may read it; pause() and resume() come from the scenario driver.
class RunClock
{
public:
    using Duration = std::chrono::steady_clock::duration;
    static constexpr std::chrono::milliseconds PausedSlice{20}; // how often a waiter looks while paused

    RunClock() : m_start(std::chrono::steady_clock::now()) {}

    Duration now() const; // run time since the clock was made, less every pause
    bool isPaused() const;
    void pause();
    void resume();

    // Waits on `wake` (under `lock`) until the run time has advanced by `duration` or `done()` holds;
    // returns done(). While paused the run time stands still, so the wait lasts past the pause.
    template<typename Predicate>
    bool waitFor(std::unique_lock<std::mutex> &lock, std::condition_variable &wake, Duration duration, Predicate done) const
    {
        return waitUntil(lock, wake, now() + duration, done);
    }
    template<typename Predicate>
    bool waitUntil(std::unique_lock<std::mutex> &lock, std::condition_variable &wake, Duration runTime, Predicate done) const
    {
        while (!done()) {
            if (isPaused()) {
                wake.wait_for(lock, PausedSlice, done);
                continue;
            }
            const Duration left = runTime - now();
            if (left <= Duration::zero())
                return false;
            wake.wait_for(lock, left, done);
        }
        return true;
    }

private:
    mutable std::mutex m_mutex; // guards the fields below
    const std::chrono::steady_clock::time_point m_start;
    Duration m_pausedTotal{0};
    std::chrono::steady_clock::time_point m_pausedSince{};
    bool m_paused = false;
};

} // namespace porthole::workload
