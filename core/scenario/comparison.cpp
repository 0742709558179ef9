#include "scenario/comparison.h"

#include "model/interpreter.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace porthole::scenario {

using trace::Metric;

namespace {

double finiteMax(double a, double b) { return std::isnan(b) ? a : std::max(a, b); }

double percentile(std::vector<double> &values, double p) // reorders values
{
    if (values.empty())
        return std::nan("");
    const std::size_t k = std::min(values.size() - 1, std::size_t(p * double(values.size())));
    std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(k), values.end());
    return values[k];
}

QJsonValue number(double v) { return std::isnan(v) ? QJsonValue() : QJsonValue(std::round(v * 1000) / 1000); }

} // namespace

std::uint64_t pairOriginNs(const trace::Trace &a, const trace::Trace &b)
{
    std::uint64_t origin = ~0ull;
    for (const trace::Trace *t : {&a, &b})
        if (!t->events.empty())
            origin = std::min(origin, t->events.front().timeNs);
    return origin == ~0ull ? 0 : origin;
}

void LatencyFold::apply(const trace::Event &e)
{
    if (e.type == trace::EventType::OpCompleted)
        m_completedAt.emplace(e.id, e.timeNs);
    else if (e.type == trace::EventType::CallbackBegin) {
        if (const auto it = m_completedAt.find(e.id); it != m_completedAt.end()) {
            m_latenciesUs.push_back(double(e.timeNs - it->second) / 1e3);
            m_completedAt.erase(it);
        }
    }
}

double LatencyFold::percentileUs(double p) const { return percentile(m_latenciesUs, p); }

RunFigures figuresOf(const Scenario &scenario, const MetricsHistory &history, const LatencyFold &latency, const QString &label)
{
    RunFigures f;
    f.label = label;
    bool residentSeen = false;
    for (const MetricsSample &s : history) {
        f.maxThreads = finiteMax(f.maxThreads, s[Metric::Threads]);
        double lesson = 0;
        for (Metric m : {Metric::IoThreads, Metric::Workers, Metric::Pollers, Metric::EventLoops, Metric::SocketThreads, Metric::TimerThreads})
            lesson += std::isnan(s[m]) ? 0 : s[m];
        f.maxLessonThreads = std::max(f.maxLessonThreads, lesson);
        if (!std::isnan(s[Metric::ResidentBytes])) {
            residentSeen = true;
            f.maxResidentMiB = std::max(f.maxResidentMiB, s[Metric::ResidentBytes] / (1024.0 * 1024.0));
        }
        f.maxPendingOps = finiteMax(f.maxPendingOps, s[Metric::PendingOps]);
    }
    if (!residentSeen)
        f.maxResidentMiB = std::nan("");
    const double durationS = history.isEmpty() ? 0 : history.constLast().timeS;
    const double callbacks = history.isEmpty() ? 0 : history.constLast()[Metric::Callbacks];
    f.completionsPerS = durationS > 0 && !std::isnan(callbacks) ? callbacks / durationS : 0;
    f.latencySamples = latency.samples();
    f.latencyP50Us = latency.percentileUs(0.5);
    f.latencyP99Us = latency.percentileUs(0.99);
    f.claims = evaluateClaims(scenario.claims, history);
    f.claimsTotal = int(f.claims.size());
    f.claimsPassed = int(std::count_if(f.claims.begin(), f.claims.end(), [](const ClaimResult &c) { return c.passed; }));
    return f;
}

RunFigures figuresOf(const Scenario &scenario, const trace::Trace &trace, std::uint64_t originNs, const QString &label)
{
    model::Interpreter interpreter;
    interpreter.apply(trace.events);
    LatencyFold latency;
    for (const trace::Event &e : trace.events)
        latency.apply(e);
    RunFigures f = figuresOf(scenario, interpreter.history(), latency, label);
    f.startS = trace.events.empty() || originNs == 0 ? 0 : double(std::int64_t(trace.events.front().timeNs - originNs)) / 1e9;
    return f;
}

QJsonObject figuresJson(const RunFigures &f)
{
    return {{QStringLiteral("label"), f.label},
            {QStringLiteral("start_s"), number(f.startS)},
            {QStringLiteral("max_threads"), number(f.maxThreads)},
            {QStringLiteral("max_runtime_threads"), number(f.maxLessonThreads)},
            {QStringLiteral("max_resident_mib"), number(f.maxResidentMiB)},
            {QStringLiteral("completions_per_s"), number(f.completionsPerS)},
            {QStringLiteral("callback_latency_p50_us"), number(f.latencyP50Us)},
            {QStringLiteral("callback_latency_p99_us"), number(f.latencyP99Us)},
            {QStringLiteral("callback_latency_samples"), double(f.latencySamples)},
            {QStringLiteral("max_pending_ops"), number(f.maxPendingOps)},
            {QStringLiteral("claims_passed"), f.claimsPassed},
            {QStringLiteral("claims_total"), f.claimsTotal}};
}

QJsonObject comparisonJson(const std::array<RunFigures, 2> &runs)
{
    const auto ratio = [](double b, double a) { return std::isnan(a) || std::isnan(b) || a == 0 ? QJsonValue() : number(b / a); };
    QJsonObject ratios{{QStringLiteral("max_threads"), ratio(runs[1].maxThreads, runs[0].maxThreads)},
                       {QStringLiteral("max_resident_mib"), ratio(runs[1].maxResidentMiB, runs[0].maxResidentMiB)},
                       {QStringLiteral("completions_per_s"), ratio(runs[1].completionsPerS, runs[0].completionsPerS)}};
    return {{QStringLiteral("a"), figuresJson(runs[0])}, {QStringLiteral("b"), figuresJson(runs[1])}, {QStringLiteral("b_over_a"), ratios}};
}

} // namespace porthole::scenario
