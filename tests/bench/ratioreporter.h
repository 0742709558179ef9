#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

namespace porthole::bench {

// One comparison line: NAME ours=... baseline=... ratio=... unit=...
struct Comparison {
    std::string name;
    std::string ours;     // benchmark name of our side
    std::string baseline; // benchmark name of the baseline, run in the same process
    std::string counter;  // which counter to compare; empty = real time per iteration
    std::string unit;
};

void registerComparison(Comparison comparison);

// Prints Google Benchmark's usual table, then one line per registered comparison.
class RatioReporter : public benchmark::ConsoleReporter
{
public:
    void ReportRuns(const std::vector<Run> &runs) override;
    void Finalize() override;

private:
    std::map<std::string, Run> m_runs;
};

} // namespace porthole::bench
