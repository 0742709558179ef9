#pragma once

#include "trace/vocabulary.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <array>
#include <cmath>
#include <optional>

namespace porthole::model {

// One row of the run's metrics, taken by the interpreter at each of the sampler's ticks. A metric
// nobody measured (the sampler could not read it, or the trace lacks it) is NaN: "not measured".
struct MetricsSample {
    double timeS = 0;
    std::array<double, trace::MetricCount> values;

    MetricsSample() { values.fill(std::nan("")); }
    double operator[](trace::Metric m) const { return values[std::size_t(m)]; }
    double &operator[](trace::Metric m) { return values[std::size_t(m)]; }
};

using MetricsHistory = QList<MetricsSample>;

QStringList metricNames();
std::optional<trace::Metric> metricByName(const QString &name);
std::optional<double> metricValue(const MetricsSample &sample, const QString &name);

// One row per sample: time_s, then every metric by the names claims use ("" where not measured).
QString metricsToCsv(const MetricsHistory &history);
QString saveMetricsCsv(const MetricsHistory &history, const QString &path); // empty string on success

} // namespace porthole::model
