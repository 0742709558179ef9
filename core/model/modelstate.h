#pragma once

#include "trace/vocabulary.h"

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace porthole::model {

struct StackFrame {
    std::uint16_t frame = 0;  // trace::FrameId: the .NET name is in the trace's vocabulary
    std::uint32_t native = 0; // the trace's string: the function that pushed it
    auto operator<=>(const StackFrame &) const = default; // ordered: identical stacks merge in a map
};

// What the sampler last read of a thread from the kernel (/proc/self/task/TID).
struct KernelObservation {
    char state = 0;          // R, S, D, ...; 0 = never observed
    std::uint32_t wchan = 0; // the trace's string: where it sleeps ("0" or "" when it does not)
    std::int64_t syscall = -1;
    std::uint64_t cpuNs = 0;
    std::uint64_t timeNs = 0; // when it was read
};

struct ThreadView {
    std::uint32_t index = 0;
    std::int32_t osThreadId = 0;
    trace::ThreadRole role = trace::ThreadRole::Other;
    std::string name;
    trace::ThreadState state = trace::ThreadState::NotObserved; // until the thread records one
    bool alive = false;
    std::vector<StackFrame> stack; // outermost first
    std::uint64_t callbacks = 0;
    KernelObservation kernel;
};

// The threads a lesson is about: neither Porthole's own (driver, sampler) nor the kernel's io-wq.
bool isLessonRole(trace::ThreadRole role);

// One pause of the run, from the driver's RunControl events, and what happened inside it (a freeze
// adds no thread of the lesson and starts no callback, but what a step lets through).
struct PauseSpan {
    double atS = 0;
    double forS = 0; // until resumed; while still paused, 0
    bool open = true;
    std::uint64_t threadsAdded = 0;
    std::uint64_t callbacksStarted = 0;
    std::uint64_t steps = 0;
};

enum class SocketState : std::uint8_t { Idle, Pending, Completed };

// Everything the views show, as it was after a given number of events: the one fold over events.
struct ModelState {
    static constexpr std::size_t Roles = std::size_t(trace::ThreadRole::Last) + 1;
    // More sockets than a process can have descriptors (20,000 here) is a crafted trace: the cells stop
    // there, so the checkpoints' copies stay bounded whatever a file holds.
    static constexpr std::size_t MaxSocketCells = 1u << 16;
    static constexpr std::size_t MaxStackDepth = 256;

    std::size_t eventIndex = 0; // events applied
    std::uint64_t timeNs = 0;
    std::vector<ThreadView> threads;
    std::uint64_t portQueue = 0, cqReady = 0, sqPending = 0, workerQueue = 0;
    std::uint64_t pendingOps = 0;
    std::uint64_t reaped = 0, dequeued = 0, callbacks = 0, posts = 0, timersFired = 0;
    std::uint64_t postsReturned = 0;                       // posted packets dequeued with a key that was posted
    static constexpr std::size_t MaxPostedKeys = 4096;
    std::unordered_map<std::uint64_t, std::uint32_t> postedKeys; // key -> posted and not yet dequeued (0: none now)
    std::size_t postedKeysAtZero = 0;                            // entries of postedKeys at 0
    std::uint64_t callbacksUnderDispatch = 0, callbacksUnderPerformIo = 0;
    std::array<std::uint64_t, Roles> aliveByRole{}, callbacksByRole{};
    std::array<double, trace::MetricCount> observed; // the sampler's last reading of each metric (NaN: none)
    std::vector<PauseSpan> pauses;
    std::vector<SocketState> sockets;                 // one cell per descriptor seen, in order of first use
    std::unordered_map<std::int64_t, std::uint32_t> cellOfFd;
    std::unordered_map<std::uint64_t, std::uint32_t> cellOfOp; // receives in flight

    ModelState();
    void apply(const trace::Event &e);
    std::size_t aliveThreads() const;
    // The threads a lesson is about: alive, neither Porthole's own (driver, sampler) nor the kernel's io-wq.
    std::size_t lessonThreads() const
    {
        return aliveThreads() - aliveByRole[std::size_t(trace::ThreadRole::Porthole)] - aliveByRole[std::size_t(trace::ThreadRole::KernelWorker)];
    }
    double observedValue(trace::Metric m) const { return observed[std::size_t(m)]; }
    // What a copy of this state holds on the heap, roughly (a hash map's entry counted as 40 bytes).
    std::size_t approximateBytes() const;
};

} // namespace porthole::model
