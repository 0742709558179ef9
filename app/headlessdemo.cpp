#include "headlessdemo.h"

#include "engine/completionport.h"
#include "engine/descriptorlimit.h"
#include "engine/threadinspector.h"
#include "trace/chrometrace.h"
#include "trace/collector.h"
#include "trace/tracefile.h"
#include "workload/peerhost.h"

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

namespace porthole::app {

namespace {

using namespace std::chrono_literals;

std::string describeWait(const engine::KernelThreadView &view)
{
    std::string text = std::string("state ") + view.state;
    text += view.wchan.empty() ? std::string(", not sleeping") : ", sleeping in " + view.wchan;
    if (view.syscall)
        text += ", syscall " + std::to_string(*view.syscall) + (*view.syscall == 426 ? " (io_uring_enter)" : "");
    return text;
}

bool hasSuffix(const std::string &text, const std::string &suffix)
{
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

} // namespace

int runHeadlessDemo(const DemoOptions &options, std::ostream &out, std::ostream &err)
{
    const engine::KernelFeatures features = engine::probeKernel();
    out << "Porthole headless demo: one thread, " << options.sockets << " pending reads\n";
    out << "kernel " << features.kernelRelease << "\n";
    for (const std::string &line : features.explain())
        out << "  note: " << line << "\n";

    const engine::DescriptorLimit limit = engine::raiseDescriptorLimit();
    out << "descriptor limit " << limit.soft << " (hard " << limit.hard << "), " << limit.open << " open\n";

    trace::TraceRecorder recorder;
    trace::TraceStore store;
    trace::Collector collector(recorder, store);
    recorder.attachCurrentThread("main", trace::ThreadRole::Other, trace::ThreadReason::Startup);

    workload::PeerHost peers;
    if (std::string why = peers.start(options.sockets); !why.empty()) {
        err << "error: " << why << "\n";
        recorder.detachCurrentThread(trace::ThreadReason::Shutdown);
        return 2;
    }
    std::string error;
    auto port = engine::CompletionPort::create(engine::PortOptions{}, error);
    if (!port) {
        err << "error: " << error << "\n";
        recorder.detachCurrentThread(trace::ThreadReason::Shutdown);
        return 2;
    }
    if (!port->fallbackNotice().empty())
        out << "  note: " << port->fallbackNotice() << "\n";

    const std::size_t threadsBefore = engine::ThreadInspector::threadCount();
    const auto &fds = peers.localFds(); // emptied by peers.stop(): the count is kept apart
    const std::size_t socketCount = fds.size();
    for (std::size_t i = 0; i < fds.size(); ++i) {
        port->associate(fds[i], i);
        if (std::int64_t rc = port->recv(fds[i], i); rc < 0) {
            err << "error: recv on socket " << i << " failed: " << std::strerror(int(-rc)) << "\n";
            return 2;
        }
    }
    const engine::PortStats armed = port->stats();
    out << "\n1. Submitted " << fds.size() << " receives on idle sockets.\n"
        << "   pending operations: " << armed.pendingOps << "\n"
        << "   threads in this process: " << threadsBefore << " before, " << engine::ThreadInspector::threadCount()
        << " now\n"
        << "   kernel io-wq workers (iou-wrk): " << engine::ThreadInspector::ioWorkers().size() << "\n"
        << "   engine memory per pending receive: " << port->memoryBytes() / std::max<std::size_t>(1, fds.size())
        << " bytes (buffers are taken only when data arrives)\n";

    std::atomic<std::int32_t> servingTid{0};
    std::atomic<std::size_t> completed{0};
    std::atomic<std::size_t> bytes{0};
    std::thread serving([&] {
        recorder.attachCurrentThread("serving thread", trace::ThreadRole::IoCompletion, trace::ThreadReason::Startup);
        servingTid = engine::ThreadInspector::currentThreadId();
        engine::Completion batch[256];
        engine::DequeueStatus status = engine::DequeueStatus::Ok;
        while (completed < fds.size()) {
            const std::size_t n = port->dequeueBatch(batch, -1ms, status);
            if (status == engine::DequeueStatus::Closed)
                break;
            for (std::size_t i = 0; i < n; ++i) {
                trace::record(trace::EventType::CallbackBegin, 0, 0, batch[i].opId, 0);
                bytes += std::size_t(std::max<std::int64_t>(0, batch[i].result));
                port->recycle(batch[i]);
                trace::record(trace::EventType::CallbackEnd, 0, 0, batch[i].opId, 0);
            }
            completed += n;
        }
        recorder.detachCurrentThread(trace::ThreadReason::Shutdown);
    });

    // Wait until the serving thread sleeps in the kernel, then ask the kernel where it sleeps.
    engine::KernelThreadView view;
    for (int i = 0; i < 200; ++i) {
        if (servingTid && !(view = engine::ThreadInspector::inspect(servingTid)).wchan.empty())
            break;
        std::this_thread::sleep_for(10ms);
    }
    out << "\n2. One thread waits for completions (tid " << servingTid << "): " << describeWait(view) << "\n";
    for (const std::string &why : view.unreadable)
        out << "   (could not read " << why << ")\n";

    const auto start = std::chrono::steady_clock::now();
    peers.sendToAll(1);
    while (completed < fds.size() && std::chrono::steady_clock::now() - start < 30s)
        std::this_thread::sleep_for(1ms);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out << "\n3. The peer process wrote one byte to every socket.\n"
        << "   completions: " << completed << " of " << fds.size() << " in " << seconds * 1000 << " ms ("
        << std::size_t(double(completed) / seconds) << "/s), " << bytes << " bytes, all on one thread\n";

    port->close();
    serving.join();
    port.reset();
    peers.stop();
    recorder.detachCurrentThread(trace::ThreadReason::Shutdown);
    collector.stop();
    out << "\n4. Closed the port and the sockets: " << engine::countOpenDescriptors() << " descriptors open (" << limit.open
        << " at start), " << engine::ThreadInspector::threadCount() << " threads.\n";

    const trace::Trace trace = store.snapshot(recorder);
    out << "   trace: " << trace.events.size() << " events from " << trace.threads.size() << " threads, "
        << trace.droppedEvents << " dropped\n";
    if (!options.exportTrace.empty()) {
        const std::string why = hasSuffix(options.exportTrace, ".json") ? trace::saveChromeTrace(trace, options.exportTrace)
                                                                       : trace::saveTrace(trace, options.exportTrace);
        if (!why.empty()) {
            err << "error: " << why << "\n";
            return 2;
        }
        out << "   saved " << options.exportTrace << "\n";
    }
    return completed == socketCount ? 0 : 1;
}

} // namespace porthole::app
