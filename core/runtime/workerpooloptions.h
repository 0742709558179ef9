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
    // .NET 6+ cooperative blocking (PortableThreadPool.Blocking.cs): a worker blocked in Task.Wait
    // raises the target to min + blocked; the first `processors` threads above min come at once,
    // then one per delay, 25 ms more for every `processors` threads, at most 250 ms.
    bool cooperativeBlocking = true;
    std::chrono::milliseconds blockingDelayStep{25};  // BlockingConfig.DelayStepMs
    std::chrono::milliseconds blockingMaxDelay{250};  // BlockingConfig.MaxDelayMs
    std::string threadName = ".NET TP Worker";
};

} // namespace porthole::runtime
