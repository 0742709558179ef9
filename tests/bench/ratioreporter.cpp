#include "ratioreporter.h"

#include <cstdio>

namespace porthole::bench {

namespace {
std::vector<Comparison> &comparisons()
{
    static std::vector<Comparison> list;
    return list;
}
} // namespace

void registerComparison(Comparison comparison) { comparisons().push_back(std::move(comparison)); }

void RatioReporter::ReportRuns(const std::vector<Run> &runs)
{
    ConsoleReporter::ReportRuns(runs);
    for (const Run &run : runs)
        m_runs[run.benchmark_name()] = run;
}

void RatioReporter::Finalize()
{
    ConsoleReporter::Finalize();
    std::printf("\n");
    for (const Comparison &c : comparisons()) {
        const auto ours = m_runs.find(c.ours);
        const auto base = m_runs.find(c.baseline);
        if (ours == m_runs.end() || base == m_runs.end()) {
            std::printf("%s skipped (not run: filtered out or skipped)\n", c.name.c_str());
            continue;
        }
        const auto value = [&](const Run &run) {
            if (c.counter.empty())
                return run.GetAdjustedRealTime(); // in the run's time unit (ns here)
            const auto it = run.counters.find(c.counter);
            return it == run.counters.end() ? 0.0 : double(it->second);
        };
        const double a = value(ours->second);
        const double b = value(base->second);
        std::printf("%s ours=%.4g baseline=%.4g ratio=%.3f unit=%s\n", c.name.c_str(), a, b, b != 0 ? a / b : 0.0,
                    c.unit.c_str());
    }
    std::fflush(stdout);
}

} // namespace porthole::bench
