#include "clicommands.h"

#include "scenario/builtins.h"
#include "scenario/runner.h"
#include "trace/chrometrace.h"
#include "session.h"
#include "timelineexport.h"
#include "trace/tracefile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QFileInfo>
#include <QThread>

#include <algorithm>

namespace porthole::app {

using namespace scenario;

int listScenarios(QTextStream &out)
{
    for (const QString &id : builtinScenarioIds()) {
        const ScenarioLoad load = loadScenarioFile(builtinScenarioPath(id));
        out << id << "\t" << (load.scenario ? load.scenario->title + QStringLiteral(" - ") + load.scenario->summary
                                            : QStringLiteral("(broken: ") + load.errors.join(QStringLiteral("; ")) + QLatin1Char(')'))
            << "\n";
    }
    return 0;
}

int checkScenario(const QString &path, QTextStream &out, QTextStream &err)
{
    const ScenarioLoad load = loadScenario(path);
    if (!load.scenario) {
        for (const QString &e : load.errors)
            err << "error: " << e << "\n";
        return 2;
    }
    out << path << ": OK (" << load.scenario->id << ", " << load.scenario->claims.size() << " claims, "
        << load.scenario->walkthrough.size() << " walkthrough steps)\n";
    return 0;
}

namespace {

QJsonObject metricsJson(const MetricsHistory &history, double durationS)
{
    double maxPending = 0, maxQueue = 0, completions = 0, dropped = 0;
    QJsonObject maxThreads;
    const auto keepMax = [&](const char *name, double value) {
        maxThreads[QLatin1String(name)] = std::max(maxThreads[QLatin1String(name)].toDouble(), value);
    };
    for (const MetricsSample &s : history) {
        maxPending = std::max(maxPending, s.pendingOps);
        maxQueue = std::max({maxQueue, s.portQueue + s.cqReady, s.workerQueue});
        keepMax("total", s.threads);
        keepMax("io", s.ioThreads);
        keepMax("workers", s.workers);
        keepMax("pollers", s.pollers);
        keepMax("event_loops", s.eventLoops);
        keepMax("socket_threads", s.socketThreads);
        keepMax("io_wq_workers", s.ioWorkers);
        completions = s.callbacks;
        dropped = s.droppedEvents;
    }
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

int runScenarioHeadless(const RunOptions &options, QTextStream &out, QTextStream &err)
{
    const ScenarioLoad load = loadScenario(options.scenario);
    if (!load.scenario) {
        for (const QString &e : load.errors)
            err << "error: " << e << "\n";
        return 2;
    }
    if (!options.exportTrace.isEmpty() && !options.exportTrace.endsWith(QLatin1String(".json"))
        && !options.exportTrace.endsWith(QLatin1String(".porthole"))) {
        err << "error: --export-trace " << options.exportTrace << ": the name must end in .porthole or .json\n";
        return 2;
    }
    const QString pictureSuffix = QFileInfo(options.exportTimeline).suffix().toLower();
    if (!options.exportTimeline.isEmpty() && pictureSuffix != QLatin1String("png") && pictureSuffix != QLatin1String("svg")
        && pictureSuffix != QLatin1String("pdf")) {
        err << "error: --export-timeline " << options.exportTimeline << ": the name must end in .png, .svg or .pdf\n";
        return 2;
    }
    if (!options.exportMetrics.isEmpty() && QFileInfo(options.exportMetrics).suffix().toLower() != QLatin1String("csv")) {
        err << "error: --export-metrics " << options.exportMetrics << ": the name must end in .csv\n";
        return 2;
    }
    const double duration = options.durationS > 0 ? options.durationS : load.scenario->durationS;
    Runner runner(*load.scenario);
    if (const QString why = runner.start(); !why.isEmpty()) {
        err << "error: " << load.scenario->id << ": " << why << "\n";
        return 2;
    }
    runner.setSlowMotion(options.speed);
    if (!options.json)
        out << "running " << load.scenario->id << " (" << load.scenario->title << ") for " << duration << " s...\n" << Qt::flush;
    QThread::msleep(qulonglong(duration * 1000));
    runner.stop();

    const QList<ClaimResult> claims = runner.evaluateClaims();
    const bool allPassed = std::all_of(claims.begin(), claims.end(), [](const ClaimResult &c) { return c.passed; });
    const MetricsHistory history = runner.history();
    QJsonObject result = metricsJson(history, duration);
    result[QStringLiteral("scenario")] = load.scenario->id;
    result[QStringLiteral("runtime")] = QString::fromLatin1(runtime::runtimeKindName(load.scenario->runtime.kind).data());
    QJsonArray claimsJson;
    for (const ClaimResult &c : claims)
        claimsJson.append(QJsonObject{{QStringLiteral("name"), c.name},
                                      {QStringLiteral("expression"), c.expression},
                                      {QStringLiteral("passed"), c.passed},
                                      {QStringLiteral("observed"), c.observed}});
    result[QStringLiteral("claims")] = claimsJson;

    if (!options.exportTrace.isEmpty()) {
        const trace::Trace trace = runner.trace();
        const std::string path = options.exportTrace.toStdString();
        const std::string why = options.exportTrace.endsWith(QLatin1String(".json")) ? trace::saveChromeTrace(trace, path)
                                                                                      : trace::saveTrace(trace, path);
        if (!why.empty()) {
            err << "error: " << QString::fromStdString(why) << "\n";
            return 2;
        }
    }

    if (!options.exportTimeline.isEmpty()) {
        ui::Session session;
        session.loadTrace(runner.trace());
        const ui::TimelinePicture picture{options.timelineSize, QStringLiteral("%1 — Porthole").arg(load.scenario->title),
                                          options.rangeFromS, options.rangeToS, options.pixelRatio};
        const QString why = ui::exportTimeline(session, options.exportTimeline, picture);
        if (!why.isEmpty()) {
            err << "error: " << why << "\n";
            return 2;
        }
    }

    if (!options.exportMetrics.isEmpty()) {
        if (const QString why = saveMetricsCsv(history, options.exportMetrics); !why.isEmpty()) {
            err << "error: " << why << "\n";
            return 2;
        }
    }

    if (options.json) {
        out << QJsonDocument(result).toJson(QJsonDocument::Indented);
    } else {
        for (const ClaimResult &c : claims)
            out << (c.passed ? "  PASS  " : "  FAIL  ") << c.name << "   [" << c.expression << ", observed " << c.observed << "]\n";
        if (options.report) {
            const QJsonObject threads = result[QStringLiteral("max_threads")].toObject();
            out << "\nruntime " << result[QStringLiteral("runtime")].toString() << ", " << duration << " s\n"
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
        out << (allPassed ? "all claims hold\n" : "a claim failed\n");
    }
    return allPassed ? 0 : 1;
}

} // namespace porthole::app
