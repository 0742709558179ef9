#include "model/metrics.h"

#include "trace/safefile.h"

namespace porthole::model {

namespace {
QString nameOf(std::size_t m) { return QString::fromLatin1(trace::metricName(trace::Metric(m))); }
} // namespace

QStringList metricNames()
{
    QStringList names;
    for (std::size_t m = 0; m < trace::MetricCount; ++m)
        names << nameOf(m);
    return names;
}

std::optional<trace::Metric> metricByName(const QString &name)
{
    for (std::size_t m = 0; m < trace::MetricCount; ++m)
        if (name == nameOf(m))
            return trace::Metric(m);
    return std::nullopt;
}

std::optional<double> metricValue(const MetricsSample &sample, const QString &name)
{
    if (const auto m = metricByName(name))
        return sample[*m];
    return std::nullopt;
}

QString metricsToCsv(const MetricsHistory &history)
{
    QString csv = QStringLiteral("time_s");
    for (std::size_t m = 0; m < trace::MetricCount; ++m)
        csv += QLatin1Char(',') + nameOf(m);
    csv += QLatin1Char('\n');
    for (const MetricsSample &s : history) {
        csv += QString::number(s.timeS, 'f', 3);
        for (const double v : s.values)
            csv += QLatin1Char(',') + (std::isnan(v) ? QString() : QString::number(v, 'g', 10));
        csv += QLatin1Char('\n');
    }
    return csv;
}

QString saveMetricsCsv(const MetricsHistory &history, const QString &path)
{
    if (history.isEmpty())
        return QStringLiteral("%1: there are no metrics to save: the trace holds no sample yet").arg(path);
    return QString::fromStdString(trace::saveFileSafely(path.toStdString(), metricsToCsv(history).toStdString()));
}

} // namespace porthole::model
