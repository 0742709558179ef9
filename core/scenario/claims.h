#pragma once

#include "model/metrics.h"
#include "scenario/scenario.h"

#include <QString>
#include <optional>

namespace porthole::scenario {

using model::MetricsHistory;
using model::MetricsSample;
using model::metricNames;
using model::metricValue;

// A claim is a small expression over the run's metrics:
//   claim    := term op number          op: == != < <= > >=
//   term     := metric | max(metric) | min(metric)
//             | callbacks_on(role) | callbacks_under(frame) | thread_growth(role, duration)
//             | cpu_ms(role): the CPU time the kernel counted for that role's threads
//   role     := io | worker | poller | event_loop | socket_thread | timer
//   frame    := dispatch | perform_io
//   duration := a number with ms or s (500ms, 3s)
// A bare metric means its last value. metricNames() lists the metrics.
struct ParsedClaim {
    enum class Aggregate { Last, Max, Min, CallbacksOn, CallbacksUnder, ThreadGrowth, CpuMs };
    Aggregate aggregate = Aggregate::Last;
    QString metric;     // the metric, role or frame named
    double windowS = 0; // thread_growth's duration
    QString op;
    double value = 0;
};

struct ClaimParse {
    std::optional<ParsedClaim> claim;
    QString error; // what is wrong, with the allowed words
};

ClaimParse parseClaim(const QString &expression);

struct ClaimResult {
    QString name;
    QString expression;
    bool passed = false;
    double observed = 0;
    bool measured = true; // false: the metric was not measured in this run, so the claim fails
    QString basis;        // the Claim's: kernel, porthole or runtime-model
};

// Evaluates on everything sampled so far.
ClaimResult evaluateClaim(const QString &name, const ParsedClaim &claim, const QString &expression,
                          const MetricsHistory &history);
// Every claim of a scenario, on the interpreter's metrics (live or from a saved trace alike).
QList<ClaimResult> evaluateClaims(const QList<Claim> &claims, const MetricsHistory &history);

} // namespace porthole::scenario
