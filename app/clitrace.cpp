#include "clitrace.h"

#include "mainwindow.h"
#include "runreport.h"
#include "scenario/scenariofile.h"
#include "session.h"
#include "timelineexport.h"
#include "trace/chrometrace.h"
#include "trace/safefile.h"
#include "trace/tracefile.h"
#include "trace/pairfile.h"
#include "scenario/comparison.h"
#include "comparewindow.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <filesystem>
#include <fstream>

#include <QApplication>
#include <QFileInfo>

#include <optional>

namespace porthole::app {

namespace {

struct Loaded {
    trace::Trace trace;
    scenario::Scenario scenario;
};

std::optional<Loaded> load(const QString &path, QTextStream &err)
{
    trace::TraceLoadResult result = trace::loadTrace(path.toStdString());
    if (!result.trace) {
        err << "error: " << QString::fromStdString(result.error) << "\n";
        return std::nullopt;
    }
    if (result.trace->scenarioJson.empty()) {
        err << "error: " << path << ": the trace records no scenario (it was not saved from a scenario's run), so it has no claims to check\n";
        return std::nullopt;
    }
    const scenario::ScenarioLoad parsed = scenario::parseScenario(QByteArray::fromStdString(result.trace->scenarioJson), path);
    if (!parsed.scenario) {
        for (const QString &e : parsed.errors)
            err << "error: " << path << ": the scenario it records: " << e << "\n";
        return std::nullopt;
    }
    return Loaded{std::move(*result.trace), *parsed.scenario};
}

bool isPairFile(const QString &path) { return trace::isPairFile(path.toStdString()); }

struct LoadedPair {
    trace::TracePair pair;
    std::array<scenario::Scenario, 2> scenarios;
};

std::optional<LoadedPair> loadPair(const QString &path, QTextStream &err)
{
    trace::PairLoadResult result = trace::loadPair(path.toStdString());
    if (!result.pair) {
        err << "error: " << QString::fromStdString(result.error) << "\n";
        return std::nullopt;
    }
    LoadedPair loaded{std::move(*result.pair), {}};
    for (std::size_t i = 0; i < 2; ++i) {
        const scenario::ScenarioLoad parsed = scenario::parseScenario(QByteArray::fromStdString(loaded.pair.runs[i].scenarioJson), path);
        if (!parsed.scenario) {
            err << "error: " << path << ": run " << (i == 0 ? "A" : "B") << " records no scenario it can replay\n";
            return std::nullopt;
        }
        loaded.scenarios[i] = *parsed.scenario;
    }
    return loaded;
}

// Both runs' claims, again from their traces alone, and the comparison's figures.
int replayPair(const QString &path, bool json, bool report, QTextStream &out, QTextStream &err)
{
    const std::optional<LoadedPair> loaded = loadPair(path, err);
    if (!loaded)
        return 2;
    std::array<scenario::RunFigures, 2> figures;
    const std::uint64_t origin = scenario::pairOriginNs(loaded->pair.runs[0], loaded->pair.runs[1]);
    QJsonArray runs;
    bool allPassed = true;
    for (std::size_t i = 0; i < 2; ++i) {
        const QString label = QString::fromStdString(loaded->pair.labels[i]);
        const RunReport r = reportOf(loaded->scenarios[i], loaded->pair.runs[i]);
        figures[i] = scenario::figuresOf(loaded->scenarios[i], loaded->pair.runs[i], origin, label);
        allPassed &= r.allPassed;
        QJsonObject run = r.json;
        run[QStringLiteral("label")] = label;
        runs.append(run);
        if (!json) {
            out << (i == 0 ? "A: " : "B: ") << label << "\n";
            printReport(r, false, report, out);
        }
    }
    if (json) {
        QJsonObject comparison = scenario::comparisonJson(figures);
        const QJsonObject recorded = QJsonDocument::fromJson(QByteArray::fromStdString(loaded->pair.comparisonJson)).object();
        if (recorded.contains(QStringLiteral("disturbance")))
            comparison[QStringLiteral("disturbance")] = recorded[QStringLiteral("disturbance")]; // measured when recorded
        out << QJsonDocument(QJsonObject{{QStringLiteral("runs"), runs}, {QStringLiteral("comparison"), comparison},
                                         {QStringLiteral("all_claims_hold"), allPassed}})
                   .toJson(QJsonDocument::Indented);
    }
    return allPassed ? 0 : 1;
}

struct OutputCheck {
    const QString &path;
    QStringList suffixes;
};

} // namespace

int replayTrace(const QString &path, bool json, bool report, QTextStream &out, QTextStream &err)
{
    if (isPairFile(path))
        return replayPair(path, json, report, out, err);
    const std::optional<Loaded> loaded = load(path, err);
    if (!loaded)
        return 2;
    const RunReport result = reportOf(loaded->scenario, loaded->trace);
    if (!json)
        out << "replaying " << loaded->scenario.id << " (" << loaded->scenario.title << ") from " << path << "\n";
    printReport(result, json, report, out);
    return result.allPassed ? 0 : 1;
}

int exportTrace(const ExportOptions &options, QTextStream &out, QTextStream &err)
{
    if (options.timeline.isEmpty() && options.window.isEmpty() && options.chrome.isEmpty() && options.metrics.isEmpty()) {
        err << "error: 'porthole export' needs at least one of --timeline F.png|svg|pdf, --window F.png, --chrome F.json, --metrics F.csv\n";
        return 2;
    }
    // Each list lives as long as the loop (an initializer_list in a pair would not).
    const OutputCheck checks[] = {{options.timeline, {QStringLiteral("png"), QStringLiteral("svg"), QStringLiteral("pdf")}},
                                  {options.window, {QStringLiteral("png")}},
                                  {options.chrome, {QStringLiteral("json")}},
                                  {options.metrics, {QStringLiteral("csv")}}};
    for (const OutputCheck &check : checks) {
        if (!check.path.isEmpty() && !check.suffixes.contains(QFileInfo(check.path).suffix().toLower())) {
            err << "error: " << check.path << ": the name must end in ." << check.suffixes.join(QStringLiteral(" or .")) << "\n";
            return 2;
        }
    }
    for (const QString &path : {options.timeline, options.window, options.chrome, options.metrics})
        if (!path.isEmpty())
            if (const std::string why = trace::checkExportTarget(path.toStdString()); !why.empty()) {
                err << "error: " << QString::fromStdString(why) << "\n";
                return 2;
            }
    if (const QString why = ui::checkPictureSize(options.size, options.pixelRatio); !why.isEmpty()) {
        err << "error: " << why << "\n";
        return 2;
    }
    const auto fail = [&err](const QString &why) {
        err << "error: " << why << "\n";
        return 2;
    };
    if (isPairFile(options.trace)) {
        // A pair: the timeline of both on one axis, or the window as it re-opens side by side.
        if (!options.chrome.isEmpty() || !options.metrics.isEmpty())
            return fail(QStringLiteral("%1 holds two runs: --chrome and --metrics take one; export them with --timeline or --window")
                            .arg(options.trace));
        const std::optional<LoadedPair> pair = loadPair(options.trace, err);
        if (!pair)
            return 2;
        ui::CompareWindow window;
        window.resize(options.size);
        if (!options.window.isEmpty())
            window.show();
        if (const QString why = window.openPairFile(options.trace); !why.isEmpty())
            return fail(why);
        if (!options.timeline.isEmpty()) {
            ui::TimelinePicture picture{options.size, QFileInfo(options.trace).fileName(), options.rangeFromS, options.rangeToS,
                                        options.pixelRatio, options.slide};
            if (const QString why = ui::exportPairTimeline(window.session(0), window.session(1), window.label(0), window.label(1),
                                                           options.timeline, picture);
                !why.isEmpty())
                return fail(why);
        }
        if (!options.window.isEmpty()) {
            if (options.atS >= 0)
                window.session(0).setCursorTime(window.session(0).timeline().originNs() + std::uint64_t(options.atS * 1e9));
            QApplication::processEvents();
            window.refreshSummary();
            if (!window.grab().save(options.window))
                return fail(QStringLiteral("%1: the picture could not be written").arg(options.window));
        }
        out << "exported " << options.trace << "\n";
        return 0;
    }
    const std::optional<Loaded> loaded = load(options.trace, err);
    if (!loaded)
        return 2;
    if (!options.chrome.isEmpty())
        if (const std::string why = trace::saveChromeTrace(loaded->trace, options.chrome.toStdString()); !why.empty())
            return fail(QString::fromStdString(why));
    if (!options.metrics.isEmpty())
        if (const QString why = model::saveMetricsCsv(model::metricsOf(loaded->trace.events), options.metrics); !why.isEmpty())
            return fail(why);
    if (!options.timeline.isEmpty()) {
        ui::Session session;
        session.loadTrace(loaded->trace, QFileInfo(options.trace).fileName());
        const ui::TimelinePicture picture{options.size, QStringLiteral("%1 — Porthole").arg(loaded->scenario.title), options.rangeFromS,
                                          options.rangeToS, options.pixelRatio, options.slide};
        if (const QString why = ui::exportTimeline(session, options.timeline, picture); !why.isEmpty())
            return fail(why);
    }
    if (!options.window.isEmpty()) {
        const QString scratch = options.trace; // the window re-opens the file as a user would
        ui::MainWindow window;
        window.resize(options.size);
        window.show(); // the views draw only what is visible
        if (const QString why = window.openTraceFile(scratch); !why.isEmpty())
            return fail(why);
        const ui::Session &session = window.session();
        const std::uint64_t at = options.atS >= 0 ? session.model().firstTimeNs() + std::uint64_t(options.atS * 1e9) : session.model().lastTimeNs();
        window.session().setCursorTime(at);
        QApplication::processEvents();
        if (const QString why = window.exportWindowPng(options.window); !why.isEmpty())
            return fail(why);
    }
    out << "exported " << options.trace << "\n";
    return 0;
}

} // namespace porthole::app
