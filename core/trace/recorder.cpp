#include "trace/recorder.h"

#include <algorithm>
#include <bit>
#ifdef _WIN32
#include <windows.h>
#else
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace porthole::trace {

ThreadRing::ThreadRing(std::uint32_t capacityPowerOfTwo)
    : m_slots(new Event[std::bit_ceil(std::max<std::uint32_t>(capacityPowerOfTwo, 16))])
    , m_mask(std::bit_ceil(std::max<std::uint32_t>(capacityPowerOfTwo, 16)) - 1)
{
}

std::size_t ThreadRing::drainInto(std::vector<Event> &out)
{
    // Acquire: pairs with push()'s release, so every slot below head is fully written.
    const std::uint64_t head = m_head.load(std::memory_order_acquire);
    // Relaxed: only the collector writes m_tail.
    std::uint64_t tail = m_tail.load(std::memory_order_relaxed);
    const std::size_t count = std::size_t(head - tail);
    // In at most two copies (the ring wraps once); the vector grows as push_back would, not to the exact
    // size, which would move everything drained before on every ring.
    const std::size_t first = std::min<std::size_t>(count, std::size_t(m_mask + 1 - (tail & m_mask)));
    const Event *slots = m_slots.get();
    out.insert(out.end(), slots + (tail & m_mask), slots + (tail & m_mask) + first);
    out.insert(out.end(), slots, slots + (count - first));
    // Release: our reads of the slots finish before the producer may reuse them.
    m_tail.store(head, std::memory_order_release);
    return count;
}

bool ThreadRing::isEmpty() const
{
    // Acquire on head: see the newest commit; relaxed on tail: the caller is the collector that writes it.
    return m_head.load(std::memory_order_acquire) == m_tail.load(std::memory_order_relaxed);
}

namespace detail {
const TickClock &tickClock()
{
    static const TickClock clock = [] {
#if defined(__x86_64__) || defined(__i386__)
        // constant_tsc: the counter runs at a fixed rate on every core. Measure it against the steady clock.
        const std::uint64_t ns0 = nowNs(), t0 = ticks();
        std::uint64_t ns1 = ns0, t1 = t0;
        while (ns1 - ns0 < 20'000'000) {
            ns1 = nowNs();
            t1 = ticks();
        }
        return TickClock{t1, ns1, double(ns1 - ns0) / double(t1 - t0)};
#else
        return TickClock{0, 0, 1.0};
#endif
    }();
    return clock;
}
} // namespace detail

TraceRecorder::TraceRecorder() { detail::tickClock(); }

namespace {
std::uint64_t currentOsThreadId()
{
#ifdef _WIN32
    return GetCurrentThreadId();
#else
    return std::uint64_t(::syscall(SYS_gettid));
#endif
}
} // namespace

TraceRecorder::~TraceRecorder()
{
    // Threads still attached would write into freed rings: they must have detached (or never record again).
    if (detail::t_slot.recorder == this)
        detail::t_slot = {};
}

std::uint32_t TraceRecorder::attachCurrentThread(std::string name, ThreadRole role, ThreadReason reason,
                                                 std::uint32_t ringEvents)
{
    if (detail::t_slot.recorder)
        detail::t_slot.recorder->detachCurrentThread(ThreadReason::Unspecified);
    auto entry = std::make_unique<Entry>();
    entry->info.osThreadId = std::int32_t(currentOsThreadId());
    entry->info.role = role;
    entry->info.name = std::move(name);
    entry->ring = std::make_unique<ThreadRing>(ringEvents);
    ThreadRing *ring = entry->ring.get();
    std::uint32_t index;
    {
        std::lock_guard lock(m_mutex);
        index = std::uint32_t(m_entries.size());
        entry->info.index = index;
        m_entries.push_back(std::move(entry));
    }
    detail::t_slot = {ring, index, this};
    record(EventType::ThreadCreated, std::uint8_t(role), std::uint16_t(reason), 0,
           std::uint64_t(currentOsThreadId()));
    return index;
}

void TraceRecorder::detachCurrentThread(ThreadReason reason)
{
    if (detail::t_slot.recorder != this)
        return;
    record(EventType::ThreadExited, 0, std::uint16_t(reason), 0, 0);
    detail::t_slot.ring->close();
    detail::t_slot = {};
}

std::uint32_t TraceRecorder::addObservedThread(std::string name, ThreadRole role, std::int32_t osThreadId)
{
    auto entry = std::make_unique<Entry>();
    entry->info.osThreadId = osThreadId;
    entry->info.role = role;
    entry->info.name = std::move(name);
    std::lock_guard lock(m_mutex);
    entry->info.index = std::uint32_t(m_entries.size());
    m_entries.push_back(std::move(entry));
    return m_entries.back()->info.index;
}

std::uint32_t TraceRecorder::intern(std::string_view text)
{
    std::lock_guard lock(m_stringsMutex);
    const auto [it, inserted] = m_stringIds.try_emplace(std::string(text), std::uint32_t(m_strings.size()));
    if (inserted)
        m_strings.emplace_back(text);
    return it->second;
}

std::vector<std::string> TraceRecorder::strings() const
{
    std::lock_guard lock(m_stringsMutex);
    return m_strings;
}

void TraceRecorder::nameNativeFrames(std::vector<Event> &events, std::size_t first)
{
    // A push carries the address of its call site's function-name literal (static storage, so it
    // is readable for the life of the process); the trace keeps the text as one of its strings.
    for (std::size_t i = first; i < events.size(); ++i) {
        Event &e = events[i];
        if (e.type != EventType::StackPush)
            continue;
        const auto [it, inserted] = m_nativeIds.try_emplace(e.id, 0);
        if (inserted)
            it->second = intern(e.id ? reinterpret_cast<const char *>(e.id) : "");
        e.id = it->second;
    }
}

bool TraceRecorder::isBehind() const
{
    if (m_behind.load(std::memory_order_relaxed))
        return true;
    const ThreadRing *own = detail::t_slot.recorder == this ? detail::t_slot.ring : nullptr;
    return own && own->waiting() > own->capacity() / 8;
}

std::size_t TraceRecorder::drain(std::vector<Event> &out)
{
    std::lock_guard drainLock(m_drainMutex);
    std::vector<Entry *> entries;
    {
        std::lock_guard lock(m_mutex);
        entries.reserve(m_entries.size());
        for (auto &entry : m_entries)
            if (entry->ring)
                entries.push_back(entry.get());
    }
    const std::size_t first = out.size();
    std::size_t total = 0;
    bool behind = false;
    for (Entry *entry : entries) {
        // Read closed before draining: a closed ring gets no more events, so after this drain it is empty.
        const bool closed = entry->ring->isClosed();
        const std::size_t drained = entry->ring->drainInto(out);
        behind |= drained > entry->ring->capacity() / 4;
        total += drained;
        if (closed) {
            std::lock_guard lock(m_mutex);
            entry->droppedWhenFreed = entry->ring->dropped();
            entry->ring.reset();
        }
    }
    const detail::TickClock &clock = detail::tickClock();
    for (std::size_t i = first; i < out.size(); ++i)
        out[i].timeNs = clock.toNs(out[i].timeNs);
    nameNativeFrames(out, first);
    m_behind.store(behind, std::memory_order_relaxed); // a hint for isBehind(): no order with the events needed
    return total;
}

std::vector<ThreadInfo> TraceRecorder::threads() const
{
    std::lock_guard lock(m_mutex);
    std::vector<ThreadInfo> result;
    result.reserve(m_entries.size());
    for (const auto &entry : m_entries)
        result.push_back(entry->info);
    return result;
}

std::uint64_t TraceRecorder::droppedEvents() const
{
    std::lock_guard lock(m_mutex);
    std::uint64_t total = 0;
    for (const auto &entry : m_entries)
        total += entry->ring ? entry->ring->dropped() : entry->droppedWhenFreed;
    return total;
}

std::size_t TraceRecorder::ringBytes() const
{
    std::lock_guard lock(m_mutex);
    std::size_t total = 0;
    for (const auto &entry : m_entries)
        if (entry->ring)
            total += entry->ring->bytes();
    return total;
}

} // namespace porthole::trace
