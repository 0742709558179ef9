#pragma once

#include "scenario/runsource.h"
#include "scenario/scenario.h"
#include "trace/collector.h"

#include <atomic>
#include <deque>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace porthole::scenario {

// `"runtime": "dotnet-real"`: the scenario's workload on the real .NET runtime (the probe in
// core/runtime/dotnet, run with `dotnet`), observed from outside as Porthole observes itself. Every
// event is what someone observed: threads, names, kernel states and CPU time from /proc/PID/task (the
// kernel); each callback's begin and end, stamped on the same monotonic clock, from the probe (the
// runtime). A thread's state is Running when the kernel says it runs, Blocked when it sleeps inside a
// callback, Parked when it sleeps outside one. Pause is SIGSTOP: the whole runtime freezes.
class RealDotnetRun : public RunSource
{
public:
    explicit RealDotnetRun(Scenario scenario);
    ~RealDotnetRun() override;

    // Why this scenario cannot run on the real runtime (naming the field), or empty.
    static QString unsupportedFeature(const Scenario &scenario);
    // The probe built for this machine's `dotnet` (once, in the cache folder); empty on success.
    static QString buildProbe(QString &dll);
    static QString dotnetPath(); // empty when the .NET SDK is not on PATH

    QString start() override;
    void stop() override;
    void pause() override;
    void resume() override;
    void step() override {}                    // a real runtime has no single step
    void setTrafficDuringPause(bool) override {} // the probe's traffic is one burst
    void setSlowMotion(double) override {}       // a real runtime runs in real time
    void setMessagesPerSecond(double) override {}
    void setThreadLimits(const runtime::ThreadLimits &) override {}

    QString failure() const override;
    std::vector<trace::Event> eventsSince(std::size_t from, std::uint64_t settleNs) const override;
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
    QString runtimeVersion() const; // ".NET 10.0.12", as the runtime reports itself

private:
    void observe(QString dll); // the observer thread: runs the probe, reads it and /proc
    void fail(const QString &why);

    Scenario m_scenario;
    trace::TraceRecorder m_recorder;
    trace::TraceStore m_store;
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
};

} // namespace porthole::scenario
