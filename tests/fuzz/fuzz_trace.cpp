// Fuzz target: the trace loader, then everything a re-opened trace feeds: the interpreter (state at
// several cursors, metrics), the timeline's lanes at several zooms, the recorded scenario's claims,
// and the Chrome export.

#include "model/statemodel.h"
#include "scenario/claims.h"
#include "scenario/scenariofile.h"
#include "trace/chrometrace.h"
#include "trace/tracefile.h"

#include <cstdint>
#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace porthole;
    const trace::TraceLoadResult load = trace::parseTrace(std::string(reinterpret_cast<const char *>(data), size), "fuzz.porthole");
    if (!load.trace)
        return 0;
    const trace::Trace &t = *load.trace;
    model::StateModel model;
    model.reset(t.threads);
    model.setNames(t.vocabulary, t.strings);
    model.append(t.events);
    for (const std::size_t at : {std::size_t(0), model.eventCount() / 3, model.eventCount() / 2, model.eventCount()}) {
        const model::ModelState state = model.stateAt(at);
        for (const model::ThreadView &thread : state.threads)
            for (const model::StackFrame &frame : thread.stack)
                (void)model.vocabulary().frameName(frame.frame), (void)model.string(frame.native);
        (void)model.nextDequeue(at), (void)model.previousDequeue(at);
    }
    const std::uint64_t first = model.firstTimeNs(), last = model.lastTimeNs();
    for (const model::TimelineLane &lane : model.timeline().lanes())
        for (const std::uint64_t width : {std::uint64_t(1), std::uint64_t(1000), (last - first) / 100 + 1})
            (void)lane.visible(first, last, width);
    if (const scenario::ScenarioLoad s = scenario::parseScenario(QByteArray::fromStdString(t.scenarioJson), QStringLiteral("recorded")); s.scenario)
        (void)scenario::evaluateClaims(s.scenario->claims, model.history());
    std::ostringstream chrome;
    trace::writeChromeTrace(t, chrome);
    return 0;
}
