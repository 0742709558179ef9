#pragma once

#include "trace/event.h"
#include "trace/threadring.h"

#include <atomic>
#include <cassert>
#include <chrono>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace porthole::trace {

struct ThreadInfo {
    std::uint32_t index = 0; // the trace's own thread number, used in Event::thread
    std::int32_t osThreadId = 0;
    ThreadRole role = ThreadRole::Other;
    std::string name;
};

inline std::uint64_t nowNs() noexcept
{
    return std::uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::steady_clock::now().time_since_epoch())
                             .count());
}

// The hot path stamps events with the CPU's time-stamp counter (about a third of the cost of
// clock_gettime here); the collector turns ticks into steady-clock nanoseconds when it drains.
namespace detail {
inline std::uint64_t ticks() noexcept
{
#if defined(__x86_64__) || defined(__i386__)
    return __rdtsc();
#else
    return nowNs();
#endif
}

struct TickClock {
    std::uint64_t baseTicks = 0;
    std::uint64_t baseNs = 0;
    double nsPerTick = 1.0;
    std::uint64_t toNs(std::uint64_t t) const
    {
        return t >= baseTicks ? baseNs + std::uint64_t(double(t - baseTicks) * nsPerTick)
                              : baseNs - std::uint64_t(double(baseTicks - t) * nsPerTick);
    }
    std::uint64_t toTicks(std::uint64_t ns) const // the inverse of toNs
    {
        return ns >= baseNs ? baseTicks + std::uint64_t(double(ns - baseNs) / nsPerTick)
                            : baseTicks - std::uint64_t(double(baseNs - ns) / nsPerTick);
    }
};
const TickClock &tickClock(); // calibrated once per process, on first use
} // namespace detail

class TraceRecorder;

namespace detail {
struct ThreadSlot {
    ThreadRing *ring = nullptr;
    std::uint32_t index = 0;
    TraceRecorder *recorder = nullptr;
};
inline thread_local ThreadSlot t_slot;
} // namespace detail

// Owns every thread's ring. Threads attach once (allocates), then record() with no lock.
class TraceRecorder
{
public:
    static constexpr std::uint32_t DefaultRingEvents = 1u << 16; // 2 MiB: a busy thread between drains
    static constexpr std::uint32_t SmallRingEvents = 256;        // 8 KiB: one of thousands of mostly idle threads

    TraceRecorder();
    ~TraceRecorder();
    TraceRecorder(const TraceRecorder &) = delete;
    TraceRecorder &operator=(const TraceRecorder &) = delete;

    // Gives the calling thread a ring and records ThreadCreated. A thread attaches to one recorder at a time.
    std::uint32_t attachCurrentThread(std::string name, ThreadRole role, ThreadReason reason,
                                      std::uint32_t ringEvents = DefaultRingEvents);
    // Records ThreadExited and closes the ring; the collector frees it once drained.
    void detachCurrentThread(ThreadReason reason);
    // A thread Porthole did not start but observes (an iou-wrk worker): it gets a trace number and
    // no ring; the observer records its events with recordAbout().
    std::uint32_t addObservedThread(std::string name, ThreadRole role, std::int32_t osThreadId);

    // The trace's strings (native function names, wait channels, thread names): one id per text.
    // Takes a lock: for the sampler and the collector, never the hot path.
    std::uint32_t intern(std::string_view text);
    std::vector<std::string> strings() const;

    // Collector side: moves every published event out of every ring, stamped in steady-clock
    // nanoseconds. One caller at a time.
    std::size_t drain(std::vector<Event> &out);

    std::vector<ThreadInfo> threads() const;
    std::uint64_t droppedEvents() const;
    // Backpressure for a thread that makes events as fast as it can (a flood of posts): true when at
    // the last drain some ring was over a quarter full, or the calling thread's ring is over an eighth
    // full now. Such a thread waits while it is: the trace drops nothing, the flood goes as fast as
    // the collector takes its events.
    bool isBehind() const;
    std::size_t ringBytes() const; // memory held by live rings

private:
    struct Entry {
        ThreadInfo info;
        std::unique_ptr<ThreadRing> ring; // reset by the collector after the thread exited and was drained
        std::uint64_t droppedWhenFreed = 0;
    };
    void nameNativeFrames(std::vector<Event> &events, std::size_t first);

    std::atomic<bool> m_behind{false}; // set by each drain
    mutable std::mutex m_mutex; // guards m_entries; never taken while recording
    std::vector<std::unique_ptr<Entry>> m_entries;
    std::mutex m_drainMutex; // one collector at a time; guards m_nativeIds
    std::unordered_map<std::uint64_t, std::uint32_t> m_nativeIds; // a function-name literal's address -> string id
    mutable std::mutex m_stringsMutex; // guards m_strings and m_stringIds: the sampler and the collector intern
    std::vector<std::string> m_strings;
    std::unordered_map<std::string, std::uint32_t> m_stringIds;
};

namespace detail {
inline void fill(Event &e, std::uint64_t ticks, std::uint32_t thread, EventType type, std::uint8_t small, std::uint16_t aux,
                 std::uint64_t id, std::uint64_t value) noexcept
{
    e.timeNs = ticks; // ticks until drained
    e.thread = thread;
    e.type = type;
    e.small = small;
    e.aux = aux;
    e.id = id;
    e.value = value;
}

// Appends one event, stamped `ticks`, to the calling thread's ring. No lock, no allocation.
inline void append(std::uint64_t ticks, std::uint32_t thread, EventType type, std::uint8_t small, std::uint16_t aux,
                   std::uint64_t id, std::uint64_t value) noexcept
{
    ThreadSlot &slot = t_slot;
    if (!slot.ring)
        return; // a thread nobody attached is not traced
    slot.ring->push([&](Event &e) { fill(e, ticks, thread, type, small, aux, id, value); });
}
} // namespace detail

// Appends one event to the calling thread's ring, about thread `thread` of the trace: the sampler
// records what it observed of other threads this way. No lock, no allocation.
inline void recordAbout(std::uint32_t thread, EventType type, std::uint8_t small, std::uint16_t aux, std::uint64_t id,
                        std::uint64_t value) noexcept
{
    detail::append(detail::ticks(), thread, type, small, aux, id, value);
}

// An event observed elsewhere at a known steady-clock time (a real runtime's callback, stamped by that
// process on the same monotonic clock): recorded as if at that moment. Not for the hot path.
inline void recordAboutAt(std::uint64_t timeNs, std::uint32_t thread, EventType type, std::uint8_t small, std::uint16_t aux,
                          std::uint64_t id, std::uint64_t value) noexcept
{
    detail::append(detail::tickClock().toTicks(timeNs), thread, type, small, aux, id, value);
}

// The hot path: stamps and appends one event about the calling thread to its ring.
inline void record(EventType type, std::uint8_t small, std::uint16_t aux, std::uint64_t id, std::uint64_t value) noexcept
{
    recordAbout(detail::t_slot.index, type, small, aux, id, value);
}

// Events that describe one moment share one clock read: what a thread saw in one look at the completion
// queue (the CQEs of one peek, the queue depths after it), the packets one dequeue handed out. Each
// costs only its store into the ring: the moment keeps the ring's head itself. So the calling thread
// records nothing else while a moment is in use (checked in debug builds); other code may run between.
class Moment
{
public:
    Moment() noexcept
        : m_ring(detail::t_slot.ring)
        , m_thread(detail::t_slot.index)
        , m_head(m_ring ? m_ring->head() : 0)
        , m_ticks(detail::ticks())
    {
    }
    void record(EventType type, std::uint8_t small, std::uint16_t aux, std::uint64_t id, std::uint64_t value) noexcept
    {
        if (!m_ring)
            return; // a thread nobody attached is not traced
        assert(m_head == m_ring->head() && "an event was recorded on this thread between a moment's events");
        m_ring->pushAt(m_head, [&](Event &e) { detail::fill(e, m_ticks, m_thread, type, small, aux, id, value); });
    }

private:
    ThreadRing *m_ring;
    std::uint32_t m_thread;
    std::uint64_t m_head;
    std::uint64_t m_ticks;
};

inline bool isCurrentThreadTraced() noexcept { return detail::t_slot.ring != nullptr; }

} // namespace porthole::trace
