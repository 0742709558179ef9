#pragma once

#include "trace/tracefile.h"

#include <array>
#include <string>

namespace porthole::trace {

// Two runs recorded side by side (`porthole compare`): "PORTPAIR" magic, a version, then each run as a
// label and a whole .porthole trace, then the comparison's figures as JSON. The traces share one
// clock (the machine's monotonic clock), so they re-open on one time axis.
inline constexpr std::uint32_t PairFileVersion = 1;

struct TracePair {
    std::array<Trace, 2> runs;
    std::array<std::string, 2> labels;
    std::string comparisonJson; // what `porthole compare --json` printed as "comparison" (may be empty)
};

struct PairLoadResult {
    std::optional<TracePair> pair;
    std::string error; // set when pair is empty: what is wrong, in plain words
};

bool looksLikePairFile(const std::string &firstBytes); // starts with "PORTPAIR"
// A regular file that starts with "PORTPAIR" (a FIFO or a device is never opened here).
bool isPairFile(const std::string &path);
std::string savePair(const TracePair &pair, const std::string &path); // empty on success, else what went wrong
PairLoadResult loadPair(const std::string &path);
PairLoadResult parsePair(const std::string &bytes, const std::string &sourceName);

} // namespace porthole::trace
