#pragma once
// Helpers shared by the tests that check the models against real runtimes (tst_realdotnet, tst_realmono).

#include "runtime/dequeuegate.h"
#include "runtime/shadowstack.h"
#include "runtime/workerpool.h"
#include "trace/collector.h"
#include "trace/vocabulary.h"
#include "workload/runclock.h"

#include <QStringList>

#include <atomic>
#include <thread>
#include <vector>

namespace porthole::testing {

// The frames the worker pool model has on a work item's thread while the item runs, outermost first.
inline std::vector<runtime::FrameId> modelWorkItemFrames(bool legacyFrames)
{
    trace::TraceRecorder recorder;
    trace::TraceStore store;
    trace::Collector collector(recorder, store);
    runtime::WorkerPoolOptions options;
    options.legacyFrames = legacyFrames;
    runtime::DequeueGate gate;
    workload::RunClock clock;
    runtime::WorkerPool pool(options, recorder, gate, clock);
    std::vector<runtime::FrameId> frames;
    std::atomic<bool> ran{false};
    pool.queue({[&] {
        frames = runtime::ShadowStack::current();
        ran = true;
    }});
    while (!ran.load())
        std::this_thread::yield();
    pool.stop();
    collector.stop();
    return frames;
}

// A real runtime's "stack" line (innermost first, tab-separated) as frame ids, outermost first.
inline std::vector<runtime::FrameId> reportedFrames(const QString &stackLine)
{
    std::vector<runtime::FrameId> ids;
    const QStringList names = stackLine.mid(stackLine.indexOf(QLatin1Char(' ')) + 1).split(QLatin1Char('\t'));
    for (auto name = names.crbegin(); name != names.crend(); ++name)
        ids.push_back(trace::frameOfReportedName(name->toStdString()));
    return ids;
}

// The .NET names of the frames, outermost first, up to the first ThreadPoolWorkQueue.Dispatch.
inline QStringList namesToDispatch(const std::vector<runtime::FrameId> &frames)
{
    QStringList names;
    for (const runtime::FrameId f : frames) {
        names << QString::fromLatin1(trace::dotnetFrame(f).name);
        if (f == runtime::FrameId::Dispatch)
            break;
    }
    return names;
}

// The stack each callback of a trace began on (frame ids, outermost first), rebuilt from its pushes and pops.
inline std::vector<std::vector<std::uint16_t>> stacksAtCallbacks(const trace::Trace &t)
{
    std::vector<std::vector<std::uint16_t>> stacks(t.threads.size()), atBegin;
    for (const trace::Event &e : t.events) {
        if (e.thread >= stacks.size())
            continue;
        if (e.type == trace::EventType::StackPush)
            stacks[e.thread].push_back(e.aux);
        else if (e.type == trace::EventType::StackPop && !stacks[e.thread].empty())
            stacks[e.thread].pop_back();
        else if (e.type == trace::EventType::CallbackBegin)
            atBegin.push_back(stacks[e.thread]);
    }
    return atBegin;
}

} // namespace porthole::testing
