// trace_record_ns: one event recorded on the hot path, against a plain store of the same record.
// trace_record_vs_clock: the same, against reading the clock alone (the time stamp every event takes:
// rdtsc on x86-64), the floor of any traced event on this machine.

#include "ratioreporter.h"

#include "trace/recorder.h"

#include <memory>

namespace {

using namespace porthole::trace;

void BM_TraceRecord(benchmark::State &state)
{
    TraceRecorder recorder;
    recorder.attachCurrentThread("bench", ThreadRole::Other, ThreadReason::Startup, TraceRecorder::DefaultRingEvents);
    std::vector<Event> sink;
    sink.reserve(TraceRecorder::DefaultRingEvents);
    std::uint64_t i = 0;
    for (auto _ : state) {
        record(EventType::OpCompleted, 0, 1, i, i);
        if ((++i & 4095) == 0) { // the collector's job, kept out of the measurement
            state.PauseTiming();
            sink.clear();
            recorder.drain(sink);
            state.ResumeTiming();
        }
    }
    recorder.detachCurrentThread(ThreadReason::Shutdown);
    if (recorder.droppedEvents() != 0)
        state.SkipWithError("events were dropped: the measurement is of the wrong path");
}
BENCHMARK(BM_TraceRecord);

void BM_PlainStore(benchmark::State &state)
{
    constexpr std::size_t Size = TraceRecorder::DefaultRingEvents;
    auto slots = std::make_unique<Event[]>(Size);
    std::uint64_t i = 0;
    for (auto _ : state) {
        Event &e = slots[i & (Size - 1)];
        e = Event{i, 0, EventType::OpCompleted, 0, 1, i, i};
        benchmark::DoNotOptimize(e);
        ++i;
    }
}
BENCHMARK(BM_PlainStore);

void BM_ClockRead(benchmark::State &state)
{
    for (auto _ : state)
        benchmark::DoNotOptimize(detail::ticks());
}
BENCHMARK(BM_ClockRead);

[[maybe_unused]] const bool registered = [] {
    porthole::bench::registerComparison({"trace_record_ns", "BM_TraceRecord", "BM_PlainStore", "", "ns/event"});
    porthole::bench::registerComparison({"trace_record_vs_clock", "BM_TraceRecord", "BM_ClockRead", "", "ns/event"});
    return true;
}();

} // namespace
