#pragma once

#include "trace/event.h"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace porthole::model {

struct ThreadView {
    std::uint32_t index = 0;
    std::int32_t osThreadId = 0;
    trace::ThreadRole role = trace::ThreadRole::Other;
    std::string name;
    trace::ThreadState state = trace::ThreadState::Running;
    bool alive = false;
    std::vector<std::uint16_t> stack; // frame ids, outermost first
    std::uint64_t callbacks = 0;
};

enum class SocketState : std::uint8_t { Idle, Pending, Completed };

// Everything the views show, as it was after a given number of events.
struct ModelState {
    std::size_t eventIndex = 0; // events applied
    std::uint64_t timeNs = 0;
    std::vector<ThreadView> threads;
    std::uint64_t portQueue = 0, cqReady = 0, sqPending = 0, workerQueue = 0;
    std::uint64_t pendingOps = 0;
    std::uint64_t reaped = 0, dequeued = 0, callbacks = 0, posts = 0;
    std::vector<SocketState> sockets;                 // one cell per descriptor seen, in order of first use
    std::unordered_map<std::int64_t, std::uint32_t> cellOfFd;
    std::unordered_map<std::uint64_t, std::uint32_t> cellOfOp; // receives in flight

    void apply(const trace::Event &e);
    std::size_t aliveThreads() const;
};

} // namespace porthole::model
