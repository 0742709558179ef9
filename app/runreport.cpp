#include "runreport.h"

#include "model/interpreter.h"
#include "scenario/scenariofile.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>

namespace porthole::app {

using trace::Metric;

namespace {

double finite(double v) { return std::isnan(v) ? 0 : v; }

QJsonObject metricsJson(const scenario::MetricsHistory &history)
{
    double maxPending = 0, maxQueue = 0, completions = 0, dropped = 0;
    QJsonObject maxThreads;
    const auto keepMax = [&](const char *name, double value) {
        maxThreads[QLatin1String(name)] = std::max(maxThreads[QLatin1String(name)].toDouble(), finite(value));
    };
    for (const scenario::MetricsSample &s : history) {
        maxPending = std::max(maxPending, finite(s[Metric::PendingOps]));
        maxQueue = std::max({maxQueue, finite(s[Metric::PortQueue]) + finite(s[Metric::CqReady]), finite(s[Metric::WorkerQueue])});
        keepMax("total", s[Metric::Threads]);
        keepMax("io", s[Metric::IoThreads]);
        keepMax("workers", s[Metric::Workers]);
        keepMax("pollers", s[Metric::Pollers]);
        keepMax("event_loops", s[Metric::EventLoops]);
        keepMax("socket_threads", s[Metric::SocketThreads]);
        keepMax("io_wq_workers", s[Metric::IoWorkers]);
        completions = finite(s[Metric::Callbacks]);
        dropped = finite(s[Metric::DroppedEvents]);
    }
    // The run's length as the sampler measured it: the same live and replayed.
    const double durationS = history.isEmpty() ? 0 : std::round(history.constLast().timeS * 1000) / 1000;
    QJsonObject o;
    o[QStringLiteral("duration_s")] = durationS;
    o[QStringLiteral("completions")] = completions;
    o[QStringLiteral("completions_per_s")] = durationS > 0 ? completions / durationS : 0;
    o[QStringLiteral("max_threads")] = maxThreads;
    o[QStringLiteral("max_pending_ops")] = maxPending;
    o[QStringLiteral("max_queue_depth")] = maxQueue;
    o[QStringLiteral("dropped_events")] = dropped;
    return o;
}

} // namespace

RunReport reportOf(const scenario::Scenario &scenario, const trace::Trace &trace)
{
    RunReport r;
    model::Interpreter interpreter;
    interpreter.apply(trace.events);
    r.history = interpreter.history();
    r.claims = scenario::evaluateClaims(scenario.claims, r.history);
    r.allPassed = std::all_of(r.claims.begin(), r.claims.end(), [](const scenario::ClaimResult &c) { return c.passed; });
    r.json = metricsJson(r.history);
    r.json[QStringLiteral("scenario")] = scenario.id;
    r.json[QStringLiteral("runtime")] = scenario::runtimeId(scenario);
    QJsonArray claims;
    for (const scenario::ClaimResult &c : r.claims) {
        QJsonObject o{{QStringLiteral("name"), c.name},
                      {QStringLiteral("expression"), c.expression},
                      {QStringLiteral("passed"), c.passed},
                      {QStringLiteral("measured"), c.measured},
                      {QStringLiteral("basis"), c.basis}};
        o[QStringLiteral("observed")] = c.measured ? QJsonValue(c.observed) : QJsonValue(); // null: not measured
        claims.append(o);
    }
    r.json[QStringLiteral("claims")] = claims;
    // What each pause let happen: a freeze adds no thread and starts no callback (steps aside).
    QJsonArray pauses;
    for (const model::PauseSpan &p : interpreter.state().pauses)
        pauses.append(QJsonObject{{QStringLiteral("at_s"), std::round(p.atS * 1000) / 1000},
                                  {QStringLiteral("for_s"), std::round(p.forS * 1000) / 1000},
                                  {QStringLiteral("resumed"), !p.open},
                                  {QStringLiteral("threads_added"), double(p.threadsAdded)},
                                  {QStringLiteral("callbacks_started"), double(p.callbacksStarted)},
                                  {QStringLiteral("steps"), double(p.steps)}});
    r.json[QStringLiteral("pauses")] = pauses;
    return r;
}

void printReport(const RunReport &report, bool json, bool details, QTextStream &out)
{
    const QJsonObject &result = report.json;
    if (json) {
        out << QJsonDocument(result).toJson(QJsonDocument::Indented);
        return;
    }
    for (const scenario::ClaimResult &c : report.claims)
        out << (c.passed ? "  PASS  " : "  FAIL  ") << c.name << "   [" << c.expression << ", observed "
            << (c.measured ? QString::number(c.observed) : QStringLiteral("nothing: not measured in this run")) << "]\n";
    if (details) {
        const QJsonObject threads = result[QStringLiteral("max_threads")].toObject();
        out << "\nruntime " << result[QStringLiteral("runtime")].toString() << ", " << result[QStringLiteral("duration_s")].toDouble() << " s\n"
            << "completions " << result[QStringLiteral("completions")].toDouble() << " ("
            << qRound(result[QStringLiteral("completions_per_s")].toDouble()) << "/s)\n"
            << "max threads: total " << threads[QStringLiteral("total")].toDouble() << ", I/O " << threads[QStringLiteral("io")].toDouble()
            << ", workers " << threads[QStringLiteral("workers")].toDouble() << ", pollers " << threads[QStringLiteral("pollers")].toDouble()
            << ", event loops " << threads[QStringLiteral("event_loops")].toDouble() << ", per socket "
            << threads[QStringLiteral("socket_threads")].toDouble() << ", iou-wrk " << threads[QStringLiteral("io_wq_workers")].toDouble() << "\n"
            << "max pending operations " << result[QStringLiteral("max_pending_ops")].toDouble() << ", max queue depth "
            << result[QStringLiteral("max_queue_depth")].toDouble() << ", dropped events "
            << result[QStringLiteral("dropped_events")].toDouble() << "\n";
    }
    out << (report.allPassed ? "all claims hold\n" : "a claim failed\n");
}

} // namespace porthole::app
