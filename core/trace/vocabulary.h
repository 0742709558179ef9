#pragma once

#include "trace/event.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace porthole::trace {

// Every frame a shadow callstack can hold. A StackPush event carries the id (aux) and the native
// name of the function that pushed it (a string of the trace). Recorded in traces: append, never renumber.
enum class FrameId : std::uint16_t {
    ThreadStart,                  // every thread's outermost frame
    GetQueuedCompletionStatus,    // waiting in the port
    GetQueuedCompletionStatusEx,  // waiting in the port for a batch
    PerformIOCompletionCallback,  // legacy I/O completion thread running a callback inline
    WorkerThreadStart,            // a worker's loop
    PerformWaitCallback,          // legacy worker entry
    Dispatch,                     // ThreadPoolWorkQueue.Dispatch
    WorkerWait,                   // an idle worker waiting for work (a semaphore)
    IoPollerPoll,                 // .NET 7+ IOCompletionPoller.Poll
    IoPollerCallbackInvoke,       // .NET 7+: one completion's callback (PerformSingleIOCompletionCallback), on a worker
    EpollEventLoop,               // .NET on Linux: SocketAsyncEngine.EventLoop
    EpollWait,                    // epoll_wait
    HandleEvents,                 // SocketAsyncContext.HandleEvents, on a worker
    RingLoop,                     // raw io_uring: one thread per ring
    BlockingReceive,              // thread per socket: Socket.Receive -> recv
    TimerThread,                  // the timer thread
    FireNextTimers,               // TimerQueue.FireNextTimers, on a worker
    UserCallback,                 // the scenario's callback
    ThreadSleep,                  // Thread.Sleep inside a callback
    TaskWait,                     // sync-over-async: Task.Wait inside a callback
    GateThread,                   // the gate thread that injects threads
    TypedQueueExecute,            // .NET 7+: ThreadPoolTypedWorkItemQueue.Execute, the work item of a poller's batch
    PollerEventInvoke,            // .NET 7+: IOCompletionPoller+Event.Invoke, one packet of the batch
    TimerQueueTimerFire,          // TimerQueueTimer.Fire: one timer's callback
    AppDomainTimerCallback,       // .NET Framework: the VM's timer thread enters the managed timer queue here
    UnsafeQueueNativeOverlapped,  // .NET posts a packet to the pool's port this way (key 0, the overlapped's callback)
    PostQueuedCompletionStatus,   // Win32: a packet into a port without I/O
    SocketEngineExecute,          // .NET on Linux: the socket engine's work item on a worker
    TransferCompletionCallback,   // .NET on Linux: a receive's completion handed to its continuation
    ReportedFrame,                // a real runtime's frame with no id above: its name is the push's string
    Last = ReportedFrame
};

// What a .NET debugger shows for a frame of the modelled runtime, and in which versions.
struct DotnetFrame {
    std::string_view name;
    std::string_view version;
};
const DotnetFrame &dotnetFrame(FrameId id);
// The frame a real runtime's reported name ("System.Threading.ThreadPoolWorkQueue.Dispatch", as
// StackTrace gives it) is, matched on the name before the signature; ReportedFrame when none is.
FrameId frameOfReportedName(std::string_view name);

// What the sampler and the interpreter measure, by the names claims and the CSV use.
// Observed ones are recorded by the sampler (EventType::Observed); the rest are folded from events.
// Recorded in traces by name: the numbers may change between builds, the names may not.
enum class Metric : std::uint16_t {
    Threads,            // observed: every task of the process (/proc/self/task)
    ExtraThreads,       // observed: threads minus those before the run and Porthole's own
    IoThreads,          // folded: I/O completion threads alive
    Workers,
    Pollers,
    EventLoops,
    SocketThreads,
    TimerThreads,
    IoWorkers,          // folded: iou-wrk threads the sampler saw
    Running,            // observed: threads the port counts as running (the concurrency value caps it)
    BusiestThreadShare, // folded: the largest share of all callbacks one thread ran
    PendingOps,         // observed
    CqReady,            // observed
    PortQueue,          // observed
    WorkerQueue,        // observed
    Callbacks,          // folded
    CompletionsPerS,    // folded
    Posts,              // folded
    Timers,             // folded: timers fired
    DroppedEvents,      // observed
    HeldAtGate,         // observed: threads the pause gate holds before their next dequeue
    CallbacksUnderDispatch,
    CallbacksUnderPerformIo,
    CallbacksOnOther,   // folded, one per ThreadRole in order
    CallbacksOnIo,
    CallbacksOnWorker,
    CallbacksOnPoller,
    CallbacksOnEventLoop,
    CallbacksOnTimer,
    CallbacksOnGate,
    CallbacksOnKernelWorker,
    CallbacksOnPorthole,
    ProcReadable,       // observed: 1 when the sampler could read /proc (0: io_workers and threads not measured)
    PostsReturned,      // folded: posted packets dequeued with the key they were posted with
    CpuMsOnOther,       // folded from the sampler's /proc readings: CPU time (ms) of the threads of each role, in order
    CpuMsOnIo,
    CpuMsOnWorker,
    CpuMsOnPoller,
    CpuMsOnEventLoop,
    CpuMsOnTimer,
    CpuMsOnGate,
    CpuMsOnKernelWorker,
    CpuMsOnPorthole,
    ResidentBytes,      // observed: this process's resident memory (/proc/self/statm); a compared run has a process of its own
    Last = ResidentBytes
};
inline constexpr std::size_t MetricCount = std::size_t(Metric::Last) + 1;
std::string_view metricName(Metric metric);
bool isObservedMetric(Metric metric); // recorded by the sampler, not computed from other events
Metric callbacksOnMetric(ThreadRole role);
Metric cpuMsOnMetric(ThreadRole role);

// The names a trace file carries so that it reads the same in any later build.
struct FrameText {
    std::string dotnetName;
    std::string version;
};
struct Vocabulary {
    std::vector<FrameText> frames; // by FrameId
    std::vector<std::string> roles, states, reasons, queues, ops, metrics;

    static Vocabulary current(); // this build's names
    // Bounds-checked: a name the vocabulary lacks reads "unknown".
    std::string_view frameName(std::uint16_t id) const;
    std::string_view frameVersion(std::uint16_t id) const;
    // What a view shows for a pushed frame: the .NET name, or for a reported frame the name the
    // runtime gave (the push's string, `pushed`).
    std::string_view frameLabel(std::uint16_t id, std::string_view pushed) const;
    bool isReportedFrame(std::uint16_t id) const;
    std::string_view roleName(std::uint8_t role) const;
    std::string_view stateName(std::uint8_t state) const;
};

} // namespace porthole::trace
