#pragma once

// The five models' factories and the choices they share. Only runtime/*.cpp include this.

#include "runtime/runtime.h"

namespace porthole::runtime {

std::unique_ptr<Runtime> makeLegacyIocpRuntime(const RuntimeOptions &options, trace::TraceRecorder &recorder);
std::unique_ptr<Runtime> makePollerRuntime(const RuntimeOptions &options, trace::TraceRecorder &recorder);
std::unique_ptr<Runtime> makeEpollRuntime(const RuntimeOptions &options, trace::TraceRecorder &recorder);
std::unique_ptr<Runtime> makeRawUringRuntime(const RuntimeOptions &options, trace::TraceRecorder &recorder);
std::unique_ptr<Runtime> makeThreadPerSocketRuntime(const RuntimeOptions &options, trace::TraceRecorder &recorder);

inline bool needsPort(RuntimeKind kind)
{
    return kind == RuntimeKind::LegacyIocp || kind == RuntimeKind::DotNetPollers || kind == RuntimeKind::RawUring;
}

inline unsigned processorCount() { return std::max(1u, std::thread::hardware_concurrency()); }

// This process's CPU use between two readings, as a share of every processor (0..1): the legacy
// pool's "CPU under 80%" test.
class ProcessCpuMeter
{
public:
    ProcessCpuMeter();
    double utilizationSinceLast();

private:
    std::chrono::nanoseconds m_cpu;
    std::chrono::steady_clock::time_point m_wall;
};

// .NET 7+: (ProcessorCount - 1) / ProcessorsPerIOPollerThread (12) + 1 pollers (FACTS §2).
inline unsigned pollerCountFor(const RuntimeOptions &options)
{
    return options.pollers ? options.pollers : (processorCount() - 1) / 12 + 1;
}

inline unsigned portConcurrencyFor(const RuntimeOptions &options)
{
    if (options.portConcurrency)
        return options.portConcurrency;
    switch (options.kind) {
    case RuntimeKind::DotNetPollers: return pollerCountFor(options); // concurrency = pollers per port
    case RuntimeKind::RawUring: return 1;
    default: return processorCount(); // the legacy pool's GlobalCompletionPort: NumberOfProcessors
    }
}

} // namespace porthole::runtime
