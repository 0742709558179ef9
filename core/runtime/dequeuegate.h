#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace porthole::runtime {

// Pause and step. While paused, no thread takes a packet (completions keep arriving and pile up in
// the queue), no callback starts and the runtime injects no thread; each step lets one dequeue and
// one callback through. A thread held records "held by pause" until it goes on.
class DequeueGate
{
public:
    enum class Pass { Free, OneStep, Closed };

    Pass pass(); // before a dequeue: blocks while paused with no step left
    // Records CallbackBegin for `opId`; while paused, holds the thread first (a step lets one through).
    // Under the gate's lock, so a callback either began before the pause took effect or after it ended.
    void beginCallback(std::uint64_t opId);
    // Runs `decide` (a thread injection) under the gate's lock unless paused; false if paused.
    template<typename Decide>
    bool unlessPaused(Decide &&decide)
    {
        std::lock_guard lock(m_mutex);
        if (m_paused && !m_closed)
            return false;
        decide();
        return true;
    }
    void pause();
    void resume();
    void step(std::size_t count = 1);
    void close(); // releases every thread for good (stopping)

    bool isPaused() const;
    std::size_t stepsTaken() const;
    std::size_t waiting() const; // threads held by the pause now

private:
    void holdLocked(std::unique_lock<std::mutex> &lock, std::size_t &steps);

    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_paused = false;
    bool m_closed = false;
    std::size_t m_steps = 0;         // dequeues a step still lets through
    std::size_t m_callbackSteps = 0; // callbacks a step still lets start
    std::size_t m_stepsTaken = 0;
    std::size_t m_waiting = 0;
};

} // namespace porthole::runtime
