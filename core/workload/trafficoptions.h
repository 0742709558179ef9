#pragma once

#include <chrono>
#include <cstdint>

namespace porthole::workload {

struct TrafficOptions {
    enum class Pattern { Uniform, Burst, HotSocket };
    Pattern pattern = Pattern::Uniform;
    double messagesPerSecond = 1000; // uniform and hot socket
    std::uint32_t messageBytes = 16;
    std::chrono::milliseconds burstPeriod{1000}; // burst: one message to every socket each period
};

} // namespace porthole::workload
