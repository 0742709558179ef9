#pragma once

#include "runtime/runtimeoptions.h"
#include "trace/tracestore.h"

#include <QString>

#include <cstdint>
#include <optional>
#include <string>

// How a run in a process of its own talks to the process that watches it. The child writes frames to
// its stdout: a kind byte, a 64-bit length, the payload. The parent writes command lines to its stdin.
namespace porthole::scenario::runstream {

enum class Frame : char {
    Started = 'S',    // empty: the run is set up and running
    StartError = 'E', // why the run could not start (text)
    Trace = 'T',      // a whole .porthole trace: every thread and string so far, the events since the last frame
    Watermark = 'W',  // u64: every event recorded before this time (steady-clock ns) has been sent
    Failure = 'F',    // why the run's results cannot be trusted (text)
    End = 'Z',        // empty: the run stopped and everything was sent
};

std::string frame(Frame kind, const std::string &payload);
std::string watermarkPayload(std::uint64_t timeNs);

// Command lines (one per line, no more than a few words).
std::string pauseCommand();
std::string resumeCommand();
std::string stepCommand();
std::string stopCommand();
std::string trafficDuringPauseCommand(bool flows);
std::string slowMotionCommand(double factor);
std::string rateCommand(double messagesPerSecond);
std::string limitsCommand(const runtime::ThreadLimits &limits);

// A command line, read back. Anything else is ignored by the child (and reported on its stderr).
struct Command {
    enum Kind { Pause, Resume, Step, Stop, TrafficDuringPause, SlowMotion, Rate, Limits } kind = Stop;
    double value = 0;
    runtime::ThreadLimits limits;
};
std::optional<Command> parseCommand(const std::string &line);

// Splits frames off the front of a byte buffer as they arrive.
class FrameReader
{
public:
    static constexpr std::uint64_t MaxFrameBytes = 1ull << 30;
    void add(const char *data, std::size_t size) { m_buffer.append(data, size); }
    // The next whole frame, if one is here; `error` is set (and stays) when the stream is corrupt.
    std::optional<std::pair<Frame, std::string>> next();
    const std::string &error() const { return m_error; }

private:
    std::string m_buffer;
    std::size_t m_offset = 0;
    std::string m_error;
};

} // namespace porthole::scenario::runstream
