#pragma once

#include <chrono>

namespace porthole::workload {

// What a scenario's callback does with each completion.
struct CallbackBehavior {
    enum class Block { Sleep, SyncOverAsync };
    std::chrono::microseconds cpuWork{0};   // busy work on the calling thread
    unsigned blockEvery = 0;                // every k-th callback blocks; 0 = never
    std::chrono::milliseconds blockFor{0};
    Block blockKind = Block::Sleep;         // Thread.Sleep, or Task.Wait on work given to a worker
    bool offloadToWorker = false;           // hand the CPU work to a worker instead
    std::chrono::milliseconds offloadBlockFor{0}; // and the work item then sleeps this long (Thread.Sleep) on the worker
};


} // namespace porthole::workload
