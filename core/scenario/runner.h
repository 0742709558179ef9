#pragma once

#include "model/interpreter.h"
#include "scenario/claims.h"
#include "scenario/runsource.h"
#include "scenario/scenario.h"
#include "trace/collector.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

// The engine's types stay out of this header: the window includes it (ui/ sees no engine).
namespace porthole::runtime {
class Runtime;
}
namespace porthole::workload {
class PeerHost;
class TrafficGenerator;
}

namespace porthole::scenario {

class Sampler;

// Builds the port, runtime and workload of a scenario and runs them, with a Sampler that records what
// it observes into the trace. Metrics and claims are folded from the trace by the interpreter, as a
// replay of the saved trace folds them. Commands may come from any thread.
class Runner : public RunSource
{
public:
    static constexpr std::chrono::milliseconds SamplePeriod{50}; // the sampler's
    static constexpr std::uint64_t SettleNs = 100'000'000; // while live, fold only events this much older than now

    explicit Runner(Scenario scenario);
    ~Runner() override;

    QString start() override;   // empty on success, else what went wrong
    void stop() override;       // stops everything; afterwards no thread and no descriptor of the run is left
    // Pause, resume and step are carried out by the scenario driver, which records each as a
    // RunControl event once it holds; they return at once (the window never waits for them).
    void pause() override;
    void resume() override;
    void step() override;
    // Traffic stops while paused (the default) or keeps arriving, so steps have completions to take.
    void setTrafficDuringPause(bool flows) override;
    // The run's pauses so far, folded from the trace (settled while live).
    std::vector<model::PauseSpan> pauses() const;
    // Before start(): pause `atS` seconds into the run (wall time) for `forS` seconds.
    void schedulePause(double atS, double forS);
    void setSlowMotion(double factor) override;
    // ThreadPool.SetMinThreads / SetMaxThreads now; carried out by the driver, recorded in the trace.
    void setThreadLimits(const runtime::ThreadLimits &limits) override;
    // Safe to change while running: the traffic rate (the socket count and the runtime are not).
    void setMessagesPerSecond(double rate) override;
    bool isRunning() const { return m_running.load(std::memory_order_acquire); } // acquire: pairs with start/stop

    const Scenario &scenario() const override { return m_scenario; }
    // Empty while the run is sound; else why its results cannot be trusted (the socket helper died or
    // was stopped). The first such reason is kept.
    QString failure() const override;
    // The interpreter's metrics of the events recorded so far (settled while live; all after stop()).
    MetricsHistory history() const;
    MetricsHistory historySince(qsizetype from) const; // the samples from index `from` on: for readers that keep their own copy
    QList<ClaimResult> evaluateClaims() const;
    trace::Trace trace() const override; // everything recorded so far, with the vocabulary and the scenario's JSON
    // The collector's watermark: every event recorded before this time is in the trace.
    std::uint64_t drainedThroughNs() const override { return m_collector ? m_collector->drainedThroughNs() : 0; }
    // Waits (at most `timeout`) until every event recorded before timeNs is in the trace.
    bool waitUntilDrained(std::uint64_t timeNs, std::chrono::milliseconds timeout) const override
    {
        return !m_collector || m_collector->waitUntilDrained(timeNs, timeout);
    }
    // Events from index `from` on, holding back those of the last `settleNs` (0 = all: after stop()).
    std::vector<trace::Event> eventsSince(std::size_t from, std::uint64_t settleNs, std::size_t limit = All) const override;
    void setReaderBehind(bool behind) override { m_readerBehind.store(behind, std::memory_order_relaxed); } // a hint: no order needed
    std::vector<trace::ThreadInfo> threads() const override { return m_recorder.threads(); }
    std::vector<std::string> strings() const override { return m_recorder.strings(); } // the trace's strings so far
    std::uint64_t droppedEvents() const override { return m_recorder.droppedEvents(); }
    runtime::Runtime *runtime() { return m_runtime.get(); }

private:
    void driveLoop();
    void control(trace::RunAction action); // on the driver thread
    void command(trace::RunAction action);
    void foldSettled() const; // with m_mutex held

    Scenario m_scenario;
    trace::TraceRecorder m_recorder;
    trace::TraceStore m_store;
    std::unique_ptr<trace::Collector> m_collector;
    std::unique_ptr<workload::PeerHost> m_peers;
    std::unique_ptr<runtime::Runtime> m_runtime;
    std::unique_ptr<workload::TrafficGenerator> m_traffic;
    std::size_t m_baselineThreads = 0;
    int m_scratchFile = -1; // fsync target of files.fsync_every_ms
    std::chrono::steady_clock::time_point m_startTime;

    std::unique_ptr<Sampler> m_sampler;
    mutable std::mutex m_mutex; // guards m_interpreter, m_folded and m_stopping
    std::condition_variable m_wake;
    mutable model::Interpreter m_interpreter; // folds the store's events, as far as m_folded
    mutable std::size_t m_folded = 0;
    bool m_stopping = false;
    std::deque<trace::RunAction> m_commands; // guarded by m_mutex: for the driver
    std::deque<runtime::ThreadLimits> m_limitCommands; // guarded by m_mutex: for the driver
    double m_pauseAtS = -1, m_pauseForS = 0;  // set before start()
    std::atomic<bool> m_trafficDuringPause{false};
    QString m_failure; // guarded by m_mutex
    std::atomic<bool> m_running{false};
    std::thread m_driver; // posts, timers and fsyncs on the scenario's schedule; pause, resume and step
    std::vector<std::thread> m_posters; // posts.threads: a flood of posts, back to back
    std::atomic<bool> m_flooding{false};
    std::atomic<bool> m_readerBehind{false};
    void floodLoop(int index);
};

} // namespace porthole::scenario
