#pragma once

#include <cstdint>
#include <string>

namespace porthole::engine {

struct DescriptorLimit {
    std::uint64_t soft = 0;
    std::uint64_t hard = 0;
    std::uint64_t open = 0; // descriptors this process has open now
};

// Raises the soft RLIMIT_NOFILE to the hard limit, once, and returns the limits now in force.
DescriptorLimit raiseDescriptorLimit();
DescriptorLimit currentDescriptorLimit();
std::uint64_t countOpenDescriptors();

// Empty when `needed` more descriptors fit under the soft limit; otherwise says the numbers and how to raise them.
std::string checkDescriptorBudget(std::uint64_t needed, const std::string &what);

} // namespace porthole::engine
