#pragma once

#include <chrono>
#include <string>

namespace porthole::runtime {

struct WorkerPoolOptions {
    unsigned minThreads = 0; // 0 = one per processor, as Environment.ProcessorCount
    unsigned maxThreads = 32767;
    std::chrono::milliseconds gatePeriod{500};   // GateActivitiesPeriodMs
    std::chrono::milliseconds idleTimeout{20000}; // ThreadPoolThreadTimeoutMs
    bool legacyFrames = false; // .NET Framework: PerformWaitCallback instead of WorkerThreadStart
    std::string threadName = ".NET TP Worker";
};

} // namespace porthole::runtime
