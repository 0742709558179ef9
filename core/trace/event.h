#pragma once

#include <cstdint>
#include <string_view>

namespace porthole::trace {

// What happened. The numbers are part of the trace file format: append, never renumber.
enum class EventType : std::uint8_t {
    ThreadCreated = 1,  // small = ThreadRole, aux = ThreadReason, value = OS thread id
    ThreadExited,       // aux = ThreadReason
    ThreadState,        // small = ThreadState
    OpSubmitted,        // aux = OpKind, id = op id, value = descriptor
    OpCompleted,        // aux = OpKind, id = op id, value = result (int64): reaped from the CQ
    OpDequeued,         // aux = OpKind, id = op id, value = completion key: handed to this thread
    CallbackBegin,      // id = op id
    CallbackEnd,        // id = op id
    StackPush,          // small = depth, aux = FrameId, id = string of the native function that pushed it
    StackPop,           // small = depth, aux = FrameId
    QueueSample,        // small = QueueKind, value = depth; for CqReady id = CQ head << 32 | tail
    Post,               // id = token, value = completion key
    CqOverflow,         // value = the ring's overflow counter
    Timer,              // id = timer id, small = 0 came due (queued to the workers), 1 fired
    ClaimChecked,       // id = claim index, small = 1 passed / 0 failed, value = observed
    WalkthroughMarker,  // id = step index
    // What the sampler observes (never the GUI thread). `thread` is the thread observed.
    Observed,           // aux = Metric, value = the reading as a double's bits
    SampleTick,         // value = seconds since the run started, as a double's bits: closes one metrics sample
    KernelState,        // small = /proc state letter, id = wchan string | (syscall + 1) << 32, value = CPU time (ns)
    RunControl,         // small = RunAction; value = seconds since the run started, as a double's bits
    ThreadLimit,        // small = ThreadLimitKind, aux = 1 set / 0 refused (as SetMinThreads returns), value = the number
    Last = ThreadLimit
};

// ThreadPool.SetMinThreads / SetMaxThreads: (workerThreads, completionPortThreads), one event each.
enum class ThreadLimitKind : std::uint8_t { WorkerMin, WorkerMax, IoMin, IoMax, Last = IoMax };

// Porthole: the app's own threads (setup, scenario driver, sampler), not part of the modelled runtime.
enum class ThreadRole : std::uint8_t { Other, IoCompletion, Worker, Poller, EventLoop, Timer, Gate, KernelWorker, Porthole, Last = Porthole };

// Why a thread was created or exited.
// CooperativeBlocking: .NET 6+ adds a worker for one blocked in Task.Wait (PortableThreadPool.Blocking.cs).
enum class ThreadReason : std::uint16_t {
    Unspecified, Startup, MinThreads, Starvation, BlockedCallback, IdleTimeout, Shutdown, CooperativeBlocking,
    Last = CooperativeBlocking
};

enum class ThreadState : std::uint8_t {
    Running,        // executing on a CPU (or runnable): not waiting for anything
    WaitingInPort,  // inside dequeue(): waiting for a completion packet
    Blocked,        // announced a blocking wait elsewhere (sleep, lock, sync-over-async)
    Parked,         // idle: in a pool waiting for work, or a gate / timer / Porthole thread between its ticks
    NotObserved,    // nobody recorded this thread's state yet (drawn as such, never as running)
    HeldByPause,    // held by Porthole's pause before its next dequeue or work item
    Last = HeldByPause
};

// What the user (or a --pause-at schedule) did to the run, recorded by the scenario driver once done.
enum class RunAction : std::uint8_t { Paused, Resumed, Stepped, Last = Stepped };

enum class QueueKind : std::uint8_t {
    SqPending,    // SQEs written but not yet consumed by the kernel
    CqReady,      // CQEs posted by the kernel, not yet reaped (io_uring_cq_ready)
    PortQueue,    // completions reaped from the CQ, waiting for a thread
    PendingOps,   // operations submitted and not yet completed
    WorkerQueue,  // work items waiting for a worker thread
    Last = WorkerQueue
};

enum class OpKind : std::uint16_t { Nop, Recv, Send, Read, Fsync, Timeout, Post, Cancel, Last = Cancel };

// One fixed-size record. Names travel as ids into static tables (eventTypeName() and friends).
struct Event {
    std::uint64_t timeNs;  // CLOCK_MONOTONIC
    std::uint32_t thread;  // index into the trace's thread table
    EventType type;
    std::uint8_t small;
    std::uint16_t aux;
    std::uint64_t id;
    std::uint64_t value;
};
static_assert(sizeof(Event) == 32, "the trace format and the rings depend on 32-byte events");

std::string_view eventTypeName(EventType type);
std::string_view threadRoleName(ThreadRole role);
std::string_view threadReasonName(ThreadReason reason);
std::string_view threadStateName(ThreadState state);
std::string_view queueKindName(QueueKind kind);
std::string_view opKindName(OpKind kind);

bool isValidEventType(std::uint8_t raw);

} // namespace porthole::trace
