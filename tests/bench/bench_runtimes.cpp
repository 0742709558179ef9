// thread_per_socket_vs_port: the same sockets and traffic served by one thread per socket (blocked
// in recv) and by one thread on the completion port (raw io_uring loop), at 1,000 and 9,000
// sockets: completions per second and resident memory added by the runtime's threads.

#include "ratioreporter.h"
#include "sharedpeers.h"

#include "runtime/runtime.h"
#include "workload/peerhost.h"

#include <fstream>
#include <thread>
#include <unistd.h>

namespace {

using namespace porthole;
using namespace std::chrono_literals;

std::size_t residentBytes()
{
    std::ifstream statm("/proc/self/statm");
    std::size_t pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * std::size_t(::sysconf(_SC_PAGESIZE));
}

void serve(benchmark::State &state, runtime::RuntimeKind kind)
{
    const auto sockets = std::size_t(state.range(0));
    bench::SharedPeers::release(); // the engine benchmarks' farm: no room for both under the descriptor limit
    workload::PeerHost peers;
    if (std::string why = peers.start(sockets); !why.empty()) {
        state.SkipWithError(why.c_str());
        return;
    }
    trace::TraceRecorder recorder; // tracing on, as in the app; nobody drains: full rings drop and count
    runtime::RuntimeOptions options;
    options.kind = kind;
    options.workers.minThreads = 1;
    std::string error;
    const std::size_t before = residentBytes();
    auto rt = runtime::Runtime::create(options, recorder, error);
    if (!rt || !(error = rt->start(peers.localFds())).empty()) {
        state.SkipWithError(error.c_str());
        return;
    }
    if (kind == runtime::RuntimeKind::ThreadPerSocket)
        while (rt->counters().aliveOf(trace::ThreadRole::Other) < sockets)
            std::this_thread::sleep_for(1ms);
    const std::size_t resident = residentBytes() - before;
    std::uint64_t done = 0;
    for (auto _ : state) {
        peers.sendToAll(1);
        done += sockets;
        while (rt->counters().callbacks.load() < done)
            std::this_thread::yield();
    }
    state.counters["completions_per_s"] = benchmark::Counter(double(done), benchmark::Counter::kIsRate);
    state.counters["resident_MB"] = double(resident) / 1e6;
    rt->stop();
}

void BM_ThreadPerSocket(benchmark::State &state) { serve(state, runtime::RuntimeKind::ThreadPerSocket); }
void BM_PortOneThread(benchmark::State &state) { serve(state, runtime::RuntimeKind::RawUring); }
BENCHMARK(BM_ThreadPerSocket)->Arg(1000)->Arg(9000)->Iterations(20)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PortOneThread)->Arg(1000)->Arg(9000)->Iterations(20)->UseRealTime()->Unit(benchmark::kMillisecond);

[[maybe_unused]] const bool registered = [] {
    for (const char *n : {"1000", "9000"}) {
        const std::string suffix = std::string("/") + n + "/iterations:20/real_time";
        bench::registerComparison({std::string("thread_per_socket_vs_port_") + n, "BM_ThreadPerSocket" + suffix,
                                   "BM_PortOneThread" + suffix, "completions_per_s", "completions/s"});
        bench::registerComparison({std::string("thread_per_socket_vs_port_memory_") + n, "BM_ThreadPerSocket" + suffix,
                                   "BM_PortOneThread" + suffix, "resident_MB", "MB resident"});
    }
    return true;
}();

} // namespace
