// live_ingest: the flood scenario (two threads posting to one port at full speed, one io_uring loop
// taking the posts) run live in the window's session, the machine view and the timeline painted
// every 16 ms: the events per second the session takes in, against the same flood with no window (the
// runner alone), in the same process, interleaved. Counters: dropped events; the frames (the session's
// frame timer taking new events into the model, then painting), their median, 95th percentile and
// slowest, and how many took over 16 ms; how many events the views were behind the run at its end.

#include "benchapplication.h"
#include "ratioreporter.h"

#include "machineview.h"
#include "session.h"
#include "timelineview.h"

#include "scenario/builtins.h"
#include "scenario/runner.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>

#include <algorithm>
#include <thread>

namespace {

using namespace porthole;

constexpr double FloodSeconds = 2;

using bench::application;

scenario::Scenario flood()
{
    scenario::ScenarioLoad load = scenario::loadScenario(QStringLiteral(PORTHOLE_SOURCE_DIR "/scenarios/flood.json"));
    if (!load.scenario)
        qFatal("scenarios/flood.json: %s", qPrintable(load.errors.join(QLatin1Char('\n'))));
    load.scenario->durationS = FloodSeconds + 5; // the bench ends it
    return *load.scenario;
}

void BM_IngestLive(benchmark::State &state)
{
    application();
    for (auto _ : state) {
        ui::Session session;
        ui::MachineView machine(session);
        ui::TimelineView timeline(session);
        machine.resize(1600, 420);
        timeline.resize(1600, 340);
        QImage image(1600, 760, QImage::Format_ARGB32_Premultiplied);
        session.start(flood());
        QElapsedTimer clock;
        clock.start();
        while ((session.isStarting() || !session.isRunning()) && clock.elapsed() < 10'000)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        clock.restart();
        std::vector<double> frames;
        bool pulled = false; // the session's frame timer took new events into the model
        QObject::connect(&session, &ui::Session::frame, [&pulled] { pulled = true; });
        while (clock.elapsed() < qint64(FloodSeconds * 1000)) {
            // A frame as the window has it: the session's timer pulls, then the views paint.
            const qint64 frameStart = clock.nsecsElapsed();
            pulled = false;
            QCoreApplication::processEvents();
            if (!pulled) {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
                continue;
            }
            QPainter p(&image);
            machine.render(&p);
            timeline.render(&p, QPoint(0, 420));
            p.end();
            frames.push_back(double(clock.nsecsElapsed() - frameStart) / 1e6);
        }
        const double seconds = double(clock.nsecsElapsed()) / 1e9;
        // How far the views are behind the run when it ends: the 100 ms they stay behind, a frame's
        // worth, and whatever a flood outran them by (it waits while a frame leaves events behind).
        const double behind = double(session.trace().events.size() - session.model().eventCount());
        session.pullNow();
        const double events = double(session.model().eventCount());
        const double dropped = double(session.droppedEvents());
        session.stop();
        std::sort(frames.begin(), frames.end());
        state.counters["events_per_s"] = events / seconds;
        state.counters["dropped"] = dropped;
        state.counters["frame_ms_max"] = frames.empty() ? 0 : frames.back();
        state.counters["frame_ms_p50"] = frames.empty() ? 0 : frames[frames.size() / 2];
        state.counters["frame_ms_p95"] = frames.empty() ? 0 : frames[frames.size() * 95 / 100];
        state.counters["frames_over_16ms"] = double(frames.end() - std::upper_bound(frames.begin(), frames.end(), 16.0));
        state.counters["frames"] = double(frames.size());
        state.counters["view_behind_events"] = behind;
    }
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

[[maybe_unused]] const bool registered = [] {
    bench::registerComparison({"live_ingest", "BM_IngestLive/iterations:1/real_time", "BM_IngestHeadless/iterations:1/real_time",
                               "events_per_s", "events/s", {"dropped", "frame_ms_max", "frames_over_16ms", "view_behind_events"}, {"frame_ms_p50", "frame_ms_p95", "frames"}});
    return true;
}();

} // namespace
