#pragma once

#include "scenario/claims.h"
#include "scenario/scenario.h"
#include "trace/tracestore.h"

#include <QJsonObject>

#include <array>
#include <unordered_map>
#include <vector>

namespace porthole::scenario {

// What the summary table beneath two runs compares, computed from each run's trace alone. A figure
// the run did not measure is NaN (null in JSON), never a made-up number.
struct RunFigures {
    QString label;
    double startS = 0;           // the run's first event, seconds after the pair's origin
    double maxThreads = 0;       // every task of the run's process, as /proc listed them
    double maxLessonThreads = 0; // the runtime's threads (I/O, workers, pollers, event loops, per socket, timers)
    double maxResidentMiB = 0;   // the run's process
    double completionsPerS = 0;  // callbacks per second over the run
    double latencyP50Us = 0;     // from the kernel's completion (reaped from the queue) to its callback's start
    double latencyP99Us = 0;
    std::size_t latencySamples = 0;
    double maxPendingOps = 0;
    int claimsPassed = 0;
    int claimsTotal = 0;
    QList<ClaimResult> claims;
};

// Callback latency folded event by event: from OpCompleted (the kernel's completion, reaped) to the
// CallbackBegin of the same operation. A blocking receive (a thread per socket) queues no completion:
// nothing is measured there.
class LatencyFold
{
public:
    void apply(const trace::Event &e);
    double percentileUs(double p) const; // NaN when nothing was measured
    std::size_t samples() const { return m_latenciesUs.size(); }

private:
    std::unordered_map<std::uint64_t, std::uint64_t> m_completedAt; // op id -> when its completion was reaped
    mutable std::vector<double> m_latenciesUs;
};

RunFigures figuresOf(const Scenario &scenario, const trace::Trace &trace, std::uint64_t originNs, const QString &label);
// The same from what a live view already folded.
RunFigures figuresOf(const Scenario &scenario, const MetricsHistory &history, const LatencyFold &latency, const QString &label);
// The earliest first event of the two: the shared time axis starts there.
std::uint64_t pairOriginNs(const trace::Trace &a, const trace::Trace &b);
QJsonObject figuresJson(const RunFigures &f);
// Both runs' figures, and B's against A's as ratios where both measured them.
QJsonObject comparisonJson(const std::array<RunFigures, 2> &runs);

} // namespace porthole::scenario
