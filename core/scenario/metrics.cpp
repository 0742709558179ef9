#include "scenario/metrics.h"

#include <utility>

namespace porthole::scenario {

namespace {
using Field = double MetricsSample::*;
const std::pair<const char *, Field> Fields[] = {
    {"threads", &MetricsSample::threads},
    {"extra_threads", &MetricsSample::extraThreads},
    {"io_threads", &MetricsSample::ioThreads},
    {"workers", &MetricsSample::workers},
    {"pollers", &MetricsSample::pollers},
    {"event_loops", &MetricsSample::eventLoops},
    {"socket_threads", &MetricsSample::socketThreads},
    {"timer_threads", &MetricsSample::timerThreads},
    {"io_workers", &MetricsSample::ioWorkers},
    {"running", &MetricsSample::running},
    {"busiest_thread_share", &MetricsSample::busiestThreadShare},
    {"pending_ops", &MetricsSample::pendingOps},
    {"cq_ready", &MetricsSample::cqReady},
    {"port_queue", &MetricsSample::portQueue},
    {"worker_queue", &MetricsSample::workerQueue},
    {"callbacks", &MetricsSample::callbacks},
    {"completions_per_s", &MetricsSample::completionsPerS},
    {"posts", &MetricsSample::posts},
    {"timers", &MetricsSample::timersFired},
    {"dropped_events", &MetricsSample::droppedEvents},
};
} // namespace

QStringList metricNames()
{
    QStringList names;
    for (const auto &f : Fields)
        names << QString::fromLatin1(f.first);
    return names;
}

std::optional<double> metricValue(const MetricsSample &sample, const QString &name)
{
    for (const auto &f : Fields)
        if (name == QLatin1String(f.first))
            return sample.*(f.second);
    return std::nullopt;
}

} // namespace porthole::scenario
