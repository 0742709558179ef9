#include "session.h"

#include "scenario/childrun.h"
#include "scenario/runsource.h"
#include "scenario/runner.h"
#include "scenario/scenariofile.h"

#include <QElapsedTimer>
#include <QPointer>

#include <algorithm>
#include <cmath>

#include <thread>

namespace porthole::ui {

Session::Session(QObject *parent)
    : QObject(parent)
{
    m_frameTimer.setInterval(FrameMs);
    connect(&m_frameTimer, &QTimer::timeout, this, &Session::pullNow);
    // Nothing appended means no chunk added, and a spill is otherwise taken up when one is: without this a
    // loaded trace kept on the heap every chunk the spill writer had not reached by the end of the load.
    m_spillTimer.setInterval(100);
    connect(&m_spillTimer, &QTimer::timeout, this, [this] {
        if (!m_model.keepSpilling())
            m_spillTimer.stop();
    });
    m_model.reset({});
}

Session::~Session() { stop(); }

void Session::start(const scenario::Scenario &scenario)
{
    stop();
    m_scenario = scenario;
    m_model.reset({});
    m_pulled = 0;
    m_cursor = 0;
    m_following = true;
    m_paused = false;
    m_replay = false;
    m_spotlight = -1;
    m_droppedInTrace = 0;
    m_cursorState = {};
    m_model.setTimeOrigin(m_timeOrigin);
    m_starting = true;
    const quint64 job = ++m_job;
    // Setting up thousands of sockets takes a moment: never on the GUI thread.
    QPointer<Session> self(this);
    std::thread([self, scenario, job, factor = m_slowMotion, flows = m_trafficDuringPause, program = m_ownProcessProgram] {
        scenario::giveWayToTheWindow(); // this thread starts the run's threads and processes
        std::unique_ptr<scenario::RunSource> runner;
        if (program.isEmpty())
            runner = scenario::makeRunSource(scenario);
        else
            runner = std::make_unique<scenario::ChildRun>(scenario, program);
        runner->setTrafficDuringPause(flows);
        QString error = runner->start();
        if (error.isEmpty())
            runner->setSlowMotion(factor);
        scenario::RunSource *raw = runner.release();
        const bool delivered = QMetaObject::invokeMethod(
            self.data(), [self, raw, error, job] { if (self) self->onStarted(raw, error, job); else delete raw; },
            Qt::QueuedConnection);
        if (!delivered) // the session is gone
            delete raw;
    }).detach();
}

void Session::loadTrace(const trace::Trace &trace, const QString &name)
{
    stop();
    // The trace carries the scenario it ran: its claims and walkthrough replay with it.
    const scenario::ScenarioLoad load = trace.scenarioJson.empty()
                                            ? scenario::ScenarioLoad{}
                                            : scenario::parseScenario(QByteArray::fromStdString(trace.scenarioJson), name);
    m_scenario = load.scenario.value_or(scenario::Scenario{});
    if (!load.scenario) {
        m_scenario.id = QStringLiteral("trace");
        m_scenario.title = name.isEmpty() ? QStringLiteral("Recorded trace") : name;
    }
    m_replay = true;
    m_spotlight = -1;
    m_model.reset(trace.threads);
    m_model.setTimeOrigin(m_timeOrigin);
    m_model.setNames(trace.vocabulary, trace.strings);
    m_model.append(trace.events);
    m_pulled = trace.events.size();
    m_droppedInTrace = trace.droppedEvents;
    m_following = true;
    m_spillTimer.start();
    refreshCursorState();
    emit frame();
}

void Session::onStarted(scenario::RunSource *runner, const QString &error, quint64 job)
{
    std::unique_ptr<scenario::RunSource> owned(runner);
    if (job != m_job) // a newer start or a stop came in between
        return;
    m_starting = false;
    if (!error.isEmpty()) {
        emit started(error);
        return;
    }
    m_runner = std::move(owned);
    m_failureReported = false;
    m_frameTimer.start();
    emit started(QString());
}

void Session::stop()
{
    ++m_job; // forget any start still under way
    m_starting = false;
    if (!m_runner)
        return;
    m_frameTimer.stop();
    m_runner->stop();
    m_droppedInTrace = m_runner->droppedEvents();
    nameThreadsAndStrings();
    const auto rest = m_runner->eventsSince(m_pulled, 0);
    m_model.append(rest);
    m_pulled += rest.size();
    m_runner.reset();
    m_spillTimer.start();
    refreshCursorState();
    emit stopped();
    emit frame();
}

void Session::pullNow()
{
    if (!m_runner)
        return;
    if (!m_failureReported) {
        if (const QString why = m_runner->failure(); !why.isEmpty()) {
            m_failureReported = true;
            emit failed(why);
        }
    }
    // A frame folds new events a slice at a time for what the views leave of it (FramePacer); the rest
    // waits for the next frame, and the run hears that the window is behind (a flood then waits for it).
    m_pacer.frameStarted(FramePacer::threadCpuNs());
    const qint64 budgetNs = qint64(m_pacer.foldBudgetMs() * 1e6);
    QElapsedTimer spent;
    spent.start();
    bool took = false, more = false;
    for (;;) {
        const std::vector<trace::Event> slice = m_runner->eventsSince(m_pulled, SettleNs, FoldSlice);
        m_model.append(slice);
        m_pulled += slice.size();
        took |= !slice.empty();
        more = slice.size() == FoldSlice;
        if (!more || spent.nsecsElapsed() >= budgetNs)
            break;
    }
    m_pacer.foldEnded(FramePacer::threadCpuNs());
    m_runner->setReaderBehind(more); // a flood waits until the views have caught up
    if (took)
        nameThreadsAndStrings();
    refreshCursorState();
    emit frame();
}

void Session::nameThreadsAndStrings()
{
    m_model.setThreads(m_runner->threads());
    m_model.setNames(trace::Vocabulary::current(), m_runner->strings());
}

void Session::take(const std::vector<trace::Event> &events)
{
    if (!events.empty()) {
        nameThreadsAndStrings();
        m_model.append(events);
        m_pulled += events.size();
    }
    refreshCursorState();
    emit frame();
}

bool Session::pullThrough(std::uint64_t timeNs)
{
    if (!m_runner)
        return true;
    if (!m_runner->waitUntilDrained(timeNs, std::chrono::seconds(10)))
        return false;
    std::vector<trace::Event> events = m_runner->eventsSince(m_pulled, 0);
    events.erase(std::find_if(events.begin(), events.end(), [timeNs](const trace::Event &e) { return e.timeNs >= timeNs; }), events.end());
    take(events);
    return true;
}

void Session::refreshCursorState()
{
    if (m_following)
        m_cursor = m_model.eventCount();
    // Nothing new (paused, a replay at rest): the state at the cursor is the one we hold; copying it
    // (thousands of sockets) every frame is the frame's largest cost.
    if (m_cursorRevision == m_model.revision() && m_cursorState.eventIndex == m_cursor)
        return;
    m_cursorState = m_model.stateAt(m_cursor);
    m_cursorRevision = m_model.revision();
}

void Session::pause()
{
    m_paused = true;
    if (m_runner)
        m_runner->pause();
}

void Session::resume()
{
    m_paused = false;
    if (m_runner)
        m_runner->resume();
    followLive();
}

void Session::togglePause() { m_paused ? resume() : pause(); }

void Session::step()
{
    if (m_runner && m_following) {
        if (!m_paused)
            pause();
        m_runner->step();
        return;
    }
    setCursorIndex(m_model.nextDequeue(m_cursor));
}

void Session::stepBack() { setCursorIndex(m_model.previousDequeue(m_cursor)); }

void Session::setTrafficDuringPause(bool flows)
{
    m_trafficDuringPause = flows;
    if (m_runner)
        m_runner->setTrafficDuringPause(flows);
}

void Session::setSlowMotion(double factor)
{
    m_slowMotion = std::clamp(factor, 1.0, 1000.0);
    if (m_runner)
        m_runner->setSlowMotion(m_slowMotion);
    emit frame();
}

void Session::setMessagesPerSecond(double rate)
{
    m_scenario.traffic.messagesPerSecond = rate;
    if (m_runner)
        m_runner->setMessagesPerSecond(rate);
}

void Session::setThreadLimits(const runtime::ThreadLimits &limits)
{
    if (m_runner)
        m_runner->setThreadLimits(limits);
}

void Session::followLive()
{
    m_following = true;
    refreshCursorState();
    emit frame();
}

void Session::setCursorIndex(std::size_t index)
{
    m_following = false;
    m_cursor = std::min(index, m_model.eventCount());
    refreshCursorState();
    emit frame();
}

void Session::setCursorTime(std::uint64_t timeNs) { setCursorIndex(m_model.indexAtTime(timeNs)); }

std::size_t Session::cursorIndex() const { return m_cursor; }

std::uint64_t Session::cursorTimeNs() const
{
    const auto &events = m_model.events();
    if (events.empty())
        return 0;
    return events[std::min(m_cursor, events.size()) - (m_cursor > 0 ? 1 : 0)].timeNs;
}

// Claims and metrics come from the model's fold of the events it holds, live or replayed alike.
QList<scenario::ClaimResult> Session::claims() const { return scenario::evaluateClaims(m_scenario.claims, m_model.history()); }

scenario::MetricsHistory Session::metricsHistory() const { return m_model.history(); }

scenario::MetricsHistory Session::metricsSince(qsizetype from) const
{
    const scenario::MetricsHistory &h = m_model.history();
    return from >= h.size() ? scenario::MetricsHistory() : h.mid(from);
}

trace::Trace Session::trace() const
{
    if (m_runner)
        return m_runner->trace();
    trace::Trace t{m_model.threadInfo(), m_model.events().copy(0, m_model.eventCount()), m_droppedInTrace, m_model.vocabulary(), m_model.strings(), {}};
    t.scenarioJson = m_replay && m_scenario.id == QLatin1String("trace") ? std::string() : scenario::scenarioToJson(m_scenario).toStdString();
    return t;
}

void Session::setSpotlight(int threadIndex)
{
    m_spotlight = threadIndex;
    emit frame();
}

std::uint64_t Session::droppedEvents() const
{
    // Live: what the sampler last recorded; a finished or re-opened trace: the count its header keeps.
    const double observed = m_model.latest().observedValue(trace::Metric::DroppedEvents);
    return std::max(m_droppedInTrace, std::isnan(observed) ? 0 : std::uint64_t(observed));
}

std::size_t Session::threadsHeldAtGate() const
{
    const double held = m_cursorState.observedValue(trace::Metric::HeldAtGate);
    return std::isnan(held) ? 0 : std::size_t(held);
}

double Session::completionsPerSecond() const
{
    const auto &series = m_model.timeline().completionsPerS();
    return series.value.empty() ? 0 : series.value.back();
}

} // namespace porthole::ui
