#include "scenario/runner.h"

#include "engine/threadinspector.h"
#include "runtime/runtime.h"
#include "scenario/sampler.h"
#include "workload/peerhost.h"
#include "workload/traffic.h"
#include "scenario/scenariofile.h"

#include <bit>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace porthole::scenario {

using trace::ThreadRole;

Runner::Runner(Scenario scenario)
    : m_scenario(std::move(scenario))
    , m_peers(std::make_unique<workload::PeerHost>())
{
}

Runner::~Runner() { stop(); }

QString Runner::start()
{
    if (m_running.load(std::memory_order_acquire))
        return QStringLiteral("the scenario is already running");
    m_collector = std::make_unique<trace::Collector>(m_recorder, m_store);
    if (m_scenario.sockets > 0) {
        if (const std::string why = m_peers->start(std::size_t(m_scenario.sockets)); !why.empty())
            return QString::fromStdString(why);
    }
    m_baselineThreads = engine::ThreadInspector::countThreads().value_or(0); // 0: unknown, extra threads not measured
    // The receives put on every socket are submitted by this thread: trace it while it does.
    m_recorder.attachCurrentThread("porthole: setup", trace::ThreadRole::Porthole, trace::ThreadReason::Startup);
    struct Detach {
        trace::TraceRecorder &recorder;
        ~Detach() { recorder.detachCurrentThread(trace::ThreadReason::Unspecified); }
    } detach{m_recorder};
    std::string error;
    m_runtime = runtime::Runtime::create(m_scenario.runtime, m_recorder, error);
    if (!m_runtime)
        return QString::fromStdString(error);
    if (const std::string why = m_runtime->start(m_peers->localFds()); !why.empty())
        return QString::fromStdString(why);
    if (m_scenario.trafficEnabled && m_scenario.sockets > 0) {
        m_traffic = std::make_unique<workload::TrafficGenerator>(*m_peers, m_scenario.traffic, m_runtime->clock());
        m_traffic->setFollowsPause(!m_trafficDuringPause.load(std::memory_order_relaxed));
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
        m_failure.clear();
        m_interpreter = {};
        m_folded = 0;
    }
    m_running.store(true, std::memory_order_release);
    // Porthole's own threads of the run, not the model's: the sampler, the driver, the traffic
    // thread, and the port's submitter (io_uring would cancel a request whose submitting thread
    // exits; IOCP does not, so one long-lived thread submits for all).
    const std::size_t own = 2 + (m_traffic ? 1 : 0) + (m_runtime->port() ? 1 : 0);
    m_driver = std::thread([this] { driveLoop(); });
    m_flooding.store(m_scenario.posts.threads > 0 && m_runtime->port(), std::memory_order_relaxed);
    for (int i = 0; m_flooding.load(std::memory_order_relaxed) && i < m_scenario.posts.threads; ++i)
        m_posters.emplace_back([this, i] { floodLoop(i); });
    m_sampler = std::make_unique<Sampler>(Sampler::Setup{&m_recorder, m_runtime.get(), m_baselineThreads, own, m_startTime});
    return {};
}

void Runner::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_flooding.store(false, std::memory_order_relaxed);
    for (std::thread &poster : m_posters)
        poster.join();
    m_posters.clear();
    if (m_driver.joinable())
        m_driver.join();
    if (m_sampler)
        m_sampler->stop(); // its last sample sees the run as it ends
    if (m_traffic)
        m_traffic->stop();
    if (m_runtime)
        m_runtime->stop();
    m_peers->stop();
    if (m_scratchFile >= 0) {
        ::close(m_scratchFile);
        m_scratchFile = -1;
    }
    if (m_collector)
        m_collector->stop();
    m_running.store(false, std::memory_order_release);
    std::lock_guard lock(m_mutex);
    // The run is over: its metrics are the fold of the whole trace, as a replay computes them. (While live,
    // an event drained more than SettleNs late lands before what was already folded; it would be missed.)
    m_interpreter = {};
    m_folded = 0;
    foldSettled();
}

void Runner::pause() { command(trace::RunAction::Paused); }

void Runner::resume() { command(trace::RunAction::Resumed); }

void Runner::step() { command(trace::RunAction::Stepped); }

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

void Runner::driveLoop()
{
    // It posts packets and submits fsyncs: a thread of the run like any other, so it is traced.
    m_recorder.attachCurrentThread("porthole: scenario driver", trace::ThreadRole::Porthole, trace::ThreadReason::Startup);
    int postsSent = 0, timersAdded = 0, fsyncsSent = 0;
    qsizetype limitChangesMade = 0;
    const auto runStart = m_runtime->clock().now();
    bool scheduledPauseDone = false, scheduledResumeDone = false;
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        std::deque<trace::RunAction> commands;
        commands.swap(m_commands);
        std::deque<runtime::ThreadLimits> limits;
        limits.swap(m_limitCommands);
        lock.unlock();
        for (const runtime::ThreadLimits &l : limits)
            m_runtime->setThreadLimits(l);
        const double wallS = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_startTime).count();
        // --pause-at / --pause-for: in wall time, since the run's own time stands still while paused.
        if (m_pauseAtS >= 0 && !scheduledPauseDone && wallS >= m_pauseAtS) {
            commands.push_back(trace::RunAction::Paused);
            scheduledPauseDone = true;
        }
        if (scheduledPauseDone && !scheduledResumeDone && wallS >= m_pauseAtS + m_pauseForS) {
            commands.push_back(trace::RunAction::Resumed);
            scheduledResumeDone = true;
        }
        for (const trace::RunAction action : commands)
            control(action);
        // Posts, fsyncs and timers follow the scenario's schedule in the run's time (a pause holds them),
        // stretched by slow motion.
        const double t = std::chrono::duration<double>(m_runtime->clock().now() - runStart).count();
        const double slow = m_runtime->slowMotion();
        while (postsSent < m_scenario.posts.count && t * 1000 >= (postsSent + 1) * m_scenario.posts.intervalMs * slow) {
            m_runtime->post(m_scenario.posts.key, m_scenario.posts.bytes, std::uint64_t(postsSent));
            ++postsSent;
        }
        if (m_scratchFile >= 0 && !m_runtime->isPaused() && t * 1000 >= fsyncsSent * m_scenario.fsyncEveryMs * slow) {
            [[maybe_unused]] auto n = ::write(m_scratchFile, "porthole\n", 9);
            m_runtime->port()->fsync(m_scratchFile, std::uint64_t(fsyncsSent++));
        }
        while (limitChangesMade < m_scenario.limitChanges.size() && t >= m_scenario.limitChanges[limitChangesMade].atS * slow)
            m_runtime->setThreadLimits(m_scenario.limitChanges[limitChangesMade++].limits);
        while (timersAdded < m_scenario.timers.count) {
            m_runtime->addTimer(std::chrono::milliseconds(m_scenario.timers.delayMs));
            ++timersAdded;
        }
        const std::string helper = m_scenario.sockets > 0 ? m_peers->health() : std::string();
        lock.lock();
        if (!helper.empty() && m_failure.isEmpty())
            m_failure = QString::fromStdString(helper) + QStringLiteral(" %1 s into the run").arg(wallS, 0, 'f', 1);
        trace::record(trace::EventType::ThreadState, std::uint8_t(trace::ThreadState::Parked), 0, 0, 0); // until the next tick
        m_wake.wait_for(lock, SamplePeriod, [this] { return m_stopping || !m_commands.empty() || !m_limitCommands.empty(); });
        trace::record(trace::EventType::ThreadState, std::uint8_t(trace::ThreadState::Running), 0, 0, 0);
    }
    lock.unlock();
    m_recorder.detachCurrentThread(trace::ThreadReason::Shutdown);
}

// posts.threads: post back to back until the run ends, as fast as the port, the trace and the window
// take them: at most FloodInFlight posts wait in the port at a time (a flood that outran the thread
// taking them would only grow the port's queue), and none while the trace's collector is behind (it
// would drop events) or the window's reader is (its views would fall further and further behind the
// run). A pause holds the posters too.
void Runner::floodLoop(int index)
{
    constexpr std::uint64_t FloodInFlight = 4096;
    m_recorder.attachCurrentThread("poster " + std::to_string(index + 1), trace::ThreadRole::Other, trace::ThreadReason::Startup);
    trace::record(trace::EventType::ThreadState, std::uint8_t(trace::ThreadState::Running), 0, 0, 0);
    engine::CompletionPort *port = m_runtime->port();
    std::uint64_t token = std::uint64_t(index + 1) << 48;
    while (m_flooding.load(std::memory_order_relaxed)) {
        if (m_runtime->isPaused()) {
            trace::record(trace::EventType::ThreadState, std::uint8_t(trace::ThreadState::HeldByPause), 0, 0, 0);
            while (m_runtime->isPaused() && m_flooding.load(std::memory_order_relaxed))
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            trace::record(trace::EventType::ThreadState, std::uint8_t(trace::ThreadState::Running), 0, 0, 0);
            continue;
        }
        // The trace and the window first: wait while either is behind (a flood must not make the trace
        // drop, nor leave the views further and further behind). The poster sleeps meanwhile, and says
        // so: the views draw it blocked, not running.
        const auto mustWait = [&] {
            const engine::PortStats load = port->stats();
            return m_recorder.isBehind() || m_readerBehind.load(std::memory_order_relaxed) || load.pendingOps + load.queued >= FloodInFlight;
        };
        if (mustWait()) {
            trace::record(trace::EventType::ThreadState, std::uint8_t(trace::ThreadState::Blocked), 0, 0, 0);
            do
                std::this_thread::sleep_for(std::chrono::microseconds(100));
            while (mustWait() && m_flooding.load(std::memory_order_relaxed) && !m_runtime->isPaused());
            trace::record(trace::EventType::ThreadState, std::uint8_t(trace::ThreadState::Running), 0, 0, 0);
            continue;
        }
        if (!m_runtime->post(m_scenario.posts.key, m_scenario.posts.bytes, token++))
            break; // the runtime is stopping
    }
    m_recorder.detachCurrentThread(trace::ThreadReason::Shutdown);
}

void Runner::control(trace::RunAction action)
{
    const auto recordAction = [this, action] {
        const double wallS = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_startTime).count();
        trace::record(trace::EventType::RunControl, std::uint8_t(action), 0, 0, std::bit_cast<std::uint64_t>(wallS));
    };
    switch (action) {
    case trace::RunAction::Paused:
        if (m_runtime->isPaused())
            return;
        m_runtime->pause(); // returns once it holds: the event marks where the freeze begins
        recordAction();
        return;
    case trace::RunAction::Resumed:
        if (!m_runtime->isPaused())
            return;
        recordAction(); // before anything goes on
        m_runtime->resume();
        return;
    case trace::RunAction::Stepped:
        if (!m_runtime->isPaused())
            return;
        recordAction();
        m_runtime->step();
        // Traffic stopped with the run: a step with no completion waiting sends one message to take.
        if (m_traffic && m_traffic->followsPause()) {
            engine::CompletionPort *port = m_runtime->port();
            if (!port || port->stats().queued + port->ringSnapshot().cqReady == 0)
                m_traffic->sendOne();
        }
        return;
    }
}

void Runner::command(trace::RunAction action)
{
    {
        std::lock_guard lock(m_mutex);
        m_commands.push_back(action);
    }
    m_wake.notify_all();
}

void Runner::setThreadLimits(const runtime::ThreadLimits &limits)
{
    {
        std::lock_guard lock(m_mutex);
        m_limitCommands.push_back(limits);
    }
    m_wake.notify_all();
}

void Runner::setTrafficDuringPause(bool flows)
{
    m_trafficDuringPause.store(flows, std::memory_order_relaxed);
    if (m_traffic)
        m_traffic->setFollowsPause(!flows);
}

std::vector<model::PauseSpan> Runner::pauses() const
{
    std::lock_guard lock(m_mutex);
    foldSettled();
    return m_interpreter.state().pauses;
}

void Runner::schedulePause(double atS, double forS)
{
    m_pauseAtS = atS;
    m_pauseForS = forS;
}

namespace {
// Settled: stamped more than settleNs before now (0: nothing has settled yet). Events are stamped on the
// steady clock, like nowNs().
std::uint64_t settledBefore(std::uint64_t settleNs)
{
    const std::uint64_t now = trace::nowNs();
    return now > settleNs ? now - settleNs : 0;
}
} // namespace

void Runner::foldSettled() const
{
    const bool live = m_running.load(std::memory_order_acquire);
    const std::uint64_t settled = settledBefore(SettleNs);
    // A chunk at a time: at the end of a live run nobody asked about, the rest can be millions of
    // events, and one copy of them all hundreds of megabytes.
    for (;;) {
        const std::vector<trace::Event> events = live ? m_store.copyEventsBefore(m_folded, settled, trace::EventLog::ChunkEvents)
                                                      : m_store.copyEvents(m_folded, trace::EventLog::ChunkEvents);
        m_folded += events.size();
        m_interpreter.apply(events);
        if (events.size() < trace::EventLog::ChunkEvents)
            return;
    }
}

QString Runner::failure() const
{
    std::lock_guard lock(m_mutex);
    return m_failure;
}

MetricsHistory Runner::history() const
{
    std::lock_guard lock(m_mutex);
    foldSettled();
    return m_interpreter.history();
}

MetricsHistory Runner::historySince(qsizetype from) const
{
    std::lock_guard lock(m_mutex);
    foldSettled();
    const MetricsHistory &h = m_interpreter.history();
    return from >= h.size() ? MetricsHistory() : h.mid(from);
}

QList<ClaimResult> Runner::evaluateClaims() const
{
    return scenario::evaluateClaims(m_scenario.claims, history());
}

std::vector<trace::Event> Runner::eventsSince(std::size_t from, std::uint64_t settleNs, std::size_t limit) const
{
    if (settleNs == 0)
        return m_store.copyEvents(from, limit);
    const std::uint64_t settled = settledBefore(settleNs);
    return settled ? m_store.copyEventsBefore(from, settled, limit) : std::vector<trace::Event>{};
}

trace::Trace Runner::trace() const
{
    trace::Trace t = m_store.snapshot(m_recorder);
    t.scenarioJson = scenarioToJson(m_scenario).toStdString();
    return t;
}

} // namespace porthole::scenario
