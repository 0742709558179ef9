#include "runtime/runtime_p.h"

#include <algorithm>
#ifdef _WIN32
#include <windows.h>
#else
#include <ctime>
#endif

namespace porthole::runtime {

namespace {
std::chrono::nanoseconds processCpuTime()
{
#ifdef _WIN32
    FILETIME created, exited, kernel, user;
    if (!GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user))
        return {};
    const auto ticks = [](const FILETIME &t) { return (std::uint64_t(t.dwHighDateTime) << 32) | t.dwLowDateTime; };
    return std::chrono::nanoseconds((ticks(kernel) + ticks(user)) * 100);
#else
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec);
#endif
}
} // namespace

ProcessCpuMeter::ProcessCpuMeter() : m_cpu(processCpuTime()), m_wall(std::chrono::steady_clock::now()) {}

double ProcessCpuMeter::utilizationSinceLast()
{
    const auto cpu = processCpuTime();
    const auto wall = std::chrono::steady_clock::now();
    const double wallNs = double(std::chrono::duration_cast<std::chrono::nanoseconds>(wall - m_wall).count()) * processorCount();
    const double share = wallNs > 0 ? double((cpu - m_cpu).count()) / wallNs : 0;
    m_cpu = cpu;
    m_wall = wall;
    return std::clamp(share, 0.0, 1.0);
}

} // namespace porthole::runtime
