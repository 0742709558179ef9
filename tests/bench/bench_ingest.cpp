// live_ingest: the flood scenario (two threads posting to one port at full speed, one io_uring loop
// taking the posts) run live in the window's session, the machine view and the timeline shown
// (offscreen) and painted every frame: the events per second the session takes in, against the same
// flood with no window (the runner alone), in the same process, interleaved. Counters: dropped events;
// the frames (the GUI thread's work from one tick of the session's frame timer to the next: new events
// into the model, then the views' refresh, replot and painting), their median, 95th percentile and
// slowest, and how many took over 16 ms; the most time one frame ran on a processor (a frame slower than
// that waited for one); how many events the views were behind the run at its end; the
// process's peak resident memory; and how much memory the machine's kernel handed back to its host
// meanwhile (host_reported_mb, on a virtual machine with free page reporting): a page handed back costs
// the host a fault when it is used again, charged to whatever thread touches it, as its own CPU time.
// BM_LiveLong, only with PORTHOLE_LIVE_LONG=<scenario file>[:seconds] (and PORTHOLE_LIVE_RATE=<messages/s>):
// the same counters for a long live run.

#include "benchapplication.h"
#include "ratioreporter.h"

#include "machineview.h"
#include "session.h"
#include "timelineview.h"

#include "scenario/builtins.h"
#include "scenario/runner.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QTimer>

#include <algorithm>
#include <thread>

#include <unistd.h>

namespace {

using namespace porthole;

constexpr double FloodSeconds = 2;

using bench::application;

scenario::Scenario loadFile(const QString &path, double seconds)
{
    scenario::ScenarioLoad load = scenario::loadScenario(path);
    if (!load.scenario)
        qFatal("%s: %s", qPrintable(path), qPrintable(load.errors.join(QLatin1Char('\n'))));
    load.scenario->durationS = seconds + 5; // the bench ends it
    return *load.scenario;
}

scenario::Scenario flood() { return loadFile(QStringLiteral(PORTHOLE_SOURCE_DIR "/scenarios/flood.json"), FloodSeconds); }

double residentMegabytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields[1].toDouble() * double(getpagesize()) / 1e6 : 0;
}

// What the kernel's free page reporting (virtio-balloon) has handed back to the host so far, in MB; 0
// where the kernel does not report. A frame that touches such pages waits for the host to fault them
// back in, and the wait counts as the window thread's CPU time.
double hostReportedMegabytes()
{
    QFile reported(QStringLiteral("/sys/module/page_reporting/parameters/reported_kib"));
    if (!reported.open(QIODevice::ReadOnly))
        return 0;
    return reported.readAll().trimmed().toDouble() / 1024;
}

// A scenario run live in the window's session for `seconds`, its views shown (offscreen) and painted.
void runLive(benchmark::State &state, const scenario::Scenario &scenario, double seconds)
{
    bench::BenchApplication &app = application();
    ui::Session session;
    ui::MachineView machine(session);
    ui::TimelineView timeline(session);
    // Shown (offscreen): they replot and paint as in the window, on the session's frames.
    machine.resize(1600, 420);
    timeline.resize(1600, 340);
    machine.show();
    timeline.show();
    session.start(scenario);
    QElapsedTimer clock;
    clock.start();
    while ((session.isStarting() || !session.isRunning()) && clock.elapsed() < 60'000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    // A frame as the window has it: the session's timer folds new events, the views refresh,
    // replot and paint. Its time: the GUI thread's work from one tick of the frame timer to the
    // next. Session::frame is emitted within the tick's handling, which the app counts when it ends.
    std::vector<double> frames;
    double mostOnProcessorMs = 0; // of one frame
    qint64 tickBusyNs = -1, tickCpuNs = 0; // the work handled before the last tick
    double peakMegabytes = 0;
    const auto measured = QObject::connect(&session, &ui::Session::frame, [&] {
        if (tickBusyNs >= 0) {
            frames.push_back(double(app.busyNs() - tickBusyNs) / 1e6);
            mostOnProcessorMs = std::max(mostOnProcessorMs, double(app.busyCpuNs() - tickCpuNs) / 1e6);
        }
        tickBusyNs = app.busyNs();
        tickCpuNs = app.busyCpuNs();
        if (frames.size() % 64 == 0)
            peakMegabytes = std::max(peakMegabytes, residentMegabytes());
    });
    const double reportedBefore = hostReportedMegabytes();
    clock.restart();
    QEventLoop loop;
    QTimer::singleShot(int(seconds * 1000), &loop, &QEventLoop::quit);
    loop.exec();
    QObject::disconnect(measured);
    const double reported = hostReportedMegabytes() - reportedBefore;
    const double elapsed = double(clock.nsecsElapsed()) / 1e9;
    // How far the views are behind the run when it ends: the 100 ms they stay behind, a frame's
    // worth, and whatever a flood outran them by (it waits while a frame leaves events behind). Not
    // for a long run: it copies the whole trace (hundreds of millions of events after ten minutes).
    const double behind = seconds > 60 ? 0 : double(session.trace().events.size() - session.model().eventCount());
    session.pullNow();
    const double events = double(session.model().eventCount());
    const double dropped = double(session.droppedEvents());
    session.stop();
    std::sort(frames.begin(), frames.end());
    state.counters["events_per_s"] = events / elapsed;
    state.counters["dropped"] = dropped;
    state.counters["frame_ms_max"] = frames.empty() ? 0 : frames.back();
    state.counters["frame_cpu_ms_max"] = mostOnProcessorMs;
    state.counters["frame_ms_p50"] = frames.empty() ? 0 : frames[frames.size() / 2];
    state.counters["frame_ms_p95"] = frames.empty() ? 0 : frames[frames.size() * 95 / 100];
    state.counters["frames_over_16ms"] = double(frames.end() - std::upper_bound(frames.begin(), frames.end(), 16.0));
    state.counters["frames"] = double(frames.size());
    state.counters["view_behind_events"] = behind;
    state.counters["resident_mb_peak"] = peakMegabytes;
    state.counters["host_reported_mb"] = reported;
}

void BM_IngestLive(benchmark::State &state)
{
    for (auto _ : state)
        runLive(state, flood(), FloodSeconds);
}
BENCHMARK(BM_IngestLive)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_IngestHeadless(benchmark::State &state)
{
    for (auto _ : state) {
        scenario::Runner runner(flood());
        if (const QString why = runner.start(); !why.isEmpty())
            qFatal("flood: %s", qPrintable(why));
        QElapsedTimer clock;
        clock.start();
        std::this_thread::sleep_for(std::chrono::milliseconds(qint64(FloodSeconds * 1000)));
        const double seconds = double(clock.nsecsElapsed()) / 1e9;
        const double events = double(runner.eventsSince(0, 0).size());
        state.counters["dropped"] = double(runner.droppedEvents());
        runner.stop();
        state.counters["events_per_s"] = events / seconds;
    }
}
BENCHMARK(BM_IngestHeadless)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);

// A long run, only when asked: PORTHOLE_LIVE_LONG=<scenario file>[:seconds] (600 by default), e.g.
// scenarios/one-thread-many-sockets.json at full traffic for ten minutes: frames and resident memory.
void BM_LiveLong(benchmark::State &state)
{
    const QStringList asked = qEnvironmentVariable("PORTHOLE_LIVE_LONG").split(QLatin1Char(':'));
    const double seconds = asked.size() > 1 ? asked[1].toDouble() : 600;
    scenario::Scenario scenario = loadFile(asked[0], seconds);
    if (const QByteArray rate = qgetenv("PORTHOLE_LIVE_RATE"); !rate.isEmpty())
        scenario.traffic.messagesPerSecond = rate.toDouble();
    for (auto _ : state)
        runLive(state, scenario, seconds);
}
[[maybe_unused]] const bool longRun = [] {
    if (qEnvironmentVariableIsSet("PORTHOLE_LIVE_LONG"))
        benchmark::RegisterBenchmark("BM_LiveLong", BM_LiveLong)->Iterations(1)->Repetitions(1)->UseRealTime()->Unit(benchmark::kSecond);
    return true;
}();

[[maybe_unused]] const bool registered = [] {
    bench::registerComparison({"live_ingest", "BM_IngestLive/iterations:1/real_time", "BM_IngestHeadless/iterations:1/real_time",
                               "events_per_s", "events/s", {"dropped", "frame_ms_max", "frames_over_16ms", "view_behind_events", "resident_mb_peak"}, {"frame_ms_p50", "frame_ms_p95", "frame_cpu_ms_max", "frames", "host_reported_mb"}});
    return true;
}();

} // namespace
