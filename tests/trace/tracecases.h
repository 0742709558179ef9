#pragma once

// Cases of the trace layer, shared by the Linux Qt Test suites (tst_threadring, tst_tracefile) and
// the plain Windows executables run under Wine (tests/windows).

#include "caseresult.h"
#include "trace/collector.h"
#include "trace/recorder.h"
#include "trace/tracefile.h"

#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace porthole::testing {

#define TRACE_CHECK(condition, why)                                                                                                \
    do {                                                                                                                           \
        if (!(condition))                                                                                                          \
            return fail(std::string(why) + " [" #condition "]");                                                \
    } while (false)

// A small trace with every field used, each in range; the committed file tests/trace/data/sample.porthole
// holds it (format 2: with the vocabulary, strings and a scenario).
inline trace::Trace sampleTrace()
{
    using namespace trace;
    Trace t;
    t.threads = {{0, 101, ThreadRole::IoCompletion, "io 1"}, {1, 102, ThreadRole::Worker, "worker \"one\""}};
    t.droppedEvents = 7;
    t.strings = {"void porthole::runtime::WorkerPool::workerLoop()", "io_cqring_wait"};
    t.scenarioJson = "{\"id\": \"sample\", \"title\": \"A sample\"}";
    constexpr std::uint64_t Types = std::uint64_t(EventType::KernelState); // the types the committed file holds
    for (std::uint64_t i = 0; i < 100; ++i) {
        Event e{1000 + i * 10, std::uint32_t(i % 2), EventType(1 + i % Types), std::uint8_t(i), std::uint16_t(i * 3), i, ~i};
        switch (e.type) {
        case EventType::ThreadCreated: e.small = std::uint8_t(i % (std::uint64_t(ThreadRole::Last) + 1)); break;
        case EventType::ThreadState: e.small = std::uint8_t(i % 4); break; // states every later vocabulary still has
        case EventType::StackPush: e.id = i % t.strings.size(); [[fallthrough]];
        case EventType::StackPop: e.aux = std::uint16_t(i % 16); break; // ids every later vocabulary still has
        case EventType::QueueSample: e.small = std::uint8_t(i % (std::uint64_t(QueueKind::Last) + 1)); break;
        case EventType::Observed: e.aux = std::uint16_t(i % 16); break;
        case EventType::KernelState: e.id = (i % t.strings.size()) | (std::uint64_t(427) << 32); break;
        default: break;
        }
        t.events.push_back(e);
    }
    return t;
}

// sameBuild: both written by this build, so their vocabularies match too (a committed file keeps the
// frame table of the build that wrote it: its names are its own, and loading maps nothing by them).
inline std::string sameTrace(const trace::Trace &a, const trace::Trace &b, bool sameBuild = true)
{
    if (a.droppedEvents != b.droppedEvents || a.threads.size() != b.threads.size() || a.events.size() != b.events.size())
        return "counts differ";
    for (std::size_t i = 0; i < a.threads.size(); ++i)
        if (a.threads[i].name != b.threads[i].name || a.threads[i].osThreadId != b.threads[i].osThreadId || a.threads[i].role != b.threads[i].role)
            return "thread " + std::to_string(i) + " differs";
    if (std::memcmp(a.events.data(), b.events.data(), a.events.size() * sizeof(trace::Event)) != 0)
        return "events differ";
    if (a.strings != b.strings || a.scenarioJson != b.scenarioJson)
        return "strings or scenario differ";
    if (a.vocabulary.metrics != b.vocabulary.metrics || a.vocabulary.roles != b.vocabulary.roles
        || (sameBuild && a.vocabulary.frames.size() != b.vocabulary.frames.size()))
        return "vocabulary differs";
    for (std::size_t i = 0; sameBuild && i < a.vocabulary.frames.size(); ++i)
        if (a.vocabulary.frames[i].dotnetName != b.vocabulary.frames[i].dotnetName || a.vocabulary.frames[i].version != b.vocabulary.frames[i].version)
            return "frame " + std::to_string(i) + "'s name differs";
    return {};
}

// Several writers, a collector draining concurrently: every event arrives once, untorn, in order per thread.
inline CaseResult manyWritersNothingLostBelowCapacity()
{
    using namespace trace;
    TraceRecorder recorder;
    TraceStore store;
    constexpr int Writers = 4;
    constexpr std::uint64_t PerWriter = 200000;
    {
        Collector collector(recorder, store, std::chrono::milliseconds(1));
        std::vector<std::thread> threads;
        for (int w = 0; w < Writers; ++w) {
            threads.emplace_back([&, w] {
                recorder.attachCurrentThread("writer " + std::to_string(w), ThreadRole::Worker, ThreadReason::Startup,
                                             TraceRecorder::DefaultRingEvents);
                for (std::uint64_t i = 0; i < PerWriter; ++i) {
                    // Stay below capacity: bursts of a quarter ring, each after the collector emptied it.
                    if (i % (TraceRecorder::DefaultRingEvents / 4) == 0)
                        while (!detail::t_slot.ring->isEmpty())
                            std::this_thread::yield();
                    record(EventType::OpSubmitted, 0, std::uint16_t(w), i, i * 3 + std::uint64_t(w));
                }
                recorder.detachCurrentThread(ThreadReason::Shutdown);
            });
        }
        for (auto &t : threads)
            t.join();
        collector.stop();
    }
    TRACE_CHECK(recorder.droppedEvents() == 0, "events were dropped");
    const std::vector<Event> events = store.copyEvents();
    std::vector<std::uint64_t> next(recorder.threads().size(), 0);
    std::size_t submitted = 0;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const Event &e = events[i];
        TRACE_CHECK(i == 0 || events[i - 1].timeNs <= e.timeNs, "out of time order at " + std::to_string(i));
        if (e.type != EventType::OpSubmitted)
            continue;
        ++submitted;
        TRACE_CHECK(e.id == next[e.thread], "a thread's events skipped or reordered"); // per-thread order kept
        TRACE_CHECK(e.value == e.id * 3 + e.aux, "a torn event");
        ++next[e.thread];
    }
    TRACE_CHECK(submitted == std::size_t(Writers) * PerWriter, "events: " + std::to_string(submitted));
    TRACE_CHECK(recorder.ringBytes() == 0, "rings of exited threads are freed once drained");
    return {};
}

// Nobody drains: the ring fills, further events are dropped and counted, the writer never blocks.
inline CaseResult fullRingDropsAndCounts()
{
    using namespace trace;
    TraceRecorder recorder;
    std::thread writer([&] {
        recorder.attachCurrentThread("writer", ThreadRole::Worker, ThreadReason::Startup, 64);
        for (int i = 0; i < 1000; ++i)
            record(EventType::Post, 0, 0, std::uint64_t(i), 0);
        recorder.detachCurrentThread(ThreadReason::Shutdown);
    });
    writer.join();
    std::vector<Event> out;
    recorder.drain(out);
    TRACE_CHECK(out.size() == 64, "kept: " + std::to_string(out.size()));
    // 1 created + 1000 posts + 1 exited were offered; 64 fit.
    TRACE_CHECK(recorder.droppedEvents() == 1002 - 64, "dropped: " + std::to_string(recorder.droppedEvents()));
    TRACE_CHECK(out.front().type == EventType::ThreadCreated, "the first event is not the thread's creation");
    TRACE_CHECK(out.back().id == 62, "the first 63 posts did not make it in order");
    return {};
}

// Saved and loaded back, a trace is the same, byte for byte.
inline CaseResult fileRoundTrip()
{
    trace::Trace original = sampleTrace();
    // Every event type this build writes, beyond the committed file's: a pause and its resume.
    const std::uint64_t last = original.events.back().timeNs;
    original.events.push_back({last + 10, 0, trace::EventType::RunControl, std::uint8_t(trace::RunAction::Paused), 0, 0, 0});
    original.events.push_back({last + 20, 0, trace::EventType::RunControl, std::uint8_t(trace::RunAction::Resumed), 0, 0, 0});
    const std::filesystem::path path = std::filesystem::temp_directory_path() / ("porthole-roundtrip-" + std::to_string(std::rand()) + ".porthole");
    const std::string saved = trace::saveTrace(original, path.string());
    TRACE_CHECK(saved.empty(), saved);
    const trace::TraceLoadResult loaded = trace::loadTrace(path.string());
    std::filesystem::remove(path);
    TRACE_CHECK(loaded.trace, loaded.error);
    const std::string difference = sameTrace(*loaded.trace, original);
    TRACE_CHECK(difference.empty(), difference);
    return {};
}

// A trace file from another platform (the committed sample, written on Linux) loads the same here.
inline CaseResult committedFileLoads(const std::string &path)
{
    const trace::TraceLoadResult loaded = trace::loadTrace(path);
    TRACE_CHECK(loaded.trace, loaded.error);
    const std::string difference = sameTrace(*loaded.trace, sampleTrace(), false);
    TRACE_CHECK(difference.empty(), difference);
    return {};
}

#undef TRACE_CHECK

} // namespace porthole::testing
