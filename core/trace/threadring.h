#pragma once

#include "trace/event.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace porthole::trace {

// A single-producer, single-consumer ring of events. The owning thread writes; the collector
// drains. Recording takes no lock and allocates nothing; a full ring drops and counts.
class ThreadRing
{
public:
    explicit ThreadRing(std::uint32_t capacityPowerOfTwo);

    // Producer side (the owning thread only): fill(Event &) writes one event into the next slot, then it is
    // published. False when the ring is full: the event is dropped and counted.
    template<typename Fill>
    bool push(Fill &&fill) noexcept
    {
        std::uint64_t h = head();
        return pushAt(h, fill);
    }
    // The same for a writer that keeps the head itself between events (trace::Moment): `head` is its copy
    // of head(), advanced when the event is published. The next event does not wait to read back the
    // head the last one stored.
    template<typename Fill>
    bool pushAt(std::uint64_t &head, Fill &&fill) noexcept
    {
        if (head - m_cachedTail > m_mask) {
            // Acquire: pairs with the collector's release of m_tail, so its reads of the slots are done.
            m_cachedTail = m_tail.load(std::memory_order_acquire);
            if (head - m_cachedTail > m_mask) {
                // Relaxed: a statistic; only this thread writes it.
                m_dropped.store(m_dropped.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
                return false;
            }
        }
        fill(m_slots[head & m_mask]);
        // Release: the slot written above is visible before the collector sees the new head.
        m_head.store(++head, std::memory_order_release);
        return true;
    }
    // Only this thread writes m_head, so a relaxed load reads our own last store.
    std::uint64_t head() const noexcept { return m_head.load(std::memory_order_relaxed); }

    // Consumer side (one collector at a time). Appends every published event; returns how many.
    std::size_t drainInto(std::vector<Event> &out);

    std::uint64_t dropped() const { return m_dropped.load(std::memory_order_relaxed); } // a statistic
    // Events recorded and not yet drained (acquire on the tail: the collector's progress).
    std::uint64_t waiting() const { return m_head.load(std::memory_order_relaxed) - m_tail.load(std::memory_order_acquire); }
    std::uint32_t capacity() const { return m_mask + 1; }
    std::size_t bytes() const { return sizeof(*this) + std::size_t(capacity()) * sizeof(Event); }
    bool isEmpty() const;

    // Set by the owner when its thread exits; the collector frees the ring once drained.
    void close() { m_closed.store(true, std::memory_order_release); } // release: orders the last push() before it
    bool isClosed() const { return m_closed.load(std::memory_order_acquire); }

private:
    std::unique_ptr<Event[]> m_slots;
    const std::uint32_t m_mask;
    std::uint64_t m_cachedTail = 0;                  // producer only
    alignas(64) std::atomic<std::uint64_t> m_head{0}; // written by producer, read by collector
    alignas(64) std::atomic<std::uint64_t> m_tail{0}; // written by collector, read by producer
    alignas(64) std::atomic<std::uint64_t> m_dropped{0}; // written by producer, read by anyone
    std::atomic<bool> m_closed{false};               // written by producer, read by collector
};

} // namespace porthole::trace
