#pragma once

// What a scenario chooses of a runtime: plain values, so a scenario (and the window) holds them
// without the engine's headers.

#include "engine/portoptions.h"
#include "runtime/workerpooloptions.h"
#include "workload/callbackbehavior.h"

#include <chrono>
#include <functional>
#include <optional>
#include <string_view>

namespace porthole::engine {
struct Completion;
}

namespace porthole::runtime {

// Who runs a completion's callback: the five models Porthole compares.
enum class RuntimeKind {
    LegacyIocp,      // .NET Framework; Windows up to .NET 6: I/O completion threads run callbacks inline
    DotNetPollers,   // .NET 7+ on Windows: a few pollers queue every callback to the workers
    DotNetLinux,     // .NET on Linux: one epoll thread queues work to the workers
    RawUring,        // one thread per ring, callbacks inline
    ThreadPerSocket, // one thread blocked in recv per socket: the 1-to-1-to-1 baseline
};
std::string_view runtimeKindName(RuntimeKind kind); // the scenario files' spelling
std::optional<RuntimeKind> runtimeKindFromName(std::string_view name);
bool needsPortFor(RuntimeKind kind); // the models built on a completion port

// ThreadPool.SetMinThreads / SetMaxThreads while running: each field, when set, is a new value.
struct ThreadLimits {
    std::optional<unsigned> workerMin, workerMax, ioMin, ioMax;
    bool empty() const { return !workerMin && !workerMax && !ioMin && !ioMax; }
};

struct RuntimeOptions {
    RuntimeKind kind = RuntimeKind::RawUring;
    unsigned ioMinThreads = 0;    // legacy: MinLimitTotalCPThreads; 0 = one per processor
    unsigned ioMaxThreads = 1000; // legacy: MaxLimitTotalCPThreads
    unsigned ioStartThreads = 1;  // legacy: I/O threads there at start (as if earlier load had grown the pool)
    unsigned pollers = 0;         // .NET 7+: 0 = (ProcessorCount - 1) / 12 + 1
    unsigned portConcurrency = 0; // 0 = the model's own choice
    WorkerPoolOptions workers;
    std::chrono::milliseconds ioGatePeriod{500}; // legacy GATE_THREAD_DELAY
    workload::CallbackBehavior callback;
    engine::PortOptions port;
    // Called with every packet before its callback, on the thread that runs it (for tests and probes).
    std::function<void(const engine::Completion &)> onPacket;
};

} // namespace porthole::runtime
