#include "scenario/realdotnetrun.h"

#include "engine/threadinspector.h"
#include "runtime/runtime.h"
#include "scenario/runner.h"
#include "scenario/scenariofile.h"

#include <QDir>
#include <QProcess>
#include <QStandardPaths>

#include <bit>
#include <cmath>
#include <csignal>
#include <unordered_map>
#include <unordered_set>

namespace porthole::scenario {

using trace::EventType;
using trace::ThreadRole;
using trace::ThreadState;

RealDotnetRun::RealDotnetRun(Scenario scenario)
    : m_scenario(std::move(scenario))
{
}

RealDotnetRun::~RealDotnetRun() { stop(); }

QString RealDotnetRun::start()
{
    if (const QString why = unsupportedFeature(m_scenario); !why.isEmpty())
        return why;
    QString program;
    if (const QString why = buildProbe(m_scenario.realRuntime, program); !why.isEmpty())
        return why;
    m_collector = std::make_unique<trace::Collector>(m_recorder, m_store);
    m_startTime = std::chrono::steady_clock::now();
    m_observer = std::thread([this, program] { observe(program); });
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [this] { return m_ready || m_ended; });
    return m_ready ? QString() : m_failure;
}

void RealDotnetRun::fail(const QString &why)
{
    std::lock_guard lock(m_mutex);
    if (m_failure.isEmpty())
        m_failure = why;
    m_ended = true;
    m_changed.notify_all();
}

QString observedRuntimeVersion(std::string_view observerName)
{
    return observerName.starts_with(ObserverPrefix) ? QString::fromUtf8(observerName.substr(ObserverPrefix.size())) : QString();
}

QString observedRuntimeVersion(const std::vector<trace::ThreadInfo> &threads)
{
    for (const trace::ThreadInfo &t : threads)
        if (t.role == ThreadRole::Porthole && t.name.starts_with(ObserverPrefix))
            return observedRuntimeVersion(t.name);
    return {};
}

void RealDotnetRun::stop()
{
    m_stopping.store(true);
    if (m_observer.joinable())
        m_observer.join();
    if (m_collector)
        m_collector->stop();
}

void RealDotnetRun::pause()
{
    std::lock_guard lock(m_mutex);
    m_pauseCommands.push_back(true);
}

void RealDotnetRun::setMessagesPerSecond(double perSecond)
{
    std::lock_guard lock(m_mutex);
    m_newRate = perSecond;
}

void RealDotnetRun::resume()
{
    std::lock_guard lock(m_mutex);
    m_pauseCommands.push_back(false);
}

QString RealDotnetRun::failure() const
{
    std::lock_guard lock(m_mutex);
    return m_stopping.load() && m_failure.startsWith(QLatin1String("the real runtime (pid")) ? QString() : m_failure;
}

QString RealDotnetRun::runtimeVersion() const
{
    std::lock_guard lock(m_mutex);
    return m_version;
}

std::vector<trace::Event> RealDotnetRun::eventsSince(std::size_t from, std::uint64_t settleNs, std::size_t limit) const
{
    if (settleNs == 0)
        return m_store.copyEvents(from, limit);
    const std::uint64_t now = trace::nowNs();
    return now > settleNs ? m_store.copyEventsBefore(from, now - settleNs, limit) : std::vector<trace::Event>{};
}

trace::Trace RealDotnetRun::trace() const
{
    trace::Trace t = m_store.snapshot(m_recorder);
    t.scenarioJson = scenarioToJson(m_scenario).toStdString();
    return t;
}

} // namespace porthole::scenario
