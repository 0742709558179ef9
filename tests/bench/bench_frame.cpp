// frame_ms (frame_ms_100m): one frame of the machine view and the timeline with a 10-million-event
// (100-million-event) trace and 10,000 sockets, painted offscreen, against painting empty widgets of the
// same size.
// bytes_per_event: the resident memory the window's session holds per event of that trace, against a
// plain array of the same events (32 bytes each).

#include "apart.h"
#include "benchapplication.h"
#include "ratioreporter.h"

#include "machineview.h"
#include "session.h"
#include "timelineview.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>

#include <cstdio>
#include <fstream>
#include <malloc.h>
#include <memory>
#include <sys/mman.h>
#include <unistd.h>

namespace {

using namespace porthole;
using trace::Event;
using trace::EventType;

using bench::application;

// A raw io_uring loop's trace: 10,000 sockets, receives submitted, reaped, dequeued, called back.
trace::Trace bigTrace(std::size_t events, std::size_t sockets)
{
    trace::Trace t;
    t.threads = {{0, 1, trace::ThreadRole::EventLoop, "io_uring loop"}, {1, 2, trace::ThreadRole::Gate, "gate"},
                 {2, 3, trace::ThreadRole::Other, "driver"}};
    t.events.reserve(events);
    std::uint64_t now = 1'000'000'000;
    for (std::uint32_t th = 0; th < 3; ++th)
        t.events.push_back({now++, th, EventType::ThreadCreated, std::uint8_t(t.threads[th].role), 0, 0, 0});
    std::uint64_t op = 1;
    for (std::size_t i = 0; i < sockets; ++i, ++op)
        t.events.push_back({now += 100, 0, EventType::OpSubmitted, 0, std::uint16_t(trace::OpKind::Recv), op, 100 + i});
    std::uint64_t next = 1;
    while (t.events.size() + 8 <= events) {
        const std::uint64_t id = next++;
        const std::uint64_t fd = 100 + (id - 1) % sockets;
        t.events.push_back({now += 150, 0, EventType::ThreadState, std::uint8_t(trace::ThreadState::Running), 0, 0, 0});
        t.events.push_back({now += 50, 0, EventType::OpCompleted, 0, std::uint16_t(trace::OpKind::Recv), id, 1});
        t.events.push_back({now += 20, 0, EventType::QueueSample, std::uint8_t(trace::QueueKind::PortQueue), 0, 0, 1});
        t.events.push_back({now += 20, 0, EventType::OpDequeued, 0, std::uint16_t(trace::OpKind::Recv), id, fd});
        t.events.push_back({now += 20, 0, EventType::CallbackBegin, 0, 0, id, 0});
        t.events.push_back({now += 200, 0, EventType::CallbackEnd, 0, 0, id, 0});
        t.events.push_back({now += 20, 0, EventType::OpSubmitted, 0, std::uint16_t(trace::OpKind::Recv), op++, fd});
        t.events.push_back({now += 20, 0, EventType::ThreadState, std::uint8_t(trace::ThreadState::WaitingInPort), 0, 0, 0});
    }
    return t;
}

// This process's resident memory (/proc/self/statm).
double residentBytes()
{
    std::ifstream statm("/proc/self/statm");
    double pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * double(::sysconf(_SC_PAGESIZE));
}

constexpr std::size_t BigTraceEvents = 10'000'000;
constexpr std::size_t HugeTraceEvents = 100'000'000;

struct Frame {
    ui::Session session;
    ui::MachineView machine{session};
    ui::TimelineView timeline{session};
    QImage image{1600, 760, QImage::Format_ARGB32_Premultiplied};

    Frame()
    {
        machine.resize(1600, 420);
        timeline.resize(1600, 340);
    }
    void paint()
    {
        QPainter p(&image);
        machine.render(&p);
        timeline.render(&p, QPoint(0, 420));
    }
};

// One frame of a trace of `events` events, loaded once (loading is not what a frame costs); the first
// load also measures the resident bytes it added per event.
void paintFrames(benchmark::State &state, Frame &frame, double &bytesPerEvent, std::size_t events)
{
    if (frame.session.model().eventCount() == 0) {
        frame.paint(); // the image's pages, fonts, glyphs: what an empty window holds too, not per event
        // Free heap pages go back first: the 100-million-event trace of a repetition before may have left
        // gigabytes of them resident, and the trace would fill them without growing the process.
        malloc_trim(0);
        const double before = residentBytes();
        frame.session.loadTrace(bigTrace(events, 10'000)); // the trace's own array is the session's now
        frame.paint();
        // What the window holds once its spill writer has caught up with the load (the session's timer
        // hands it the old chunks, and maps them when written), not how far behind the writer was.
        QElapsedTimer waited;
        waited.start();
        while (frame.session.model().events().spillsPending() && waited.elapsed() < 300'000)
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 100);
        const bool caughtUp = !frame.session.model().events().spillsPending();
        std::fprintf(stderr, "%zu events loaded; the spill writer %s %.1f s after\n", events,
                     caughtUp ? "caught up" : "had still not caught up (measured as it is)", double(waited.elapsed()) / 1000);
        bytesPerEvent = (residentBytes() - before) / double(frame.session.model().eventCount());
    }
    for (auto _ : state) {
        frame.session.followLive(); // what the frame timer does: refresh the views...
        QCoreApplication::processEvents(); // ...whose queued replot runs here...
        frame.paint();                     // ...then paint
    }
    state.counters["events"] = double(frame.session.model().eventCount());
    state.counters["sockets"] = double(frame.session.cursorState().sockets.size());
    state.counters["bytes_per_event"] = bytesPerEvent;
}

// The frames of one trace size, loaded at the first repetition; after the last the session goes, so the
// benchmarks run after it (random interleaving) measure their own work, not a process that still holds the
// trace (2.7 GB resident at 100 M events) and writes back its spill file.
struct LoadedFrames {
    std::unique_ptr<Frame> frame;
    double bytesPerEvent = 0;
    int runs = 0;

    void run(benchmark::State &state, std::size_t events)
    {
        application(); // before the widgets
        if (!frame)
            frame = std::make_unique<Frame>();
        paintFrames(state, *frame, bytesPerEvent, events);
        if (++runs == bench::repetitionsAsked())
            frame.reset();
    }
};

void BM_FrameBigTrace(benchmark::State &state)
{
    static LoadedFrames frames;
    frames.run(state, BigTraceEvents);
}
BENCHMARK(BM_FrameBigTrace)->Iterations(30)->UseRealTime()->Unit(benchmark::kMillisecond);

// 100 million events: 3.2 GB of events built in memory, then loaded (about a minute); once loaded the window
// keeps ~7 bytes an event resident, the events themselves in its spill file (see trace::EventLog).
void BM_FrameHugeTrace(benchmark::State &state)
{
    static LoadedFrames frames;
    frames.run(state, HugeTraceEvents);
}
BENCHMARK(BM_FrameHugeTrace)->Iterations(30)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_FrameEmpty(benchmark::State &state)
{
    application();
    QWidget top, bottom;
    top.resize(1600, 420);
    bottom.resize(1600, 340);
    QImage image(1600, 760, QImage::Format_ARGB32_Premultiplied);
    for (auto _ : state) {
        QPainter p(&image);
        top.render(&p);
        bottom.render(&p, QPoint(0, 420));
    }
}
BENCHMARK(BM_FrameEmpty)->Iterations(30)->UseRealTime()->Unit(benchmark::kMillisecond);

// The floor: the events alone, in one array, every page touched.
void BM_PlainEventsMemory(benchmark::State &state)
{
    // Pages of their own (mmap), not the heap's: the heap may hand back pages a benchmark before this one
    // made resident and freed, and then the array would seem to cost nothing.
    const std::size_t bytes = BigTraceEvents * sizeof(Event);
    for (auto _ : state) {
        const double before = residentBytes();
        void *pages = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (pages == MAP_FAILED) {
            state.SkipWithError("cannot map the plain array");
            return;
        }
        auto *events = static_cast<Event *>(pages);
        for (std::size_t i = 0; i < BigTraceEvents; i += 64) // every page written once
            events[i].timeNs = i;
        benchmark::DoNotOptimize(events);
        state.counters["bytes_per_event"] = (residentBytes() - before) / double(BigTraceEvents);
        munmap(pages, bytes);
    }
}
BENCHMARK(BM_PlainEventsMemory)->Iterations(1);

[[maybe_unused]] const bool registered = [] {
    bench::runGroupLast("BM_FrameHugeTrace"); // 4 GB, given back when its process ends
    bench::registerComparison({"frame_ms", "BM_FrameBigTrace/iterations:30/real_time", "BM_FrameEmpty/iterations:30/real_time",
                               "", "ms/frame"});
    bench::registerComparison({"frame_ms_100m", "BM_FrameHugeTrace/iterations:30/real_time", "BM_FrameEmpty/iterations:30/real_time",
                               "", "ms/frame"});
    bench::registerComparison({"bytes_per_event", "BM_FrameBigTrace/iterations:30/real_time", "BM_PlainEventsMemory/iterations:1",
                               "bytes_per_event", "bytes/event"});
    return true;
}();

} // namespace
