#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace porthole::runtime {

// Pause and step, as a gate in front of every dequeue. While paused, no thread takes a packet
// (completions keep arriving and pile up in the queue); each step lets exactly one through.
class DequeueGate
{
public:
    enum class Pass { Free, OneStep, Closed };

    Pass pass(); // blocks while paused with no step left
    void pause();
    void resume();
    void step(std::size_t count = 1);
    void close(); // releases every thread for good (stopping)

    bool isPaused() const;
    std::size_t stepsTaken() const;
    std::size_t waiting() const; // threads held at the gate now

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_paused = false;
    bool m_closed = false;
    std::size_t m_steps = 0;
    std::size_t m_stepsTaken = 0;
    std::size_t m_waiting = 0;
};

} // namespace porthole::runtime
