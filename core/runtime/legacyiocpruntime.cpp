// .NET Framework, and Windows up to .NET 6: I/O completion threads each dequeue one packet and run
// its callback inline under _IOCompletionCallback.PerformIOCompletionCallback. Below the minimum a
// new I/O thread is added at once when all are busy; above it, the gate thread adds one per 500 ms
// while every I/O thread is busy and packets wait (FACTS §2, win32threadpool.cpp).

#include "runtime/runtime_p.h"
#include "runtime/shadowstack.h"

#include <optional>

namespace porthole::runtime {

namespace {

using namespace std::chrono_literals;
using trace::ThreadReason;
using trace::ThreadRole;

constexpr auto CpThreadWait = 15000ms; // idle I/O threads exit after this, never the last one

class LegacyIocpRuntime final : public Runtime
{
public:
    LegacyIocpRuntime(const RuntimeOptions &options, trace::TraceRecorder &recorder)
        : Runtime(options, recorder)
        , m_ioMin(options.ioMinThreads ? options.ioMinThreads : processorCount())
    {
    }

    ~LegacyIocpRuntime() override { stop(); }

protected:
    std::string startThreads() override
    {
        for (unsigned i = 0; i < std::max(1u, m_options.ioStartThreads); ++i)
            spawnIoThread(ThreadReason::MinThreads);
        spawn(".NET ThreadPool Gate", ThreadRole::Gate, ThreadReason::Startup, [this] { gateLoop(); });
        return {};
    }
    void stopThreads() override { m_gateWake.notify_all(); }

private:
    // `first`: a packet the gate thread already took off the port for the new thread (Windows).
    void spawnIoThread(ThreadReason reason, std::optional<engine::Completion> first = std::nullopt)
    {
        if (stopping() || m_ioThreads >= m_options.ioMaxThreads) {
            if (first)
                m_port->recycle(*first); // stopping: nobody will run it
            return;
        }
        ++m_ioThreads;
        spawn(".NET ThreadPool IO", ThreadRole::IoCompletion, reason, [this, first] { ioLoop(first); });
    }

    void ioLoop(std::optional<engine::Completion> first)
    {
        for (;;) {
            engine::Completion completion;
            engine::DequeueStatus status = engine::DequeueStatus::Ok;
            if (m_gate.pass() == DequeueGate::Pass::Closed) {
                if (first)
                    m_port->recycle(*first);
                break;
            }
            if (first) { // taken off the port by the gate thread; held at the gate like any other
                completion = *first;
                first.reset();
            } else {
                FrameScope wait(FrameId::GetQueuedCompletionStatus);
                status = m_port->dequeue(completion, CpThreadWait);
            }
            if (status == engine::DequeueStatus::Closed)
                break;
            if (status == engine::DequeueStatus::Timeout) {
                if (m_ioThreads > 1) // CP_THREAD_WAIT passed with nothing to do
                    break;
                continue;
            }
            // GrowCompletionPortThreadpoolIfNeeded: nobody left waiting and below min -> one more, now.
            if (m_port->stats().waiters == 0 && m_ioThreads < m_ioMin)
                spawnIoThread(ThreadReason::MinThreads);
            FrameScope frame(FrameId::PerformIOCompletionCallback);
            handleCompletion(completion);
        }
        --m_ioThreads;
    }

    void gateLoop()
    {
        FrameScope frame(FrameId::GateThread);
        std::unique_lock lock(m_gateMutex);
        while (!stopping()) {
            m_gateWake.wait_for(lock, m_options.ioGatePeriod * slowMotion());
            if (stopping())
                break;
            // Every I/O thread busy and packets waiting: the gate hands the work to a new thread.
            const engine::PortStats stats = m_port->stats();
#ifdef _WIN32
            // The Win32 API does not say how many packets wait (only the undocumented NtQueryIoCompletion
            // does). As the CLR's gate does on Windows: with no I/O thread waiting, take a packet with a
            // zero timeout; if there was one, a new thread gets it.
            if (stats.waiters == 0 && m_ioThreads < m_options.ioMaxThreads && !m_gate.isPaused()) { // paused: no dequeue at all
                engine::Completion packet;
                if (m_port->dequeue(packet, 0ms) == engine::DequeueStatus::Ok)
                    spawnIoThread(ThreadReason::Starvation, packet);
            }
#else
            const bool packetsWait = stats.queued > 0 || m_port->ringSnapshot().cqReady > 0;
            if (stats.waiters == 0 && packetsWait)
                spawnIoThread(ThreadReason::Starvation);
#endif
        }
    }

    const unsigned m_ioMin;
    std::atomic<unsigned> m_ioThreads{0}; // counted when spawned, so two spawns cannot race past min
    std::mutex m_gateMutex;
    std::condition_variable m_gateWake;
};

} // namespace

std::unique_ptr<Runtime> makeLegacyIocpRuntime(const RuntimeOptions &options, trace::TraceRecorder &recorder)
{
    RuntimeOptions legacy = options;
    legacy.workers.legacyFrames = true;
    legacy.workers.threadName = ".NET ThreadPool Worker";
    return std::make_unique<LegacyIocpRuntime>(legacy, recorder);
}

} // namespace porthole::runtime
