// Fuzz target: what crosses a process boundary for runs side by side. A saved pair (two traces and
// the comparison), each run's figures computed from it, and the run stream a child process writes
// (frames split at every byte, and the command lines it reads).

#include "scenario/comparison.h"
#include "scenario/runstream.h"
#include "scenario/scenariofile.h"
#include "trace/pairfile.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace porthole;
    const std::string bytes(reinterpret_cast<const char *>(data), size);
    if (const trace::PairLoadResult load = trace::parsePair(bytes, "fuzz.porthole"); load.pair) {
        const trace::TracePair &pair = *load.pair;
        const std::uint64_t origin = scenario::pairOriginNs(pair.runs[0], pair.runs[1]);
        for (const trace::Trace &run : pair.runs)
            if (const scenario::ScenarioLoad s = scenario::parseScenario(QByteArray::fromStdString(run.scenarioJson), QStringLiteral("recorded"));
                s.scenario)
                (void)scenario::figuresOf(*s.scenario, run, origin, QStringLiteral("run"));
    }
    scenario::runstream::FrameReader reader;
    for (std::size_t at = 0; at < bytes.size(); at += 7) {
        reader.add(bytes.data() + at, std::min<std::size_t>(7, bytes.size() - at));
        while (const auto frame = reader.next())
            if (frame->first == scenario::runstream::Frame::Trace)
                (void)trace::parseTrace(frame->second, "stream");
    }
    std::size_t start = 0;
    while (start < bytes.size()) {
        const std::size_t end = std::min(bytes.find('\n', start), bytes.size());
        (void)scenario::runstream::parseCommand(bytes.substr(start, end - start));
        start = end + 1;
    }
    return 0;
}
