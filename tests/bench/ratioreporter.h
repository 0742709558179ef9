#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

namespace porthole::bench {

// One comparison line from interleaved repetitions (A B, B A, ... in random order, in one process):
// NAME ours=<median> baseline=<median> ratio=<median of the pairs' ratios> min=... max=... pairs=... unit=...
// Repetition i of ours is paired with repetition i of the baseline. Then ` counter=<value>` for each
// of `worst` (the largest over the repetitions) and `typical` (the median).
struct Comparison {
    std::string name;
    std::string ours;     // benchmark name of our side
    std::string baseline; // benchmark name of the baseline, run in the same process
    std::string counter;  // which counter to compare; empty = real time per iteration
    std::string unit;
    std::vector<std::string> worst = {}; // more counters of our side, printed as their largest over the repetitions
    std::vector<std::string> typical = {}; // more counters of our side, printed as their median
    std::string baselineCounter = {}; // the baseline's counter, if not `counter` (both sides in one benchmark's runs)
};

void registerComparison(Comparison comparison);
const std::vector<Comparison> &registeredComparisons();

// The repetitions each benchmark runs (main() sets it from the command line, 10 unless it says otherwise):
// a benchmark that holds much memory between its repetitions lets it go after its last.
int repetitionsAsked();
void setRepetitionsAsked(int repetitions);

// Prints Google Benchmark's usual table, then one line per registered comparison.
// main() asks for 10 repetitions, randomly interleaved, unless the command line says otherwise.
class RatioReporter : public benchmark::ConsoleReporter
{
public:
    void ReportRuns(const std::vector<Run> &runs) override;
    void Finalize() override;

private:
    std::map<std::string, std::vector<Run>> m_runs; // every repetition of each benchmark, as run
};

} // namespace porthole::bench
