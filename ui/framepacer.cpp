#include "framepacer.h"

#include <algorithm>
#include <ctime>

namespace porthole::ui {

std::int64_t FramePacer::threadCpuNs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); // Linux; MinGW's winpthreads has it too (coarser)
    return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void FramePacer::frameStarted(std::int64_t cpuNs)
{
    if (!m_folded)
        return;
    m_folded = false;
    m_restMs[m_next] = double(std::max<std::int64_t>(0, cpuNs - m_foldEndCpuNs)) / 1e6;
    m_next = (m_next + 1) % Remembered;
    const double rest = *std::max_element(m_restMs.begin(), m_restMs.end());
    m_budgetMs = std::clamp(TargetMs - rest, MinFoldMs, MaxFoldMs);
}

void FramePacer::foldEnded(std::int64_t cpuNs)
{
    m_folded = true;
    m_foldEndCpuNs = cpuNs;
}

} // namespace porthole::ui
