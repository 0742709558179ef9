#pragma once

// Internals shared by completionport.cpp (submission, reaping, close) and
// completionport_dispatch.cpp (waiting threads, LIFO release, concurrency).

#include "engine/completionport_uring.h"

#include <linux/time_types.h>

namespace porthole::engine {

inline constexpr std::uint64_t WakeTag = ~0ull;       // user_data of the port's own wake-up NOPs
inline constexpr std::uint64_t CancelTag = ~0ull - 1; // user_data of the cancel requests close() sends
inline constexpr std::int32_t OwnBufferBase = 1 << 16; // bufferId at or above: a fallback buffer of our own

struct UringPort::OpSlot {
    std::uint64_t token = 0;
    std::uint64_t key = 0;
    std::uint64_t opId = 0;
    __kernel_timespec timeout{}; // IORING_OP_TIMEOUT reads it at submission
    std::uint32_t postBytes = 0;
    std::uint32_t nextFree = UINT32_MAX;
    std::uint32_t generation = 0;
    std::int32_t ownBuffer = -1;
    std::int32_t fd = -1;
    OpKind kind = OpKind::Nop;
    bool inUse = false;
    bool rearmed = false; // a starved receive sent again; counts against the free buffers until it completes
};

inline UringPort::OpSlot &UringPort::slotAt(std::uint32_t index)
{
    return m_slotChunks[index / SlotChunk][index % SlotChunk];
}

struct UringPort::Waiter {
    Completion *out = nullptr;
    PortMember *member = nullptr;
    std::condition_variable wake;
    bool assigned = false; // set under m_mutex by whoever hands this waiter a packet
};

// The calling thread's association with a port (IOCP: a thread belongs to the port it last
// dequeued from). One per thread; the port keeps pointers to its members.
struct PortMember {
    std::atomic<UringPort *> port{nullptr}; // written under the membership lock, read by the owning thread
    trace::ThreadState state = trace::ThreadState::Running; // guarded by port->m_mutex
    ~PortMember();
};

PortMember &currentMember();

inline std::uint64_t userData(std::uint32_t index, std::uint32_t generation)
{
    return (std::uint64_t(generation) << 32) | index;
}

} // namespace porthole::engine
