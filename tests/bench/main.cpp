#include "apart.h"
#include "benchapplication.h"
#include "ratioreporter.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

// Comparisons come from interleaved rounds: unless the command line chooses, each benchmark runs 10
// repetitions and the repetitions of all benchmarks run in random order, so ours and its baseline
// alternate and a disturbance of the machine falls on both. Unless the command line chooses which
// benchmarks run, each group of them runs in a process of its own (apart.h).
int main(int argc, char **argv)
{
    if (const int status = porthole::bench::runGroupsApart(argc, argv); status >= 0)
        return status;
    std::vector<char *> args(argv, argv + argc);
    const auto given = [&](const char *flag) {
        for (int i = 1; i < argc; ++i)
            if (std::strncmp(argv[i], flag, std::strlen(flag)) == 0)
                return true;
        return false;
    };
    std::string repetitions = "--benchmark_repetitions=10";
    std::string interleave = "--benchmark_enable_random_interleaving=true";
    if (!given("--benchmark_repetitions"))
        args.push_back(repetitions.data());
    if (!given("--benchmark_enable_random_interleaving"))
        args.push_back(interleave.data());
    for (const char *arg : args) // the last one given counts, as for the library
        if (std::strncmp(arg, "--benchmark_repetitions=", 24) == 0)
            porthole::bench::setRepetitionsAsked(std::max(1, std::atoi(arg + 24)));
    int count = int(args.size());
    benchmark::Initialize(&count, args.data());
    if (benchmark::ReportUnrecognizedArguments(count, args.data()))
        return 1;
    porthole::bench::RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    porthole::bench::destroyApplication();
    return 0;
}
