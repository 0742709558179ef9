#pragma once

#include <cstdint>
#include <string_view>

namespace porthole::runtime {

// Every frame a shadow callstack can hold. Names travel as these ids; the table gives the text.
// The numbers are recorded in traces: append, never renumber.
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
    IoPollerCallbackInvoke,       // .NET 7+: the completion's callback, on a worker
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
    Last = GateThread
};

struct FrameInfo {
    std::string_view dotnetName; // what a .NET debugger shows for the modelled runtime
    std::string_view version;    // which .NET versions this frame belongs to
    std::string_view nativeName; // the function in this process that really runs
};

const FrameInfo &frameInfo(FrameId id);

} // namespace porthole::runtime
