#pragma once

#include "trace/tracestore.h"

#include <cstdint>
#include <optional>
#include <string>

namespace porthole::trace {

// Porthole's own trace format: "PORTHOLE" magic, a versioned header, the vocabulary (every name an
// id in the events stands for), the trace's strings, the scenario's JSON, the thread table, then the
// 32-byte events as they are in memory (little-endian, as on every platform Porthole builds for).
// Version 1 had no vocabulary and no scenario: such files are refused with a plain message.
inline constexpr std::uint32_t TraceFileVersion = 2;
inline constexpr std::uint64_t MaxTraceFileBytes = 8ull << 30;

struct TraceLoadResult {
    std::optional<Trace> trace;
    std::string error; // set when trace is empty: what is wrong, in plain words
};

// Returns an empty string on success, else what went wrong.
std::string saveTrace(const Trace &trace, const std::string &path);
std::string serializeTrace(const Trace &trace); // the bytes saveTrace writes
TraceLoadResult loadTrace(const std::string &path);
TraceLoadResult parseTrace(const std::string &bytes, const std::string &sourceName);

} // namespace porthole::trace
