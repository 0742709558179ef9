// .NET Framework, and Windows up to .NET 6: I/O completion threads each dequeue one packet and run
// its callback inline under _IOCompletionCallback.PerformIOCompletionCallback. Before each callback
// (GrowCompletionPortThreadpoolIfNeeded) a thread that finds every other busy adds one: at once below
// the minimum, above it when the process's CPU is under 80% and 500 ms have passed since the last
// I/O thread was made. The gate thread waits two periods (a CPU baseline, then its first
// activities), so its first injection comes about 1 s after it starts; then, every 500 ms, it adds
// a thread while every I/O thread is busy and packets wait (FACTS §2 and §9, win32threadpool.cpp).

#include "runtime/runtime_p.h"
#include "runtime/shadowstack.h"

#include <utility>

namespace porthole::runtime {

namespace {

using namespace std::chrono_literals;
using trace::ThreadReason;
using trace::ThreadRole;

constexpr auto CpThreadWait = 15000ms; // idle I/O threads exit after this, never the last one
constexpr double CpuUtilizationHigh = 0.80; // above it, a completing thread adds no I/O thread
constexpr auto CpThreadCreationDelay = 500ms; // a completing thread adds one this long after the last was made

class LegacyIocpRuntime final : public Runtime
{
public:
    LegacyIocpRuntime(const RuntimeOptions &options, trace::TraceRecorder &recorder)
        : Runtime(options, recorder)
        , m_ioMin(options.ioMinThreads ? options.ioMinThreads : processorCount())
        , m_ioMax(std::max(m_ioMin.load(), options.ioMaxThreads))
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
    // SetMinThreads(..., completionPortThreads): a raised minimum adds I/O threads at once while every
    // one is busy and packets wait; SetMaxThreads caps them (threads above it are not stopped).
    bool setIoMinThreads(unsigned min) override
    {
        if (min == 0 || min > m_ioMax)
            return false;
        m_ioMin = min;
        m_gate.unlessPaused([this] {
            while (m_ioThreads < m_ioMin && m_port->stats().waiters == 0 && packetsWait())
                spawnIoThread(ThreadReason::MinThreads);
        });
        return true;
    }
    bool setIoMaxThreads(unsigned max) override
    {
        if (max == 0 || max < m_ioMin)
            return false;
        m_ioMax = max;
        return true;
    }

    void stopThreads() override
    {
        { std::lock_guard lock(m_gateMutex); } // the gate sees stopping() before it waits, or is woken
        m_gateWake.notify_all();
    }

private:
    void spawnIoThread(ThreadReason reason)
    {
        if (stopping() || m_ioThreads >= m_ioMax)
            return;
        ++m_ioThreads;
        m_lastIoThreadMade = m_clock.now().count();
        spawn(".NET ThreadPool IO", ThreadRole::IoCompletion, reason, [this] { ioLoop(); });
    }

    void ioLoop()
    {
        for (;;) {
            if (m_gate.pass() == DequeueGate::Pass::Closed)
                break;
            engine::Completion completion;
            engine::DequeueStatus status;
            {
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
            // GrowCompletionPortThreadpoolIfNeeded: nobody left waiting -> one more, at once below min;
            // above it only with CPU to spare and 500 ms since the last (ShouldGrowCompletionPortThreadpool).
            m_gate.unlessPaused([this] {
                if (m_port->stats().waiters != 0)
                    return;
                if (m_ioThreads < m_ioMin)
                    spawnIoThread(ThreadReason::MinThreads);
                else if (m_cpuUtilization.load() < CpuUtilizationHigh
                         && m_clock.now().count() - m_lastIoThreadMade.load()
                                >= std::chrono::duration_cast<workload::RunClock::Duration>(CpThreadCreationDelay * slowMotion()).count())
                    spawnIoThread(ThreadReason::Starvation);
            });
            FrameScope frame(FrameId::PerformIOCompletionCallback);
            handleCompletion(completion);
        }
        --m_ioThreads;
    }

    void gateLoop()
    {
        FrameScope frame(FrameId::GateThread);
        std::unique_lock lock(m_gateMutex);
        ProcessCpuMeter cpu;
        bool baselineTaken = false; // the first period only takes the CPU baseline
        while (!stopping()) {
            // Between ticks the gate sleeps: recorded, so no lane shows it running then.
            trace::record(trace::EventType::ThreadState, std::uint8_t(trace::ThreadState::Parked), 0, 0, 0);
            const auto period = std::chrono::duration_cast<workload::RunClock::Duration>(m_options.ioGatePeriod * slowMotion());
            m_clock.waitFor(lock, m_gateWake, period, [this] { return stopping(); }); // run time: a pause stops it
            trace::record(trace::EventType::ThreadState, std::uint8_t(trace::ThreadState::Running), 0, 0, 0);
            if (stopping())
                break;
            m_cpuUtilization = cpu.utilizationSinceLast();
            if (!std::exchange(baselineTaken, true))
                continue;
            // Every I/O thread busy and packets waiting: the gate hands the work to a new thread.
            if (m_port->stats().waiters == 0 && packetsWait())
                m_gate.unlessPaused([this] { spawnIoThread(ThreadReason::Starvation); });
        }
    }

    bool packetsWait() { return m_port->stats().queued > 0 || m_port->ringSnapshot().cqReady > 0; }

    std::atomic<unsigned> m_ioMin; // SetMinThreads may change it while running
    std::atomic<unsigned> m_ioMax;
    std::atomic<unsigned> m_ioThreads{0}; // counted when spawned, so two spawns cannot race past min
    std::atomic<workload::RunClock::Duration::rep> m_lastIoThreadMade{0}; // run time
    std::atomic<double> m_cpuUtilization{0}; // this process's, over the gate's last period (0..1)
    std::mutex m_gateMutex;
    std::condition_variable m_gateWake;
};

} // namespace

std::unique_ptr<Runtime> makeLegacyIocpRuntime(const RuntimeOptions &options, trace::TraceRecorder &recorder)
{
    RuntimeOptions legacy = options;
    legacy.workers.legacyFrames = true;
    legacy.workers.threadName = ".NET ThreadPool Worker";
    legacy.workers.cooperativeBlocking = false; // .NET 6+ only: the Framework's pool has no such thing
    return std::make_unique<LegacyIocpRuntime>(legacy, recorder);
}

} // namespace porthole::runtime
