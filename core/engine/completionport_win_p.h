#pragma once

// The Windows backend's own pieces, shared by its two files.

#include "engine/completionport_iocp.h"

#include <winsock2.h>
#include <windows.h>

namespace porthole::engine::win {

// Packets with no OVERLAPPED that the engine posts to itself.
constexpr ULONG_PTR WakeKey = ~ULONG_PTR(0);      // close(): every waiter returns Closed
constexpr ULONG_PTR NudgeKey = ~ULONG_PTR(0) - 1; // an inline completion waits: look at it

inline HANDLE portHandle(void *port) { return static_cast<HANDLE>(port); }

} // namespace porthole::engine::win

namespace porthole::engine {

struct IocpPort::WinOp {
    OVERLAPPED overlapped{}; // the packet's lpOverlapped points here
    WSABUF wsabuf{};
    std::uint64_t token = 0;
    std::uint64_t opId = 0;
    OpKind kind = OpKind::Nop;
    std::vector<std::byte> buffer; // recv and send: the bytes; valid until recycle()
};

} // namespace porthole::engine
