// trace_record_ns: one event recorded on the hot path, against a plain store of the same record.
// trace_record_vs_clock: the same, against reading the clock alone (the time stamp every event takes:
// rdtsc on x86-64), the floor of any event that takes its own time stamp on this machine.
// trace_record_moment_ns: an event of a moment (trace::Moment), 16 events to one clock read, against the plain store.

#include "ratioreporter.h"

#include "trace/recorder.h"

#include <memory>
#include <string>

namespace {

using namespace porthole::trace;

// Events to one clock read: one look at the CQ that takes 15 CQEs (the port peeks up to 64 at a time). Over a
// whole serving loop the engine reads the clock once per ~3 events (engine_vs_raw_uring's events_per_clock_read):
// each re-armed receive stamps its own OpSubmitted.
constexpr std::int64_t MomentGroup = 16;

// Records events on a traced thread, one per iteration (`recordOne(i)`), draining the ring as the collector
// would, outside the measurement.
template<typename RecordOne>
void recordEvents(benchmark::State &state, RecordOne recordOne)
{
    TraceRecorder recorder;
    recorder.attachCurrentThread("bench", ThreadRole::Other, ThreadReason::Startup, TraceRecorder::DefaultRingEvents);
    std::vector<Event> sink;
    sink.reserve(TraceRecorder::DefaultRingEvents);
    std::uint64_t i = 0;
    for (auto _ : state) {
        recordOne(i);
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

void BM_TraceRecord(benchmark::State &state)
{
    recordEvents(state, [](std::uint64_t i) { record(EventType::OpCompleted, 0, 1, i, i); });
}
// A fixed count: google-benchmark 1.7 with random interleaving can pick a different count for each
// repetition of a benchmark that chooses its own, and then aborts computing the statistics
// (statistics.cc: run_iterations == run.iterations).
constexpr benchmark::IterationCount Events = 20'000'000;

BENCHMARK(BM_TraceRecord)->Iterations(Events);

// The same event, recorded in a moment of `range(0)` events that share one clock read (trace::Moment: the
// CQEs of one look at the completion queue). The clock read is counted, one per group.
void BM_TraceRecordMoment(benchmark::State &state)
{
    const auto group = std::uint64_t(state.range(0));
    std::uint64_t left = 0;
    Moment moment;
    recordEvents(state, [&](std::uint64_t i) {
        if (left-- == 0) { // a count down, not i % group: a division would cost more than the event
            moment = Moment();
            left = group - 1;
        }
        moment.record(EventType::OpCompleted, 0, 1, i, i);
    });
}
BENCHMARK(BM_TraceRecordMoment)->Arg(MomentGroup)->Iterations(Events);

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
BENCHMARK(BM_PlainStore)->Iterations(Events);

void BM_ClockRead(benchmark::State &state)
{
    for (auto _ : state)
        benchmark::DoNotOptimize(detail::ticks());
}
BENCHMARK(BM_ClockRead)->Iterations(Events);

[[maybe_unused]] const bool registered = [] {
    const std::string fixed = "/iterations:" + std::to_string(Events);
    porthole::bench::registerComparison({"trace_record_ns", "BM_TraceRecord" + fixed, "BM_PlainStore" + fixed, "", "ns/event"});
    porthole::bench::registerComparison(
        {"trace_record_moment_ns", "BM_TraceRecordMoment/" + std::to_string(MomentGroup) + fixed, "BM_PlainStore" + fixed, "", "ns/event"});
    porthole::bench::registerComparison({"trace_record_vs_clock", "BM_TraceRecord" + fixed, "BM_ClockRead" + fixed, "", "ns/event"});
    return true;
}();

} // namespace
