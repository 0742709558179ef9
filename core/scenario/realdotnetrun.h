#pragma once

#include "scenario/runsource.h"
#include "scenario/scenario.h"
#include "trace/collector.h"

#include <QProcessEnvironment>

#include <atomic>
#include <deque>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_set>

namespace porthole::scenario {

// `"runtime": "dotnet-real"` or `"mono-real"`: the scenario's workload on a real .NET runtime (the probe in
// core/runtime/dotnet, run with `dotnet`, or core/runtime/mono, built with `mcs` and run with `mono`),
// observed from outside as Porthole observes itself. Every event is what someone observed: threads, names,
// kernel states and CPU time from /proc/PID/task (the kernel); each callback's begin and end, stamped on the
// same monotonic clock, and its managed stack (System.Diagnostics.StackTrace), from the probe (the runtime).
// A thread's state is Running when the kernel says it runs, Blocked when it sleeps inside a callback,
// Parked when it sleeps outside one. Pause is SIGSTOP: the whole runtime freezes.
// The observer of a real runtime joins its trace as "porthole: observing <the runtime's own name for itself>":
// the version a trace was observed on travels with it.
inline constexpr std::string_view ObserverPrefix = "porthole: observing ";
QString observedRuntimeVersion(const std::vector<trace::ThreadInfo> &threads); // empty: not a real runtime's trace
QString observedRuntimeVersion(std::string_view observerName);                // empty: not an observer's name

class RealDotnetRun : public RunSource
{
public:
    explicit RealDotnetRun(Scenario scenario);
    ~RealDotnetRun() override;

    // Why this scenario cannot run on the real runtime (naming the field), or empty.
    static QString unsupportedFeature(const Scenario &scenario);
    // The probe built for this machine's runtime ("dotnet" or "mono": once, in the cache folder): the
    // program to run; empty on success, else why not.
    static QString buildProbe(const QString &realRuntime, QString &program);
    static QString dotnetPath(); // empty when the .NET SDK is not on PATH
    // Why the machine cannot run that real runtime, in one line (what to install), or empty.
    static QString toolMissing(const QString &realRuntime);
    static QStringList probeArguments(const Scenario &scenario); // the probe's `run KEY=VALUE ...` for the scenario

    QString start() override;
    void stop() override;
    void pause() override;
    void resume() override;
    void step() override {}                    // a real runtime has no single step
    void setTrafficDuringPause(bool) override {} // the probe's traffic is one burst
    void setSlowMotion(double) override {}       // a real runtime runs in real time
    void setMessagesPerSecond(double perSecond) override; // uniform and hot-socket traffic: the probe's sender
    void setThreadLimits(const runtime::ThreadLimits &) override {}

    QString failure() const override;
    std::vector<trace::Event> eventsSince(std::size_t from, std::uint64_t settleNs, std::size_t limit = All) const override;
    std::vector<trace::ThreadInfo> threads() const override { return m_recorder.threads(); }
    std::vector<std::string> strings() const override { return m_recorder.strings(); }
    std::uint64_t droppedEvents() const override { return m_recorder.droppedEvents(); }
    bool waitUntilDrained(std::uint64_t timeNs, std::chrono::milliseconds timeout) const override
    {
        return !m_collector || m_collector->waitUntilDrained(timeNs, timeout);
    }
    std::uint64_t drainedThroughNs() const override { return m_collector ? m_collector->drainedThroughNs() : 0; }
    trace::Trace trace() const override;
    const Scenario &scenario() const override { return m_scenario; }
    QString runtimeVersion() const; // ".NET 10.0.12", "Mono 6.8.0.105 (...)", as the runtime reports itself

private:
    static QProcessEnvironment probeEnvironment(const QString &home); // a quiet `dotnet` (no banner, no telemetry)
    void observe(QString dll); // the observer thread: runs the probe, reads it and /proc
    void fail(const QString &why);

    Scenario m_scenario;
    trace::TraceRecorder m_recorder;
    trace::TraceStore m_store;
    // The names of reported frames: a push carries the address of its name (as a native frame's literal),
    // so they live as long as the collector that reads them.
    std::unordered_set<std::string> m_frameNames;
    std::unique_ptr<trace::Collector> m_collector;
    std::thread m_observer;
    std::atomic<bool> m_stopping{false};
    std::atomic<int> m_pid{0};
    std::chrono::steady_clock::time_point m_startTime;

    mutable std::mutex m_mutex; // guards the fields below
    std::condition_variable m_changed;
    bool m_ready = false, m_ended = false;
    QString m_failure, m_version;
    std::deque<bool> m_pauseCommands; // true: pause, false: resume; carried out by the observer
    std::optional<double> m_newRate;  // messages per second, for the observer to send the probe
};

} // namespace porthole::scenario
