#include "comparecommand.h"

#include "runreport.h"

#include "scenario/childrun.h"
#include "scenario/comparison.h"
#include "scenario/pairs.h"
#include "scenario/scenariofile.h"
#include "session.h"
#include "timelineexport.h"
#include "trace/pairfile.h"
#include "trace/safefile.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QThread>

#include <cmath>
#include <csignal>
#include <memory>
#include <thread>

namespace porthole::app {

using namespace scenario;

namespace {

volatile std::sig_atomic_t g_signal = 0;
extern "C" void onCompareSignal(int signal) { g_signal = signal; }

struct PairRun {
    std::array<trace::Trace, 2> traces;
    std::array<QString, 2> failures;
    QString startError;
};

// Both runs at once (or one alone: `only` 0 or 1), each a child process, for durationS.
PairRun runPair(const ScenarioPair &pair, double durationS, int only = -1)
{
    PairRun result;
    const QString program = QCoreApplication::applicationFilePath();
    std::array<std::unique_ptr<ChildRun>, 2> runs;
    std::array<QString, 2> errors;
    std::array<std::thread, 2> starters;
    for (int i = 0; i < 2; ++i) {
        if (only >= 0 && i != only)
            continue;
        runs[i] = std::make_unique<ChildRun>(pair.sides[i].scenario, program, durationS);
        starters[i] = std::thread([&, i] { errors[i] = runs[i]->start(); }); // set up side by side: they start together
    }
    for (std::thread &t : starters)
        if (t.joinable())
            t.join();
    for (int i = 0; i < 2; ++i)
        if (!errors[i].isEmpty())
            result.startError = QStringLiteral("%1: %2").arg(pair.sides[i].label, errors[i]);
    g_signal = 0;
    auto *oldInt = std::signal(SIGINT, onCompareSignal);
    auto *oldTerm = std::signal(SIGTERM, onCompareSignal);
    // Each child ends its run after durationS; a signal here ends both now.
    while (!g_signal && result.startError.isEmpty()) {
        bool running = false;
        for (const auto &run : runs)
            running |= run && !run->hasEnded();
        if (!running)
            break;
        QThread::msleep(20);
    }
    std::signal(SIGINT, oldInt);
    std::signal(SIGTERM, oldTerm);
    for (int i = 0; i < 2; ++i) {
        if (!runs[i])
            continue;
        runs[i]->stop();
        result.traces[i] = runs[i]->trace();
        result.failures[i] = runs[i]->failure();
    }
    return result;
}

double completionsPerS(const Scenario &scenario, const trace::Trace &trace)
{
    return figuresOf(scenario, trace, 0, QString()).completionsPerS;
}

} // namespace

int resolvePair(const CompareOptions &options, ScenarioPair &pair, QTextStream &err)
{
    PairLoad load;
    if (!options.runtimes.isEmpty()) {
        if (options.names.size() != 1) {
            err << "error: 'porthole compare SCENARIO --runtimes R1,R2' takes one scenario\n";
            return 2;
        }
        load = pairOfRuntimes(options.names[0], options.runtimes);
    } else if (options.names.size() == 1) {
        load = loadBuiltinPair(options.names[0]);
    } else if (options.names.size() == 2) {
        load = pairOfScenarios(options.names[0], options.names[1]);
    } else {
        err << "error: 'porthole compare' takes a built-in pair (" << builtinPairIds().join(QStringLiteral(", "))
            << "), two scenarios, or one scenario with --runtimes R1,R2\n";
        return 2;
    }
    if (!load.pair) {
        for (const QString &e : load.errors)
            err << "error: " << e << "\n";
        return 2;
    }
    pair = *load.pair;
    if (options.durationS > 0)
        pair.durationS = options.durationS;
    return 0;
}

int compareHeadless(const CompareOptions &options, QTextStream &out, QTextStream &err)
{
    ScenarioPair pair;
    if (const int code = resolvePair(options, pair, err); code != 0)
        return code;
    if (!options.exportTrace.isEmpty() && !options.exportTrace.endsWith(QLatin1String(".porthole"))) {
        err << "error: --export-trace " << options.exportTrace << ": a pair is saved as F.porthole (it re-opens side by side)\n";
        return 2;
    }
    const QString pictureSuffix = QFileInfo(options.exportTimeline).suffix().toLower();
    if (!options.exportTimeline.isEmpty() && pictureSuffix != QLatin1String("png") && pictureSuffix != QLatin1String("svg")
        && pictureSuffix != QLatin1String("pdf")) {
        err << "error: --export-timeline " << options.exportTimeline << ": the name must end in .png, .svg or .pdf\n";
        return 2;
    }
    for (const QString &path : {options.exportTrace, options.exportTimeline}) {
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

    err << "comparing " << pair.sides[0].label << " and " << pair.sides[1].label << " for " << pair.durationS
        << " s, each in a process of its own" << (options.alone ? "; then each alone, to measure how much they disturb each other" : "")
        << "...\n" << Qt::flush;
    const PairRun together = runPair(pair, pair.durationS);
    if (!together.startError.isEmpty()) {
        err << "error: " << together.startError << "\n";
        return 2;
    }
    const bool interrupted = g_signal != 0;
    const int signal = int(g_signal);

    std::array<RunReport, 2> reports;
    std::array<RunFigures, 2> figures;
    const std::uint64_t origin = pairOriginNs(together.traces[0], together.traces[1]);
    QJsonArray runs;
    for (int i = 0; i < 2; ++i) {
        reports[i] = reportOf(pair.sides[i].scenario, together.traces[i]);
        figures[i] = figuresOf(pair.sides[i].scenario, together.traces[i], origin, pair.sides[i].label);
        QJsonObject run = reports[i].json;
        run[QStringLiteral("label")] = pair.sides[i].label;
        if (!together.failures[i].isEmpty())
            run[QStringLiteral("failure")] = together.failures[i];
        runs.append(run);
    }
    QJsonObject comparison = comparisonJson(figures);

    // Two runs on two cores take from each other: each alone, then the change together.
    if (options.alone && !interrupted) {
        QJsonObject disturbance;
        double worst = 0;
        for (int i = 0; i < 2; ++i) {
            err << "running " << pair.sides[i].label << " alone...\n" << Qt::flush;
            const PairRun alone = runPair(pair, pair.durationS, i);
            if (!alone.startError.isEmpty() || g_signal)
                break;
            const double aloneRate = completionsPerS(pair.sides[i].scenario, alone.traces[i]);
            const double change = aloneRate > 0 ? figures[i].completionsPerS / aloneRate - 1 : std::nan("");
            if (!std::isnan(change))
                worst = std::max(worst, std::abs(change));
            disturbance[i == 0 ? QStringLiteral("a") : QStringLiteral("b")] = QJsonObject{
                {QStringLiteral("completions_per_s_alone"), std::round(aloneRate * 10) / 10},
                {QStringLiteral("completions_per_s_together"), std::round(figures[i].completionsPerS * 10) / 10},
                {QStringLiteral("change"), std::isnan(change) ? QJsonValue() : QJsonValue(std::round(change * 1000) / 1000)}};
        }
        disturbance[QStringLiteral("largest_change")] = std::round(worst * 1000) / 1000;
        disturbance[QStringLiteral("exceeds_10_percent")] = worst > 0.10;
        comparison[QStringLiteral("disturbance")] = disturbance;
    }

    if (!options.exportTrace.isEmpty()) {
        trace::TracePair saved{together.traces, {pair.sides[0].label.toStdString(), pair.sides[1].label.toStdString()},
                               QJsonDocument(comparison).toJson(QJsonDocument::Compact).toStdString()};
        if (const std::string why = trace::savePair(saved, options.exportTrace.toStdString()); !why.empty()) {
            err << "error: " << QString::fromStdString(why) << "\n";
            return 2;
        }
    }
    if (!options.exportTimeline.isEmpty()) {
        ui::Session a, b;
        for (ui::Session *s : {&a, &b})
            s->setTimeOrigin(origin);
        a.loadTrace(together.traces[0]);
        b.loadTrace(together.traces[1]);
        const ui::TimelinePicture picture{options.timelineSize, pair.title, options.rangeFromS, options.rangeToS, options.pixelRatio,
                                          options.slide};
        if (const QString why = ui::exportPairTimeline(a, b, pair.sides[0].label, pair.sides[1].label, options.exportTimeline, picture);
            !why.isEmpty()) {
            err << "error: " << why << "\n";
            return 2;
        }
    }

    const bool allPassed = reports[0].allPassed && reports[1].allPassed;
    if (options.json) {
        QJsonObject o{{QStringLiteral("pair"), pair.id.isEmpty() ? QJsonValue() : QJsonValue(pair.id)},
                      {QStringLiteral("title"), pair.title},
                      {QStringLiteral("runs"), runs},
                      {QStringLiteral("comparison"), comparison},
                      {QStringLiteral("all_claims_hold"), allPassed}};
        out << QJsonDocument(o).toJson(QJsonDocument::Indented);
    } else {
        for (int i = 0; i < 2; ++i) {
            out << (i == 0 ? "A: " : "B: ") << pair.sides[i].label << "\n";
            printReport(reports[i], false, options.report, out);
        }
        const auto line = [&](const char *name, double a, double b) {
            out << "  " << name << ": " << (std::isnan(a) ? QStringLiteral("-") : QString::number(a, 'g', 6)) << " | "
                << (std::isnan(b) ? QStringLiteral("-") : QString::number(b, 'g', 6)) << "\n";
        };
        out << "\ncompared (A | B):\n";
        line("max threads (process)", figures[0].maxThreads, figures[1].maxThreads);
        line("max resident MiB", figures[0].maxResidentMiB, figures[1].maxResidentMiB);
        line("completions/s", figures[0].completionsPerS, figures[1].completionsPerS);
        line("callback latency p50 us", figures[0].latencyP50Us, figures[1].latencyP50Us);
        line("callback latency p99 us", figures[0].latencyP99Us, figures[1].latencyP99Us);
        line("max pending ops", figures[0].maxPendingOps, figures[1].maxPendingOps);
        const QJsonObject d = comparison[QStringLiteral("disturbance")].toObject();
        if (d[QStringLiteral("exceeds_10_percent")].toBool())
            out << "  note: running together changed completions/s by up to " << qRound(d[QStringLiteral("largest_change")].toDouble() * 100)
                << "% against each alone: the two runs share the machine's cores\n";
    }
    if (interrupted) {
        err << "interrupted by " << (signal == SIGINT ? "SIGINT" : "SIGTERM") << "\n";
        return 128 + signal;
    }
    for (int i = 0; i < 2; ++i)
        if (!together.failures[i].isEmpty()) {
            err << "error: " << pair.sides[i].label << ": the run cannot be trusted: " << together.failures[i] << "\n";
            return 3;
        }
    return allPassed ? 0 : 1;
}

} // namespace porthole::app
