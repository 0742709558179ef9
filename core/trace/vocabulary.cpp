#include "trace/vocabulary.h"

#include <array>

namespace porthole::trace {

namespace {
constexpr std::string_view Unknown = "unknown";

template<typename T>
std::string_view at(const std::vector<T> &names, std::size_t index)
{
    return index < names.size() ? std::string_view(names[index]) : Unknown;
}
} // namespace

// .NET names and versions as FACTS.md §2 gives them.
const DotnetFrame &dotnetFrame(FrameId id)
{
    static const std::array<DotnetFrame, std::size_t(FrameId::Last) + 1> table = {{
        // A .NET Framework or Mono pool thread starts in native code: its managed stack has no such frame.
        {"System.Threading.Thread.StartCallback()", ".NET Core, .NET 5+ (seen in CoreCLR 10)"},
        {"GetQueuedCompletionStatus", "Windows"},
        {"GetQueuedCompletionStatusEx", "Windows"},
        {"System.Threading._IOCompletionCallback.PerformIOCompletionCallback(UInt32, UInt32, NativeOverlapped*)",
         ".NET Framework; Windows up to .NET 6"},
        {"System.Threading.PortableThreadPool+WorkerThread.WorkerThreadStart()", ".NET 6+ (seen in CoreCLR 10)"},
        {"System.Threading._ThreadPoolWaitCallback.PerformWaitCallback()", ".NET Framework; .NET Core up to 5; Mono (seen in 6.8)"},
        {"System.Threading.ThreadPoolWorkQueue.Dispatch()", "all (seen in CoreCLR 10 and Mono 6.8)"},
        {"System.Threading.LowLevelLifoSemaphore.Wait", ".NET 6+"},
        {"System.Threading.PortableThreadPool+IOCompletionPoller.Poll()", ".NET 7+ on Windows"},
        // .NET 7 names it _IOCompletionCallback.PerformSingleIOCompletionCallback (FACTS §9).
        {"System.Threading.IOCompletionCallbackHelper.PerformSingleIOCompletionCallback(UInt32, UInt32, NativeOverlapped*)",
         ".NET 8+ on Windows"},
        {"System.Net.Sockets.SocketAsyncEngine.EventLoop()", ".NET Core on Linux"},
        {"SystemNative_WaitForSocketEvents -> epoll_wait", ".NET Core on Linux"},
        // In the source between the engine's Execute and the transfer; CoreCLR 10 x64 inlines it (not on the stack).
        {"System.Net.Sockets.SocketAsyncContext.HandleEvents", ".NET Core on Linux (source; inlined in CoreCLR 10)"},
        {"(no .NET runtime: a raw io_uring loop)", "-"},
        {"System.Net.Sockets.Socket.Receive -> recv", "all"},
        {"System.Threading.TimerQueue.TimerThread()", ".NET 5+"},
        // CoreCLR 10 on x64 tail-calls Fire from FireNextTimers: a real stack shows Fire right above Dispatch.
        {"System.Threading.TimerQueue.FireNextTimers()", "all (.NET 10 x64: tail call, not on the stack)"},
        {"Scenario callback", "-"},
        {"System.Threading.Thread.Sleep", "all"},
        {"System.Threading.Tasks.Task.Wait", "all"},
        {"System.Threading.PortableThreadPool+GateThread.GateThreadStart()", ".NET 6+"},
        {"System.Threading.ThreadPoolTypedWorkItemQueue.Execute()", ".NET 7+ on Windows"},
        {"System.Threading.PortableThreadPool+IOCompletionPoller+Event.Invoke()", ".NET 7+ on Windows"},
        {"System.Threading.TimerQueueTimer.Fire(Boolean)", "all (seen in CoreCLR 10)"},
        {"System.Threading.TimerQueue.AppDomainTimerCallback(Int32)", ".NET Framework"},
        {"System.Threading.ThreadPool.UnsafeQueueNativeOverlapped(NativeOverlapped*)", "Windows, all"},
        {"PostQueuedCompletionStatus", "Windows"},
        {"System.Net.Sockets.SocketAsyncEngine.System.Threading.IThreadPoolWorkItem.Execute()", ".NET 5+ on Linux (seen in CoreCLR 10)"},
        {"System.Net.Sockets.SocketAsyncEventArgs.TransferCompletionCallbackCore", ".NET on Linux (seen in CoreCLR 10)"},
        {"(a frame the runtime reported)", "reported by the runtime"},
    }};
    return table[std::size_t(id) < table.size() ? std::size_t(id) : 0];
}

FrameId frameOfReportedName(std::string_view name)
{
    for (std::size_t i = 0; i < std::size_t(FrameId::ReportedFrame); ++i) {
        std::string_view known = dotnetFrame(FrameId(i)).name;
        known = known.substr(0, known.find('('));
        if (!name.empty() && known == name)
            return FrameId(i);
    }
    return FrameId::ReportedFrame;
}

std::string_view metricName(Metric metric)
{
    static constexpr std::array<std::string_view, MetricCount> names = {
        "threads", "extra_threads", "io_threads", "workers", "pollers", "event_loops", "socket_threads",
        "timer_threads", "io_workers", "running", "busiest_thread_share", "pending_ops", "cq_ready",
        "port_queue", "worker_queue", "callbacks", "completions_per_s", "posts", "timers", "dropped_events",
        "held_at_gate", "callbacks_under_dispatch", "callbacks_under_perform_io", "callbacks_on_other",
        "callbacks_on_io", "callbacks_on_worker", "callbacks_on_poller", "callbacks_on_event_loop",
        "callbacks_on_timer", "callbacks_on_gate", "callbacks_on_kernel_worker", "callbacks_on_porthole",
        "proc_readable", "posts_returned", "cpu_ms_on_other", "cpu_ms_on_io", "cpu_ms_on_worker", "cpu_ms_on_poller",
        "cpu_ms_on_event_loop", "cpu_ms_on_timer", "cpu_ms_on_gate", "cpu_ms_on_kernel_worker", "cpu_ms_on_porthole", "resident_bytes"};
    static_assert(std::size_t(ThreadRole::Last) + 1 == 9, "one callbacks_on_ metric per role");
    return std::size_t(metric) < names.size() ? names[std::size_t(metric)] : Unknown;
}

bool isObservedMetric(Metric metric)
{
    switch (metric) {
    case Metric::Threads:
    case Metric::ExtraThreads:
    case Metric::Running:
    case Metric::PendingOps:
    case Metric::CqReady:
    case Metric::PortQueue:
    case Metric::WorkerQueue:
    case Metric::DroppedEvents:
    case Metric::HeldAtGate:
    case Metric::ProcReadable:
    case Metric::ResidentBytes:
        return true;
    default:
        return false;
    }
}

Metric callbacksOnMetric(ThreadRole role) { return Metric(std::size_t(Metric::CallbacksOnOther) + std::size_t(role)); }
Metric cpuMsOnMetric(ThreadRole role) { return Metric(std::size_t(Metric::CpuMsOnOther) + std::size_t(role)); }

Vocabulary Vocabulary::current()
{
    Vocabulary v;
    for (std::size_t i = 0; i <= std::size_t(FrameId::Last); ++i) {
        const DotnetFrame &f = dotnetFrame(FrameId(i));
        v.frames.push_back({std::string(f.name), std::string(f.version)});
    }
    for (std::size_t i = 0; i <= std::size_t(ThreadRole::Last); ++i)
        v.roles.emplace_back(threadRoleName(ThreadRole(i)));
    for (std::size_t i = 0; i <= std::size_t(ThreadState::Last); ++i)
        v.states.emplace_back(threadStateName(ThreadState(i)));
    for (std::size_t i = 0; i <= std::size_t(ThreadReason::Last); ++i)
        v.reasons.emplace_back(threadReasonName(ThreadReason(i)));
    for (std::size_t i = 0; i <= std::size_t(QueueKind::Last); ++i)
        v.queues.emplace_back(queueKindName(QueueKind(i)));
    for (std::size_t i = 0; i <= std::size_t(OpKind::Last); ++i)
        v.ops.emplace_back(opKindName(OpKind(i)));
    for (std::size_t i = 0; i < MetricCount; ++i)
        v.metrics.emplace_back(metricName(Metric(i)));
    return v;
}

std::string_view Vocabulary::frameName(std::uint16_t id) const
{
    return id < frames.size() ? std::string_view(frames[id].dotnetName) : Unknown;
}

std::string_view Vocabulary::frameVersion(std::uint16_t id) const
{
    return id < frames.size() ? std::string_view(frames[id].version) : Unknown;
}

bool Vocabulary::isReportedFrame(std::uint16_t id) const
{
    return id < frames.size() && frames[id].dotnetName == dotnetFrame(FrameId::ReportedFrame).name;
}

std::string_view Vocabulary::frameLabel(std::uint16_t id, std::string_view pushed) const
{
    return isReportedFrame(id) ? pushed : frameName(id);
}

std::string_view Vocabulary::roleName(std::uint8_t role) const { return at(roles, role); }
std::string_view Vocabulary::stateName(std::uint8_t state) const { return at(states, state); }

} // namespace porthole::trace
