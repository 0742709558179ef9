// fold_ns: one event of a real flood's trace taken into the window's model (StateModel::append: the state,
// the timeline's lanes and graphs, the checkpoints, the model's own copy of the event), against copying the
// same events into a plain array. The live window folds new events for what its views leave of each
// frame (FramePacer, 2 to 8 ms): this says how many events that is, and how far a flood can go before the window falls behind.

#include "ratioreporter.h"

#include "model/statemodel.h"
#include "scenario/builtins.h"
#include "scenario/runner.h"

#include <chrono>
#include <memory>
#include <thread>

namespace {

using namespace porthole;

constexpr std::size_t FoldEvents = 3'000'000; // more than the ~2 M a model keeps in memory: its spill is measured too

// The events of scenarios/flood.json, recorded once for every repetition.
const std::vector<trace::Event> &floodEvents()
{
    static const std::vector<trace::Event> events = [] {
        scenario::ScenarioLoad load = scenario::loadScenario(QStringLiteral(PORTHOLE_SOURCE_DIR "/scenarios/flood.json"));
        if (!load.scenario)
            qFatal("scenarios/flood.json: %s", qPrintable(load.errors.join(QLatin1Char('\n'))));
        scenario::Runner runner(*load.scenario);
        if (const QString why = runner.start(); !why.isEmpty())
            qFatal("flood: %s", qPrintable(why));
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (runner.eventsSince(FoldEvents, 0, 1).empty() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(50)); // a setup, not a measurement
        runner.stop();
        return runner.eventsSince(0, 0, FoldEvents);
    }();
    return events;
}

// Each iteration takes every event into a fresh model; the time reported is per event.
void BM_FoldFlood(benchmark::State &state)
{
    const std::vector<trace::Event> &events = floodEvents();
    for (auto _ : state) {
        auto model = std::make_unique<model::StateModel>();
        model->reset({});
        const auto start = std::chrono::steady_clock::now();
        model->append(events);
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        benchmark::DoNotOptimize(model->latest().dequeued);
        state.SetIterationTime(took.count() / double(events.size()));
    }
    state.counters["events"] = double(events.size());
}
BENCHMARK(BM_FoldFlood)->UseManualTime()->Iterations(2);

void BM_CopyFlood(benchmark::State &state)
{
    const std::vector<trace::Event> &events = floodEvents();
    std::vector<trace::Event> plain(events.size());
    for (auto _ : state) {
        const auto start = std::chrono::steady_clock::now();
        std::copy(events.begin(), events.end(), plain.begin());
        benchmark::DoNotOptimize(plain.back());
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        state.SetIterationTime(took.count() / double(events.size()));
    }
}
BENCHMARK(BM_CopyFlood)->UseManualTime()->Iterations(2);

[[maybe_unused]] const bool registered = [] {
    bench::registerComparison({"fold_ns", "BM_FoldFlood/iterations:2/manual_time", "BM_CopyFlood/iterations:2/manual_time", "",
                               "ns/event", {}, {"events"}});
    return true;
}();

} // namespace
