#pragma once

#include "runtime/runtime.h"
#include "trace/recorder.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace porthole::scenario {

// Porthole's observer, on its own thread (never the GUI thread). Every period it records as trace
// events what it reads: the metrics only the port, the pool or /proc can tell (Observed) and a
// SampleTick that closes the interpreter's row; every fourth period, each thread's kernel state,
// wait channel, syscall and CPU time (KernelState, only when changed) and the iou-wrk threads that
// appeared or left (ThreadCreated / ThreadExited about them).
class Sampler
{
public:
    static constexpr std::chrono::milliseconds Period{50}; // Runner::SamplePeriod
    static constexpr int KernelEvery = 4;                // kernel states every 200 ms
    static constexpr std::size_t KernelReadsPerRound = 512; // /proc reads per round: with thousands of threads, round-robin

    struct Setup {
        trace::TraceRecorder *recorder = nullptr;
        runtime::Runtime *runtime = nullptr;
        std::size_t baselineThreads = 0; // the process's threads before the run
        std::size_t ownThreads = 0;      // Porthole's threads the run added (sampler, driver, traffic, submitter)
        std::chrono::steady_clock::time_point start;
    };

    explicit Sampler(Setup setup);
    ~Sampler();
    void stop(); // takes one last sample first

private:
    void run();
    void sample(double timeS);
    void observeKernel();
    void observeKernelWorkers();
    void observe(trace::Metric metric, double value);

    const Setup m_setup;
    std::uint32_t m_self = 0; // the sampler's own trace number
    std::unordered_map<std::int32_t, std::uint32_t> m_kernelWorkers; // tid -> trace number; only the sampler thread
    struct Seen {
        char state = 0;
        std::uint32_t wchan = 0;
        std::int64_t syscall = -1;
        std::uint64_t cpuNs = 0;
    };
    std::unordered_map<std::uint32_t, Seen> m_seen; // trace number -> last recorded; only the sampler thread
    std::size_t m_nextKernelRead = 0;
    int m_round = 0;

    std::mutex m_mutex; // guards m_stopping
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace porthole::scenario
