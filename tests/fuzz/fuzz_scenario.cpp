// Fuzz target: the scenario parser, and a valid scenario's save-and-parse round trip.

#include "scenario/scenariofile.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace porthole::scenario;
    const ScenarioLoad load = parseScenario(QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)), QStringLiteral("fuzz.json"));
    if (load.scenario) {
        const ScenarioLoad again = parseScenario(scenarioToJson(*load.scenario), QStringLiteral("saved.json"));
        if (!again.scenario)
            std::abort(); // what Porthole saves, it must read back
    }
    return 0;
}
