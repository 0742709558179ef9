#include "ratioreporter.h"

#include "apart.h"

#include <algorithm>
#include <cstdio>
#include <string>

namespace porthole::bench {

namespace {
std::vector<Comparison> &comparisons()
{
    static std::vector<Comparison> list;
    return list;
}

// A comparison line to standard output, and to the file of the whole bench's lines in a group's process.
void emit(const std::string &line)
{
    std::fputs(line.c_str(), stdout);
    if (const char *file = groupLinesFile())
        if (FILE *lines = std::fopen(file, "a")) {
            std::fputs(line.c_str(), lines);
            std::fclose(lines);
        }
}
} // namespace

void registerComparison(Comparison comparison) { comparisons().push_back(std::move(comparison)); }
const std::vector<Comparison> &registeredComparisons() { return comparisons(); }

void RatioReporter::ReportRuns(const std::vector<Run> &runs)
{
    ConsoleReporter::ReportRuns(runs);
    for (const Run &run : runs)
        if (run.run_type == Run::RT_Iteration) // the repetitions themselves, not mean / median / stddev
            m_runs[run.run_name.str()].push_back(run);
}

void RatioReporter::Finalize()
{
    ConsoleReporter::Finalize();
    std::printf("\n");
    const auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        const std::size_t n = v.size();
        return n == 0 ? 0.0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    };
    for (const Comparison &c : comparisons()) {
        const auto ours = m_runs.find(c.ours);
        const auto base = m_runs.find(c.baseline);
        if (ours == m_runs.end() && base == m_runs.end() && groupLinesFile())
            continue; // another group's comparison, printed by that group's process
        std::string line;
        const auto print = [&line](const char *format, auto... values) {
            char text[512];
            std::snprintf(text, sizeof text, format, values...);
            line += text;
        };
        if (ours == m_runs.end() || base == m_runs.end()) {
            print("%s skipped (not run: filtered out or skipped)\n", c.name.c_str());
            emit(line);
            continue;
        }
        const auto value = [](const Run &run, const std::string &counter) {
            if (counter.empty())
                return run.GetAdjustedRealTime(); // in the run's time unit (ns here)
            const auto it = run.counters.find(counter);
            return it == run.counters.end() ? 0.0 : double(it->second);
        };
        const std::string &baselineCounter = c.baselineCounter.empty() ? c.counter : c.baselineCounter;
        std::vector<double> a, b, ratios;
        const std::size_t pairs = std::min(ours->second.size(), base->second.size());
        for (std::size_t i = 0; i < pairs; ++i) {
            a.push_back(value(ours->second[i], c.counter));
            b.push_back(value(base->second[i], baselineCounter));
            if (b.back() != 0)
                ratios.push_back(a.back() / b.back());
        }
        const auto [lo, hi] = ratios.empty() ? std::pair{0.0, 0.0}
                                             : std::pair{*std::min_element(ratios.begin(), ratios.end()),
                                                         *std::max_element(ratios.begin(), ratios.end())};
        print("%s ours=%.4g baseline=%.4g ratio=%.3f min=%.3f max=%.3f pairs=%zu unit=%s", c.name.c_str(), median(a),
              median(b), median(ratios), lo, hi, ratios.size(), c.unit.c_str());
        const auto ourCounter = [&](const std::string &name) {
            std::vector<double> values;
            for (const Run &run : ours->second)
                if (const auto it = run.counters.find(name); it != run.counters.end())
                    values.push_back(double(it->second));
            return values;
        };
        for (const std::string &name : c.worst) {
            const std::vector<double> values = ourCounter(name);
            print(" %s=%.4g", name.c_str(), values.empty() ? 0.0 : *std::max_element(values.begin(), values.end()));
        }
        for (const std::string &name : c.typical)
            print(" %s=%.4g", name.c_str(), median(ourCounter(name)));
        print("\n");
        emit(line);
    }
    std::fflush(stdout);
}

namespace {
int g_repetitions = 1;
} // namespace

int repetitionsAsked() { return g_repetitions; }
void setRepetitionsAsked(int repetitions) { g_repetitions = repetitions; }

} // namespace porthole::bench
