#pragma once

#include "workload/callbackbehavior.h"

#include <chrono>
#include <cstdint>
#include <functional>

namespace porthole::workload {

// What the runtime running a callback offers it. Blocking goes through here so the port and the
// pool know (the Windows kernel notices a blocked thread by itself; here the thread tells).
class CallbackContext
{
public:
    virtual ~CallbackContext() = default;
    virtual void sleepBlocking(std::chrono::microseconds duration) = 0;
    virtual void waitOnWorker(std::function<void()> work) = 0; // sync-over-async
    // Queues `work` to the worker pool (QueueUserWorkItem); the item then sleeps `blockFor` on its worker.
    virtual void offload(std::function<void()> work, std::chrono::microseconds blockFor) = 0;
    virtual double slowMotion() const = 0; // 1 = real time; 10 = ten times slower
};

void burnCpu(std::chrono::microseconds duration);
// Runs the behaviour for the sequence-th callback (1-based).
void runCallback(const CallbackBehavior &behavior, std::uint64_t sequence, CallbackContext &context);

} // namespace porthole::workload
