#pragma once

#include "model/metrics.h"
#include "model/modelstate.h"

#include <vector>

namespace porthole::model {

// The one place where events become meaning: folds events, in time order, into the run's state and,
// at each of the sampler's ticks, one row of metrics. The live run, the window, a replayed trace and
// every export use it, so they cannot disagree.
class Interpreter
{
public:
    void apply(const trace::Event &e);
    void apply(const std::vector<trace::Event> &events);

    const ModelState &state() const { return m_state; }
    const MetricsHistory &history() const { return m_history; }

    // The row the sampler's tick at `timeS` closes: folded counts plus the sampler's readings.
    static MetricsSample sampleOf(const ModelState &state, double timeS, const MetricsSample *previous);

private:
    ModelState m_state;
    MetricsHistory m_history;
};

// Folds a whole trace's events: its metrics, as the live run had them.
MetricsHistory metricsOf(const std::vector<trace::Event> &events);

} // namespace porthole::model
