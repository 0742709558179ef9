#pragma once

#include "runtime/runtimeoptions.h"
#include "scenario/scenario.h"
#include "trace/tracestore.h"

#include <QString>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace porthole::scenario {

// A run the window can watch and steer: in this process (Runner) or in a process of its own
// (ChildRun, for runs compared side by side). Commands may come from any thread and return at once.
class RunSource
{
public:
    virtual ~RunSource() = default;

    virtual QString start() = 0; // empty on success, else what went wrong
    virtual void stop() = 0;     // afterwards every event of the run is here
    virtual void pause() = 0;
    virtual void resume() = 0;
    virtual void step() = 0;
    virtual void setTrafficDuringPause(bool flows) = 0;
    virtual void setSlowMotion(double factor) = 0;
    virtual void setMessagesPerSecond(double rate) = 0;
    virtual void setThreadLimits(const runtime::ThreadLimits &limits) = 0;

    // Empty while the run is sound; else why its results cannot be trusted.
    virtual QString failure() const = 0;
    // Events from index `from` on, holding back those of the last `settleNs` (0 = all: after stop()),
    // at most `limit` of them.
    static constexpr std::size_t All = std::size_t(-1);
    // The window's reader left events it had no time for: a flood of posts (posts.threads) waits while
    // it is, as it waits for the trace. Runs without a flood, and runs in a process of their own, ignore it.
    virtual void setReaderBehind(bool) {}
    virtual std::vector<trace::Event> eventsSince(std::size_t from, std::uint64_t settleNs, std::size_t limit = All) const = 0;
    virtual std::vector<trace::ThreadInfo> threads() const = 0;
    virtual std::vector<std::string> strings() const = 0;
    virtual std::uint64_t droppedEvents() const = 0;
    // Waits (at most `timeout`) until every event recorded before timeNs is here.
    virtual bool waitUntilDrained(std::uint64_t timeNs, std::chrono::milliseconds timeout) const = 0;
    virtual trace::Trace trace() const = 0; // everything recorded so far, with the vocabulary and the scenario's JSON
    virtual std::uint64_t drainedThroughNs() const = 0; // every event recorded before this time is here
    virtual const Scenario &scenario() const = 0;
};

// The run a scenario asks for, in this process: Porthole's engine and model (Runner), or the real
// .NET runtime observed from outside (RealDotnetRun, for "runtime": "dotnet-real").
std::unique_ptr<RunSource> makeRunSource(const Scenario &scenario);

// From now on the calling thread, and every thread and process it starts, gives way to the window's
// thread: nice +RunNice on Linux. On two cores a flood keeps both busy, and a window at the same
// priority waited its turn in the middle of a frame (6 of ~120 frames over 16 ms in live_ingest; 1
// at +10). The run's threads keep their priorities relative to each other, and get the processor
// whenever the window does not want it. Call it on the thread that starts a run for the window.
inline constexpr int RunNice = 10;
void giveWayToTheWindow();

} // namespace porthole::scenario
