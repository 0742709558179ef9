#include "clicommands.h"

#include "runreport.h"
#include "streamrun.h"

#include "scenario/builtins.h"
#include "scenario/pairs.h"
#include "scenario/realdotnetrun.h"
#include "scenario/runner.h"
#include "trace/chrometrace.h"
#include "session.h"
#include "timelineexport.h"
#include "trace/safefile.h"
#include "trace/tracefile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QFileInfo>
#include <QThread>

#include <algorithm>
#include <chrono>
#include <csignal>

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
    // A built-in lesson (or one that takes a built-in's id) must cite its sources.
    if (builtinScenarioIds().contains(load.scenario->id)) {
        if (const QStringList missing = missingSources(*load.scenario); !missing.isEmpty()) {
            for (const QString &field : missing)
                err << "error: " << path << ": " << field << ": a built-in lesson says where its facts come from; "
                    << "add \"sources\": [\"https://...\" or \"owner/repo: path\"]\n";
            return 2;
        }
    }
    out << path << ": OK (" << load.scenario->id << ", " << load.scenario->claims.size() << " claims, "
        << load.scenario->walkthrough.size() << " walkthrough steps)\n";
    return 0;
}

namespace {

volatile std::sig_atomic_t g_signal = 0;
extern "C" void onSignal(int signal) { g_signal = signal; }

// Sleeps until the run's duration is over or SIGINT / SIGTERM arrives; returns that signal, or 0.
int runUntilDoneOrInterrupted(double durationS)
{
    g_signal = 0;
    auto *oldInt = std::signal(SIGINT, onSignal);
    auto *oldTerm = std::signal(SIGTERM, onSignal);
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(durationS);
    while (!g_signal && std::chrono::steady_clock::now() < until)
        QThread::msleep(20);
    std::signal(SIGINT, oldInt);
    std::signal(SIGTERM, oldTerm);
    return int(g_signal);
}

} // namespace

int runScenarioHeadless(const RunOptions &options, QTextStream &out, QTextStream &err)
{
    const ScenarioLoad load = options.runtime.isEmpty()
                                  ? loadScenario(options.scenario)
                                  : patchedScenario(options.scenario, QJsonObject{{QStringLiteral("runtime"), options.runtime}});
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
    // Every output is checked before the run, so a run's results are never lost to a bad name.
    for (const QString &path : {options.exportTrace, options.exportTimeline, options.exportMetrics}) {
        if (path.isEmpty())
            continue;
        if (const std::string why = trace::checkExportTarget(path.toStdString()); !why.empty()) {
            err << "error: " << QString::fromStdString(why) << "\n";
            return 2;
        }
    }
    if (!options.exportTimeline.isEmpty())
        if (const QString why = ui::checkPictureSize(options.timelineSize, options.pixelRatio); !why.isEmpty()) {
            err << "error: --export-timeline: " << why << "\n";
            return 2;
        }
    const double duration = options.durationS > 0 ? options.durationS : load.scenario->durationS;
    const std::unique_ptr<RunSource> source = makeRunSource(*load.scenario);
    RunSource &runner = *source;
    if (options.pauseAtS >= 0) {
        auto *engine = dynamic_cast<Runner *>(source.get());
        if (!engine) {
            err << "error: --pause-at: the real runtime is paused from the window (Space: SIGSTOP), not on a schedule\n";
            return 2;
        }
        engine->schedulePause(options.pauseAtS, options.pauseForS);
    }
    if (options.stream)
        startStreamCommands();
    if (const QString why = runner.start(); !why.isEmpty()) {
        err << "error: " << load.scenario->id << ": " << why << "\n";
        return 2;
    }
    runner.setSlowMotion(options.speed);
    if (options.stream)
        return streamRun(runner, duration);
    if (!options.json)
        out << "running " << load.scenario->id << " (" << load.scenario->title << ") for " << duration << " s...\n" << Qt::flush;
    // Ctrl+C (or SIGTERM) ends the run early: what was recorded is still reported and exported.
    const int signal = runUntilDoneOrInterrupted(duration);
    runner.stop();

    // The report comes from the trace alone, as `porthole replay` computes it from the saved file.
    const trace::Trace recorded = runner.trace();
    RunReport report = reportOf(*load.scenario, recorded);
    const QString failure = runner.failure();
    if (!failure.isEmpty())
        report.json[QStringLiteral("failure")] = failure;
    if (signal)
        report.json[QStringLiteral("interrupted")] = signal == SIGINT ? QStringLiteral("SIGINT") : QStringLiteral("SIGTERM");

    if (!options.exportTrace.isEmpty()) {
        const std::string path = options.exportTrace.toStdString();
        const std::string why = options.exportTrace.endsWith(QLatin1String(".json")) ? trace::saveChromeTrace(recorded, path)
                                                                                      : trace::saveTrace(recorded, path);
        if (!why.empty()) {
            err << "error: " << QString::fromStdString(why) << "\n";
            return 2;
        }
    }

    if (!options.exportTimeline.isEmpty()) {
        ui::Session session;
        session.loadTrace(recorded);
        const ui::TimelinePicture picture{options.timelineSize, QStringLiteral("%1 — Porthole").arg(load.scenario->title),
                                          options.rangeFromS, options.rangeToS, options.pixelRatio, options.slide};
        const QString why = ui::exportTimeline(session, options.exportTimeline, picture);
        if (!why.isEmpty()) {
            err << "error: " << why << "\n";
            return 2;
        }
    }

    if (!options.exportMetrics.isEmpty()) {
        if (const QString why = model::saveMetricsCsv(report.history, options.exportMetrics); !why.isEmpty()) {
            err << "error: " << why << "\n";
            return 2;
        }
    }

    printReport(report, options.json, options.report, out);
    if (signal) {
        err << "interrupted by " << (signal == SIGINT ? "SIGINT" : "SIGTERM") << ": the report and exports hold what was recorded until then\n";
        return 128 + signal; // 130, 143: as a shell reports it
    }
    if (!failure.isEmpty()) {
        err << "error: the run cannot be trusted: " << failure << "\n";
        return 3;
    }
    return report.allPassed ? 0 : 1;
}

} // namespace porthole::app
