#include "clicommands.h"
#include "comparecommand.h"
#include "scenario/pairs.h"
#include "clitrace.h"
#include "headlessdemo.h"
#include "windowcommand.h"
#include "scenario/builtins.h"

#include <QApplication>
#include <QFileInfo>
#include <QIcon>
#include <QCommandLineParser>

#include <iostream>
#include <memory>

namespace {

int usageError(QTextStream &err, const QString &message)
{
    err << "error: " << message << "\nSee 'porthole --help'.\n";
    return 2;
}

} // namespace

// The window opens for "porthole" alone and for "run X" without --headless; everything else is headless.
bool wantsWindow(int argc, char *argv[])
{
    QString command;
    bool headless = false;
    for (int i = 1; i < argc; ++i) {
        const QString arg = QString::fromLocal8Bit(argv[i]);
        if (arg == QLatin1String("--headless") || arg == QLatin1String("--list-scenarios") || arg == QLatin1String("--help")
            || arg == QLatin1String("-h") || arg == QLatin1String("--version") || arg == QLatin1String("-v"))
            headless = true;
        else if (!arg.startsWith(QLatin1Char('-')) && command.isEmpty())
            command = arg;
    }
    // "porthole FILE" (a double-click in a file manager): a trace replays, a scenario runs, in the window.
    const bool file = !command.isEmpty() && QFileInfo(command).isFile();
    return !headless && (command.isEmpty() || command == QLatin1String("run") || command == QLatin1String("compare") || file);
}

int main(int argc, char *argv[])
{
    std::unique_ptr<QCoreApplication> application;
    const bool window = wantsWindow(argc, argv);
    if (window && qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
        && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        std::cerr << "error: there is no display to open the window on.\n"
                     "Run without one: 'porthole run SCENARIO --headless --report', or 'porthole demo';\n"
                     "or start the window under a virtual display: 'xvfb-run porthole'.\n";
        return 2;
    }
    bool drawsPictures = false; // --export-timeline draws with widgets, even without a window
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        drawsPictures |= arg.startsWith("--export-timeline") || arg.startsWith("--timeline") || arg.startsWith("--window");
    }
    if (drawsPictures && !window && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    if (window || drawsPictures) {
        application = std::make_unique<QApplication>(argc, argv);
        QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/porthole.svg")));
        QApplication::setDesktopFileName(QStringLiteral("io.porthole.Porthole"));
    }
    else
        application = std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication &app = *application;
    QCoreApplication::setOrganizationName(QStringLiteral("porthole"));
    QCoreApplication::setApplicationName(QStringLiteral("porthole"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PORTHOLE_VERSION));
    QTextStream out(stdout);
    QTextStream err(stderr);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Porthole: watch asynchronous I/O happen on a real io_uring engine.\n\n"
        "Commands:\n"
        "  porthole                      open the window on the default scenario (there-is-no-thread)\n"
        "  porthole run SCENARIO|FILE    open the window and run that scenario\n"
        "  porthole demo [--sockets N]   the headless demo: one thread, thousands of pending reads\n"
        "  porthole --list-scenarios     the built-in scenarios, one per line, id first\n"
        "  porthole check FILE           validate a scenario file (exit 0, or 2 with the errors)\n"
        "  porthole run SCENARIO|FILE --headless [--runtime R] [--duration S] [--speed X] [--report] [--json]\n"
        "                                [--export-trace F.porthole|F.json] [--export-metrics F.csv]\n"
        "                                [--export-timeline F.png|F.svg|F.pdf [--size WxH] [--scale X] [--range FROM:TO]]\n"
        "                                run without a window; exit 1 when a claim fails, 2 for bad input, 3 when the\n"
        "                                run cannot be trusted (its socket helper died), 130 / 143 on SIGINT / SIGTERM\n"
        "                                (the report and exports then hold what was recorded)\n"
        "  porthole replay TRACE.porthole [--json] [--report]\n"
        "                                re-check the recorded scenario's claims from the trace alone (exit as run)\n"
        "  porthole export TRACE.porthole [--timeline F.png|F.svg|F.pdf] [--window F.png --at S] [--chrome F.json]\n"
        "                                [--metrics F.csv] [--size WxH] [--scale X] [--range FROM:TO]\n"
        "                                pictures and files of a saved run, without running it again\n"
        "  porthole compare PAIR | A B | SCENARIO --runtimes R1,R2\n"
        "                                two runs side by side on one time axis, each in a process of its own\n"
        "                                (the built-in pairs: ") + porthole::scenario::builtinPairIds().join(QStringLiteral(", ")) + QStringLiteral(")\n"
        "  porthole compare ... --headless [--duration S] [--json] [--report] [--no-alone]\n"
        "                                [--export-trace F.porthole] [--export-timeline F.png|F.svg|F.pdf]\n"
        "                                both runs, then each alone (how much they disturb each other); exit as run\n"
        "  porthole [run X] --presenter [--theme light|dark|high-contrast]\n"
        "                                the window full screen, larger, with the keys on screen (F5 toggles)"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption list(QStringLiteral("list-scenarios"), QStringLiteral("List the built-in scenarios."));
    const QCommandLineOption headless(QStringLiteral("headless"), QStringLiteral("Run without a window."));
    const QCommandLineOption duration(QStringLiteral("duration"), QStringLiteral("Seconds to run (default: the scenario's duration_s)."),
                                      QStringLiteral("S"));
    const QCommandLineOption speed(QStringLiteral("speed"), QStringLiteral("Slow-motion factor, 0.1 to 1000 (default 1: real time)."),
                                   QStringLiteral("X"), QStringLiteral("1"));
    const QCommandLineOption report(QStringLiteral("report"), QStringLiteral("Print each claim and the key metrics."));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print one JSON object with the metrics and claims."));
    const QCommandLineOption exportTrace(QStringLiteral("export-trace"),
                                         QStringLiteral("Save the trace: F.porthole (Porthole's format) or F.json (Chrome Trace "
                                                        "Event JSON, for Perfetto)."),
                                         QStringLiteral("F"));
    const QCommandLineOption exportTimeline(QStringLiteral("export-timeline"),
                                            QStringLiteral("Save the timeline of the run as F.png, F.svg or F.pdf."),
                                            QStringLiteral("F"));
    const QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Size of the exported timeline (default 1600x900)."),
                                  QStringLiteral("WxH"), QStringLiteral("1600x900"));
    const QCommandLineOption range(QStringLiteral("range"), QStringLiteral("Seconds of the run the exported timeline shows (default: all)."),
                                   QStringLiteral("FROM:TO"));
    const QCommandLineOption scale(QStringLiteral("scale"),
                                   QStringLiteral("PNG timeline: pixels per layout pixel, 1 to 4 (2: high DPI, --size 1920x1080 gives 3840x2160)."),
                                   QStringLiteral("X"), QStringLiteral("1"));
    const QCommandLineOption exportMetrics(QStringLiteral("export-metrics"), QStringLiteral("Save every metric of every sample as F.csv."),
                                           QStringLiteral("F"));
    const QCommandLineOption presenter(QStringLiteral("presenter"), QStringLiteral("Window: presenter mode (full screen, larger, keys shown)."));
    const QCommandLineOption theme(QStringLiteral("theme"), QStringLiteral("Window: light, dark or high-contrast (default: as last used)."),
                                   QStringLiteral("NAME"));
    const QCommandLineOption sockets(QStringLiteral("sockets"), QStringLiteral("Demo only: sockets with a pending read (1 to 19000)."),
                                     QStringLiteral("N"), QStringLiteral("10000"));
    const QCommandLineOption timeline(QStringLiteral("timeline"), QStringLiteral("Export: the timeline as F.png, F.svg or F.pdf."), QStringLiteral("F"));
    const QCommandLineOption windowPicture(QStringLiteral("window"), QStringLiteral("Export: the whole window as F.png, with the cursor at --at."),
                                           QStringLiteral("F"));
    const QCommandLineOption at(QStringLiteral("at"), QStringLiteral("Export --window: seconds from the start (default: the end)."), QStringLiteral("S"));
    const QCommandLineOption chrome(QStringLiteral("chrome"), QStringLiteral("Export: Chrome Trace Event JSON (Perfetto) as F.json."), QStringLiteral("F"));
    const QCommandLineOption metrics(QStringLiteral("metrics"), QStringLiteral("Export: every metric of every sample as F.csv."), QStringLiteral("F"));
    const QCommandLineOption pauseAt(QStringLiteral("pause-at"),
                                     QStringLiteral("Headless run: pause S seconds in (the runtime's clocks, timers and traffic stop)."),
                                     QStringLiteral("S"));
    const QCommandLineOption pauseFor(QStringLiteral("pause-for"), QStringLiteral("Headless run: how long the --pause-at pause lasts (default 1)."),
                                      QStringLiteral("S"), QStringLiteral("1"));
    const QCommandLineOption slide(QStringLiteral("slide"),
                                   QStringLiteral("Timeline pictures for a slide: text for the back row, the lesson's claim as subtitle, "
                                                  "the claims marked where the run showed them (use with --size 1920x1080)."));
    const QCommandLineOption runtimes(QStringLiteral("runtimes"), QStringLiteral("Compare: one scenario under two runtimes, e.g. legacy-iocp,dotnet7-pollers."),
                                      QStringLiteral("R1,R2"));
    const QCommandLineOption runtimeOption(QStringLiteral("runtime"),
                                           QStringLiteral("Run: instead of the scenario's runtime, e.g. dotnet-real or mono-real (a real .NET runtime, observed)."),
                                           QStringLiteral("R"));
    const QCommandLineOption noAlone(QStringLiteral("no-alone"), QStringLiteral("Compare --headless: skip running each alone afterwards."));
    QCommandLineOption stream(QStringLiteral("stream"), QStringLiteral("Run --headless for another Porthole: the run stream on stdout."));
    stream.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOptions({runtimes, runtimeOption, noAlone, stream});
    parser.addOptions({pauseAt, pauseFor, slide, list, headless, duration, speed, report, json, exportTrace, exportTimeline, size, scale, range, exportMetrics, presenter, theme, sockets,
                       timeline, windowPicture, at, chrome, metrics});
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("run, check, replay, export or demo (default: open the window)."));
    parser.process(app);

    if (parser.isSet(list))
        return porthole::app::listScenarios(out);
    const QStringList args = parser.positionalArguments();
    if (window) {
        if (parser.isSet(theme) && parser.value(theme).isEmpty())
            return usageError(err, QStringLiteral("--theme takes light, dark or high-contrast"));
        porthole::app::WindowOptions options;
        options.args = args;
        options.theme = parser.value(theme);
        options.presenter = parser.isSet(presenter);
        if (parser.isSet(runtimes))
            options.runtimes = parser.value(runtimes).split(QLatin1Char(','));
        if (parser.isSet(duration))
            options.durationS = parser.value(duration).toDouble();
        options.runtime = parser.value(runtimeOption);
        return porthole::app::openWindow(app, options, err);
    }
    const QString command = args.value(0, QStringLiteral("demo"));

    if (command == QLatin1String("check")) {
        if (args.size() != 2)
            return usageError(err, QStringLiteral("'porthole check' takes one scenario file"));
        return porthole::app::checkScenario(args[1], out, err);
    }
    // --size, --scale and --range, shared by run and export. An empty string: all good.
    QSize pictureSize;
    double pixelRatio = 1, rangeFromS = -1, rangeToS = -1;
    const auto readPictureOptions = [&]() -> QString {
        bool ok = false;
        pixelRatio = parser.value(scale).toDouble(&ok);
        if (!ok || !(pixelRatio >= 1 && pixelRatio <= 4))
            return QStringLiteral("--scale takes a factor from 1 to 4, not '%1'").arg(parser.value(scale));
        if (parser.isSet(range)) {
            const QStringList fromTo = parser.value(range).split(QLatin1Char(':'));
            bool fromOk = false, toOk = false;
            if (fromTo.size() == 2) {
                rangeFromS = fromTo[0].toDouble(&fromOk);
                rangeToS = fromTo[1].toDouble(&toOk);
            }
            if (!fromOk || !toOk || !(rangeFromS >= 0 && rangeToS > rangeFromS && rangeToS <= 1e6))
                return QStringLiteral("--range takes FROM:TO in seconds with 0 <= FROM < TO, e.g. 1:2.5, not '%1'").arg(parser.value(range));
        }
        const QStringList wh = parser.value(size).split(QLatin1Char('x'));
        bool wOk = false, hOk = false;
        if (wh.size() == 2)
            pictureSize = QSize(wh[0].toInt(&wOk), wh[1].toInt(&hOk));
        if (!wOk || !hOk || pictureSize.width() < 320 || pictureSize.height() < 200 || pictureSize.width() > 8192 || pictureSize.height() > 8192)
            return QStringLiteral("--size takes WIDTHxHEIGHT in pixels, each from 320x200 to 8192x8192, e.g. 1920x1080, not '%1'").arg(parser.value(size));
        return {};
    };
    if (command == QLatin1String("replay")) {
        if (args.size() != 2)
            return usageError(err, QStringLiteral("'porthole replay' takes one trace file (.porthole)"));
        return porthole::app::replayTrace(args[1], parser.isSet(json), parser.isSet(report), out, err);
    }
    if (command == QLatin1String("export")) {
        if (args.size() != 2)
            return usageError(err, QStringLiteral("'porthole export' takes one trace file (.porthole)"));
        for (const QCommandLineOption *o : {&timeline, &windowPicture, &chrome, &metrics})
            if (parser.isSet(*o) && parser.value(*o).isEmpty())
                return usageError(err, QStringLiteral("--%1 needs a file name").arg(o->names().constFirst()));
        if (const QString why = readPictureOptions(); !why.isEmpty())
            return usageError(err, why);
        porthole::app::ExportOptions options;
        options.trace = args[1];
        options.timeline = parser.value(timeline);
        options.window = parser.value(windowPicture);
        options.chrome = parser.value(chrome);
        options.metrics = parser.value(metrics);
        options.size = pictureSize;
        options.pixelRatio = pixelRatio;
        options.rangeFromS = rangeFromS;
        options.rangeToS = rangeToS;
        options.slide = parser.isSet(slide);
        if (options.slide && options.timeline.isEmpty())
            return usageError(err, QStringLiteral("--slide styles the timeline picture: it goes with --timeline F"));
        if (parser.isSet(at)) {
            bool ok = false;
            options.atS = parser.value(at).toDouble(&ok);
            if (!ok || !(options.atS >= 0 && options.atS <= 1e6))
                return usageError(err, QStringLiteral("--at takes seconds from the start, 0 or more, not '%1'").arg(parser.value(at)));
        }
        return porthole::app::exportTrace(options, out, err);
    }
    // An option the command does not use is a mistake the user should hear about, not silence.
    const auto unused = [&](std::initializer_list<const QCommandLineOption *> options, const QString &why) -> QString {
        for (const QCommandLineOption *o : options)
            if (parser.isSet(*o))
                return QStringLiteral("--%1 %2").arg(o->names().constFirst(), why);
        return {};
    };
    if (command == QLatin1String("compare")) {
        if (const QString why = unused({&theme, &presenter}, QStringLiteral("is for the window; a --headless comparison has none")); !why.isEmpty())
            return usageError(err, why);
        if (const QString why = unused({&sockets, &timeline, &windowPicture, &at, &chrome, &metrics, &exportMetrics, &pauseAt, &pauseFor, &speed},
                                       QStringLiteral("is not an option of 'porthole compare'")); !why.isEmpty())
            return usageError(err, why);
        porthole::app::CompareOptions options;
        options.names = args.mid(1);
        if (parser.isSet(runtimes))
            options.runtimes = parser.value(runtimes).split(QLatin1Char(','));
        if (parser.isSet(duration)) {
            bool ok = false;
            options.durationS = parser.value(duration).toDouble(&ok);
            if (!ok || !(options.durationS >= 0.1 && options.durationS <= 3600))
                return usageError(err, QStringLiteral("--duration takes seconds from 0.1 to 3600, not '%1'").arg(parser.value(duration)));
        }
        options.json = parser.isSet(json);
        options.report = parser.isSet(report);
        options.alone = !parser.isSet(noAlone);
        options.exportTrace = parser.value(exportTrace);
        options.exportTimeline = parser.value(exportTimeline);
        if (const QString why = readPictureOptions(); !why.isEmpty())
            return usageError(err, why);
        options.timelineSize = pictureSize;
        options.pixelRatio = pixelRatio;
        options.rangeFromS = rangeFromS;
        options.rangeToS = rangeToS;
        options.slide = parser.isSet(slide);
        return porthole::app::compareHeadless(options, out, err);
    }
    if (command == QLatin1String("run")) {
        if (args.size() != 2)
            return usageError(err, QStringLiteral("'porthole run' takes one scenario: a built-in id (see --list-scenarios) or a file"));
        if (const QString why = unused({&theme, &presenter}, QStringLiteral("is for the window; a --headless run has none")); !why.isEmpty())
            return usageError(err, why);
        if (const QString why = unused({&sockets}, QStringLiteral("is for 'porthole demo'; a scenario sets its sockets (\"sockets\": {\"count\": N})")); !why.isEmpty())
            return usageError(err, why);
        if (const QString why = unused({&timeline, &windowPicture, &at, &chrome, &metrics},
                                       QStringLiteral("is for 'porthole export'; a run takes --export-timeline, --export-trace, --export-metrics"));
            !why.isEmpty())
            return usageError(err, why);
        for (const QCommandLineOption *o : {&exportTrace, &exportTimeline, &exportMetrics})
            if (parser.isSet(*o) && parser.value(*o).isEmpty())
                return usageError(err, QStringLiteral("--%1 needs a file name").arg(o->names().constFirst()));
        porthole::app::RunOptions options;
        options.scenario = args[1];
        bool ok = true;
        if (parser.isSet(duration)) {
            options.durationS = parser.value(duration).toDouble(&ok);
            if (!ok || !(options.durationS >= 0.1 && options.durationS <= 3600)) // NaN fails too
                return usageError(err, QStringLiteral("--duration takes seconds from 0.1 to 3600, not '%1'").arg(parser.value(duration)));
        }
        options.speed = parser.value(speed).toDouble(&ok);
        if (!ok || !(options.speed >= 0.1 && options.speed <= 1000))
            return usageError(err, QStringLiteral("--speed takes a factor from 0.1 to 1000, not '%1'").arg(parser.value(speed)));
        if (parser.isSet(pauseAt)) {
            options.pauseAtS = parser.value(pauseAt).toDouble(&ok);
            if (!ok || !(options.pauseAtS >= 0 && options.pauseAtS <= 3600))
                return usageError(err, QStringLiteral("--pause-at takes seconds from 0 to 3600, not '%1'").arg(parser.value(pauseAt)));
            options.pauseForS = parser.value(pauseFor).toDouble(&ok);
            if (!ok || !(options.pauseForS >= 0.05 && options.pauseForS <= 3600))
                return usageError(err, QStringLiteral("--pause-for takes seconds from 0.05 to 3600, not '%1'").arg(parser.value(pauseFor)));
        } else if (parser.isSet(pauseFor)) {
            return usageError(err, QStringLiteral("--pause-for goes with --pause-at (when the pause starts)"));
        }
        options.report = parser.isSet(report);
        options.json = parser.isSet(json);
        options.exportTrace = parser.value(exportTrace);
        options.exportTimeline = parser.value(exportTimeline);
        options.exportMetrics = parser.value(exportMetrics);
        if (const QString why = readPictureOptions(); !why.isEmpty())
            return usageError(err, why);
        options.pixelRatio = pixelRatio;
        options.rangeFromS = rangeFromS;
        options.rangeToS = rangeToS;
        options.timelineSize = pictureSize;
        options.slide = parser.isSet(slide);
        if (options.slide && options.exportTimeline.isEmpty())
            return usageError(err, QStringLiteral("--slide styles the timeline picture: it goes with --export-timeline F"));
        options.stream = parser.isSet(stream);
        options.runtime = parser.value(runtimeOption);
        return porthole::app::runScenarioHeadless(options, out, err);
    }
    if (command != QLatin1String("demo"))
        return usageError(err, QStringLiteral("unknown command '%1'; the commands are run, check, replay, export and demo").arg(command));

    bool ok = false;
    const qulonglong count = parser.value(sockets).toULongLong(&ok);
    if (!ok || count < 1 || count > 19000)
        return usageError(err, QStringLiteral("--sockets takes a whole number from 1 to 19000, not '%1'").arg(parser.value(sockets)));
    porthole::app::DemoOptions options;
    options.sockets = count;
    options.exportTrace = parser.value(exportTrace).toStdString();
    return porthole::app::runHeadlessDemo(options, std::cout, std::cerr);
}
