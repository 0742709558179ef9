#include "scenario/runner.h"

#include "engine/threadinspector.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace porthole::scenario {

using trace::ThreadRole;

Runner::Runner(Scenario scenario)
    : m_scenario(std::move(scenario))
{
}

Runner::~Runner() { stop(); }

QString Runner::start()
{
    if (m_running.load(std::memory_order_acquire))
        return QStringLiteral("the scenario is already running");
    m_collector = std::make_unique<trace::Collector>(m_recorder, m_store);
    if (m_scenario.sockets > 0) {
        if (const std::string why = m_peers.start(std::size_t(m_scenario.sockets)); !why.empty())
            return QString::fromStdString(why);
    }
    m_baselineThreads = engine::ThreadInspector::threadCount();
    // The receives put on every socket are submitted by this thread: trace it while it does.
    m_recorder.attachCurrentThread("porthole: setup", trace::ThreadRole::Other, trace::ThreadReason::Startup);
    struct Detach {
        trace::TraceRecorder &recorder;
        ~Detach() { recorder.detachCurrentThread(trace::ThreadReason::Unspecified); }
    } detach{m_recorder};
    std::string error;
    m_runtime = runtime::Runtime::create(m_scenario.runtime, m_recorder, error);
    if (!m_runtime)
        return QString::fromStdString(error);
    if (const std::string why = m_runtime->start(m_peers.localFds()); !why.empty())
        return QString::fromStdString(why);
    if (m_scenario.trafficEnabled && m_scenario.sockets > 0) {
        m_traffic = std::make_unique<workload::TrafficGenerator>(m_peers, m_scenario.traffic);
        m_traffic->start();
    }
    if (m_scenario.fsyncEveryMs > 0 && m_runtime->port()) {
        char path[] = "/tmp/porthole-fsync-XXXXXX";
        m_scratchFile = ::mkstemp(path);
        if (m_scratchFile < 0)
            return QStringLiteral("cannot create a scratch file for fsync in /tmp: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        ::unlink(path); // gone when closed
        m_runtime->port()->associate(m_scratchFile, runtime::Runtime::PostedKeyBase - 1);
    }
    m_startTime = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(m_mutex);
        m_stopping = false;
        m_history.clear();
    }
    m_running.store(true, std::memory_order_release);
    m_sampler = std::thread([this] { sampleLoop(); });
    return {};
}

void Runner::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_sampler.joinable())
        m_sampler.join();
    if (m_traffic)
        m_traffic->stop();
    if (m_runtime)
        m_runtime->stop();
    m_peers.stop();
    if (m_scratchFile >= 0) {
        ::close(m_scratchFile);
        m_scratchFile = -1;
    }
    if (m_collector)
        m_collector->stop();
    m_running.store(false, std::memory_order_release);
}

void Runner::pause()
{
    if (m_runtime)
        m_runtime->gate().pause();
}

void Runner::resume()
{
    if (m_runtime)
        m_runtime->gate().resume();
}

void Runner::step()
{
    if (m_runtime)
        m_runtime->gate().step();
}

void Runner::setSlowMotion(double factor)
{
    if (m_runtime)
        m_runtime->setSlowMotion(factor);
    if (m_traffic)
        m_traffic->setSlowMotion(factor);
}

void Runner::setMessagesPerSecond(double rate)
{
    m_scenario.traffic.messagesPerSecond = rate;
    if (m_traffic)
        m_traffic->setMessagesPerSecond(rate);
}

MetricsSample Runner::takeSample(double timeS, const MetricsSample *previous)
{
    const runtime::RuntimeCounters &c = m_runtime->counters();
    MetricsSample s;
    s.timeS = timeS;
    s.threads = double(engine::ThreadInspector::threadCount());
    // Threads the runtime model added. Porthole's own are not the model's: the sampler, the traffic
    // thread, and the port's submitter (io_uring would cancel a request whose submitting thread
    // exits; IOCP does not, so one long-lived thread submits for all).
    const double ownThreads = 1 + (m_traffic ? 1 : 0) + (m_runtime->port() ? 1 : 0);
    s.extraThreads = s.threads - double(m_baselineThreads) - ownThreads;
    s.ioThreads = c.aliveOf(ThreadRole::IoCompletion);
    s.workers = m_runtime->workers().threadCount();
    s.pollers = c.aliveOf(ThreadRole::Poller);
    s.eventLoops = c.aliveOf(ThreadRole::EventLoop);
    s.socketThreads = c.aliveOf(ThreadRole::Other);
    s.timerThreads = c.aliveOf(ThreadRole::Timer);
    // Reading every task's name is costly with thousands of threads: every tenth sample is enough.
    s.ioWorkers = (!previous || m_history.size() % 10 == 0) ? double(engine::ThreadInspector::ioWorkers().size())
                                                            : previous->ioWorkers;
    if (engine::CompletionPort *port = m_runtime->port()) {
        const engine::PortStats ps = port->stats();
        s.pendingOps = double(ps.pendingOps);
        s.running = double(ps.running);
        s.portQueue = double(ps.queued);
        s.cqReady = port->ringSnapshot().cqReady;
    } else {
        s.pendingOps = double(c.waitingReceives.load()); // counted as sockets are armed and threads enter recv
    }
    s.workerQueue = double(m_runtime->workers().queuedCount());
    s.callbacks = double(c.callbacks.load());
    std::uint64_t busiest = 0;
    for (const auto &n : c.callbacksByThread)
        busiest = std::max<std::uint64_t>(busiest, n.load());
    s.busiestThreadShare = s.callbacks > 0 ? double(busiest) / s.callbacks : 0;
    s.posts = double(c.posts.load());
    s.timersFired = double(c.timersFired.load());
    s.droppedEvents = double(m_recorder.droppedEvents());
    for (std::size_t r = 0; r < s.callbacksByRole.size(); ++r)
        s.callbacksByRole[r] = double(c.callbacksByRole[r].load());
    s.callbacksUnderDispatch = double(c.callbacksUnderDispatch.load());
    s.callbacksUnderPerformIo = double(c.callbacksUnderPerformIo.load());
    if (previous && timeS > previous->timeS)
        s.completionsPerS = (s.callbacks - previous->callbacks) / (timeS - previous->timeS);
    return s;
}

void Runner::sampleLoop()
{
    // It posts packets and submits fsyncs: a thread of the run like any other, so it is traced.
    m_recorder.attachCurrentThread("porthole: scenario driver", trace::ThreadRole::Other, trace::ThreadReason::Startup);
    int postsSent = 0, timersAdded = 0, fsyncsSent = 0;
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        lock.unlock();
        const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_startTime).count();
        const double slow = m_runtime->slowMotion();
        // Posts and timers follow their schedule, stretched by slow motion.
        while (postsSent < m_scenario.posts.count && t * 1000 >= (postsSent + 1) * m_scenario.posts.intervalMs * slow) {
            m_runtime->post(m_scenario.posts.key, m_scenario.posts.bytes, std::uint64_t(postsSent));
            ++postsSent;
        }
        if (m_scratchFile >= 0 && t * 1000 >= fsyncsSent * m_scenario.fsyncEveryMs * slow) {
            [[maybe_unused]] auto n = ::write(m_scratchFile, "porthole\n", 9);
            m_runtime->port()->fsync(m_scratchFile, std::uint64_t(fsyncsSent++));
        }
        while (timersAdded < m_scenario.timers.count) {
            m_runtime->addTimer(std::chrono::milliseconds(m_scenario.timers.delayMs));
            ++timersAdded;
        }
        lock.lock();
        const MetricsSample *previous = m_history.isEmpty() ? nullptr : &m_history.constLast();
        MetricsSample sample = takeSample(t, previous);
        m_history.append(sample);
        m_wake.wait_for(lock, SamplePeriod, [this] { return m_stopping; });
    }
    lock.unlock();
    m_recorder.detachCurrentThread(trace::ThreadReason::Shutdown);
}

MetricsHistory Runner::history() const
{
    std::lock_guard lock(m_mutex);
    return m_history;
}

MetricsHistory Runner::historySince(qsizetype from) const
{
    std::lock_guard lock(m_mutex);
    return from >= m_history.size() ? MetricsHistory() : m_history.mid(from);
}

QList<ClaimResult> Runner::evaluateClaims() const
{
    const MetricsHistory h = history();
    QList<ClaimResult> results;
    for (const Claim &claim : m_scenario.claims) {
        const ClaimParse parsed = parseClaim(claim.expression);
        results << (parsed.claim ? evaluateClaim(claim.name, *parsed.claim, claim.expression, h)
                                 : ClaimResult{claim.name, claim.expression, false, 0});
    }
    return results;
}

std::vector<trace::Event> Runner::eventsSince(std::size_t from, std::uint64_t settleNs) const
{
    if (settleNs == 0)
        return m_store.copyEvents(from);
    // Settled: older than settleNs before now. Events are stamped on the steady clock, like nowNs().
    const std::uint64_t now = trace::nowNs();
    return now > settleNs ? m_store.copyEventsBefore(from, now - settleNs) : std::vector<trace::Event>{};
}

trace::Trace Runner::trace() const { return m_store.snapshot(m_recorder); }

} // namespace porthole::scenario
