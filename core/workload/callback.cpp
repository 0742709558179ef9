#include "workload/callback.h"

namespace porthole::workload {

void burnCpu(std::chrono::microseconds duration)
{
    const auto until = std::chrono::steady_clock::now() + duration;
    while (std::chrono::steady_clock::now() < until) {
    }
}

void runCallback(const CallbackBehavior &behavior, std::uint64_t sequence, CallbackContext &context)
{
    const auto stretch = [&](auto d) {
        return std::chrono::duration_cast<std::chrono::microseconds>(d * context.slowMotion());
    };
    const auto work = stretch(behavior.cpuWork);
    if (behavior.offloadToWorker)
        context.offload([work] { burnCpu(work); }, stretch(behavior.offloadBlockFor));
    else if (work.count() > 0)
        burnCpu(work);
    if (behavior.blockEvery > 0 && sequence % behavior.blockEvery == 0 && behavior.blockFor.count() > 0) {
        const auto blockFor = stretch(behavior.blockFor);
        if (behavior.blockKind == CallbackBehavior::Block::Sleep)
            context.sleepBlocking(blockFor);
        else
            context.waitOnWorker([blockFor] { burnCpu(std::min(blockFor, std::chrono::microseconds(1000))); });
    }
}

} // namespace porthole::workload
