#include "scenario/sampler.h"

#include "engine/threadinspector.h"

#include <bit>
#include <cmath>

namespace porthole::scenario {

using trace::EventType;
using trace::Metric;

Sampler::Sampler(Setup setup)
    : m_setup(setup)
    , m_thread([this] { run(); })
{
}

Sampler::~Sampler() { stop(); }

void Sampler::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void Sampler::run()
{
    trace::TraceRecorder &recorder = *m_setup.recorder;
    m_self = recorder.attachCurrentThread("porthole: sampler", trace::ThreadRole::Porthole, trace::ThreadReason::Startup);
    std::unique_lock lock(m_mutex);
    for (;;) {
        const bool last = m_stopping;
        lock.unlock();
        if (m_round++ % KernelEvery == 0 || last) {
            observeKernelWorkers();
            observeKernel();
        }
        sample(std::chrono::duration<double>(std::chrono::steady_clock::now() - m_setup.start).count());
        lock.lock();
        if (last)
            break;
        trace::record(EventType::ThreadState, std::uint8_t(trace::ThreadState::Parked), 0, 0, 0); // until the next tick
        m_wake.wait_for(lock, Period, [this] { return m_stopping; });
        trace::record(EventType::ThreadState, std::uint8_t(trace::ThreadState::Running), 0, 0, 0);
    }
    lock.unlock();
    recorder.detachCurrentThread(trace::ThreadReason::Shutdown);
}

void Sampler::observe(Metric metric, double value)
{
    trace::recordAbout(m_self, EventType::Observed, 0, std::uint16_t(metric), 0, std::bit_cast<std::uint64_t>(value));
}

void Sampler::sample(double timeS)
{
    runtime::Runtime &rt = *m_setup.runtime;
    // Not readable (no descriptor left, /proc hidden): not measured, never a made-up number.
    const std::optional<std::size_t> counted = engine::ThreadInspector::countThreads();
    const double threads = counted ? double(*counted) : std::nan("");
    observe(Metric::Threads, threads);
    observe(Metric::ProcReadable, counted ? 1 : 0);
    observe(Metric::ExtraThreads, m_setup.baselineThreads > 0 ? threads - double(m_setup.baselineThreads) - double(m_setup.ownThreads)
                                                              : std::nan(""));
    if (engine::CompletionPort *port = rt.port()) {
        const engine::PortStats ps = port->stats();
        observe(Metric::PendingOps, double(ps.pendingOps));
        observe(Metric::Running, double(ps.running));
        observe(Metric::PortQueue, double(ps.queued));
        observe(Metric::CqReady, double(port->ringSnapshot().cqReady));
    } else {
        observe(Metric::PendingOps, double(rt.counters().waitingReceives.load())); // armed sockets and threads in recv
    }
    observe(Metric::WorkerQueue, double(rt.workers().queuedCount()));
    observe(Metric::HeldAtGate, double(rt.gate().waiting()));
    observe(Metric::DroppedEvents, double(m_setup.recorder->droppedEvents()));
    const std::optional<std::uint64_t> resident = engine::ThreadInspector::residentBytes();
    observe(Metric::ResidentBytes, resident ? double(*resident) : std::nan(""));
    trace::recordAbout(m_self, EventType::SampleTick, 0, 0, 0, std::bit_cast<std::uint64_t>(timeS));
}

void Sampler::observeKernelWorkers()
{
    // io_uring's io-wq workers are threads of this process that Porthole did not start: each new one
    // gets a trace number; one that is gone exits in the trace.
    if (!engine::ThreadInspector::countThreads())
        return; // /proc unreadable now: nothing observed, nothing left
    std::unordered_set<std::int32_t> alive;
    for (const std::int32_t tid : engine::ThreadInspector::listThreads()) {
        if (m_kernelWorkers.contains(tid)) {
            alive.insert(tid);
            continue;
        }
        const std::string name = engine::ThreadInspector::threadName(tid);
        if (name.rfind("iou-wrk-", 0) != 0 && name.rfind("iou-sqp-", 0) != 0)
            continue;
        const std::uint32_t index = m_setup.recorder->addObservedThread(name, trace::ThreadRole::KernelWorker, tid);
        trace::recordAbout(index, EventType::ThreadCreated, std::uint8_t(trace::ThreadRole::KernelWorker),
                           std::uint16_t(trace::ThreadReason::Unspecified), 0, std::uint64_t(tid));
        m_kernelWorkers.emplace(tid, index);
        alive.insert(tid);
    }
    for (auto it = m_kernelWorkers.begin(); it != m_kernelWorkers.end();) {
        if (alive.contains(it->first)) {
            ++it;
            continue;
        }
        trace::recordAbout(it->second, EventType::ThreadExited, 0, std::uint16_t(trace::ThreadReason::Unspecified), 0, 0);
        it = m_kernelWorkers.erase(it);
    }
}

void Sampler::observeKernel()
{
    const std::vector<trace::ThreadInfo> threads = m_setup.recorder->threads();
    if (threads.empty())
        return;
    const std::size_t reads = std::min(KernelReadsPerRound, threads.size());
    for (std::size_t n = 0; n < reads; ++n) {
        const trace::ThreadInfo &info = threads[(m_nextKernelRead + n) % threads.size()];
        if (info.osThreadId <= 0 || info.index == m_self)
            continue;
        const engine::KernelThreadView view = engine::ThreadInspector::inspect(info.osThreadId, false);
        if (view.state == '?')
            continue; // gone (or /proc unreadable): nothing observed
        Seen now{view.state, m_setup.recorder->intern(view.wchan), view.syscall ? *view.syscall : -1, view.cpuNs};
        Seen &before = m_seen[info.index];
        if (now.state == before.state && now.wchan == before.wchan && now.syscall == before.syscall && now.cpuNs == before.cpuNs)
            continue;
        before = now;
        trace::recordAbout(info.index, EventType::KernelState, std::uint8_t(now.state), 0,
                           std::uint64_t(now.wchan) | (std::uint64_t(now.syscall + 1) << 32), now.cpuNs);
    }
    m_nextKernelRead = (m_nextKernelRead + reads) % threads.size();
}

} // namespace porthole::scenario
