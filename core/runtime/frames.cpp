#include "runtime/frames.h"

#include <array>

namespace porthole::runtime {

// .NET names and versions as FACTS.md §2 and §7 give them.
const FrameInfo &frameInfo(FrameId id)
{
    static const std::array<FrameInfo, std::size_t(FrameId::Last) + 1> table = {{
        {"System.Threading.Thread.StartCallback()", "all", "start_thread"},
        {"GetQueuedCompletionStatus", "Windows", "porthole::engine::CompletionPort::dequeue -> io_uring_wait_cqe"},
        {"GetQueuedCompletionStatusEx", "Windows", "porthole::engine::CompletionPort::dequeueBatch -> io_uring_wait_cqe"},
        {"System.Threading._IOCompletionCallback.PerformIOCompletionCallback(UInt32, UInt32, NativeOverlapped*)",
         ".NET Framework; Windows up to .NET 6", "porthole::runtime::LegacyIocpRuntime::runCallback"},
        {"System.Threading.PortableThreadPool+WorkerThread.WorkerThreadStart()", ".NET 6+",
         "porthole::runtime::WorkerPool::workerLoop"},
        {"System.Threading._ThreadPoolWaitCallback.PerformWaitCallback()", ".NET Framework; .NET Core up to 5",
         "porthole::runtime::WorkerPool::workerLoop"},
        {"System.Threading.ThreadPoolWorkQueue.Dispatch()", "all", "porthole::runtime::WorkerPool::dispatch"},
        {"System.Threading.LowLevelLifoSemaphore.Wait", ".NET 6+", "std::condition_variable::wait -> futex_wait"},
        {"System.Threading.PortableThreadPool+IOCompletionPoller.Poll()", ".NET 7+ on Windows",
         "porthole::runtime::PollerRuntime::pollLoop"},
        {"System.Threading.PortableThreadPool+IOCompletionPoller+Callback.Invoke -> "
         "IOCompletionCallbackHelper.PerformSingleIOCompletionCallback",
         ".NET 7+ on Windows", "porthole::runtime::PollerRuntime::runCallback"},
        {"System.Net.Sockets.SocketAsyncEngine.EventLoop()", ".NET Core on Linux",
         "porthole::runtime::EpollRuntime::eventLoop"},
        {"SystemNative_WaitForSocketEvents -> epoll_wait", ".NET Core on Linux", "epoll_wait"},
        {"System.Net.Sockets.SocketAsyncContext.HandleEvents", ".NET Core on Linux",
         "porthole::runtime::EpollRuntime::handleEvents"},
        {"(no .NET runtime: a raw io_uring loop)", "-", "porthole::runtime::RawUringRuntime::ringLoop"},
        {"System.Net.Sockets.Socket.Receive -> recv", "all", "recv"},
        {"System.Threading.TimerQueue.TimerThread()", ".NET 5+", "porthole::runtime::TimerThread::run"},
        {"System.Threading.TimerQueue.FireNextTimers()", "all", "porthole::runtime::TimerThread::fire"},
        {"Scenario callback", "-", "porthole::workload::Callback::run"},
        {"System.Threading.Thread.Sleep", "all", "nanosleep"},
        {"System.Threading.Tasks.Task.Wait", "all", "std::condition_variable::wait -> futex_wait"},
        {"System.Threading.PortableThreadPool+GateThread.GateThreadStart()", ".NET 6+",
         "porthole::runtime::GateThread::run"},
    }};
    return table[std::size_t(id)];
}

} // namespace porthole::runtime
