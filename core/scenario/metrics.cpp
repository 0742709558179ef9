#include "scenario/metrics.h"

#include <QSaveFile>

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

QString metricsToCsv(const MetricsHistory &history)
{
    QString csv = QStringLiteral("time_s");
    for (const auto &f : Fields)
        csv += QLatin1Char(',') + QLatin1String(f.first);
    csv += QLatin1Char('\n');
    for (const MetricsSample &s : history) {
        csv += QString::number(s.timeS, 'f', 3);
        for (const auto &f : Fields)
            csv += QLatin1Char(',') + QString::number(s.*(f.second), 'g', 10);
        csv += QLatin1Char('\n');
    }
    return csv;
}

QString saveMetricsCsv(const MetricsHistory &history, const QString &path)
{
    if (history.isEmpty())
        return QStringLiteral("%1: there are no metrics to save: they are sampled while a scenario runs (a re-opened trace has none)").arg(path);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        return QStringLiteral("%1: cannot be written: %2").arg(path, file.errorString());
    file.write(metricsToCsv(history).toUtf8());
    if (!file.commit())
        return QStringLiteral("%1: cannot be written: %2").arg(path, file.errorString());
    return {};
}

} // namespace porthole::scenario
