#include "scenario/runsource.h"

#include "scenario/realdotnetrun.h"
#include "scenario/runner.h"

#include <algorithm>

#ifdef __linux__
#include <sys/resource.h>
#include <unistd.h>
#endif

namespace porthole::scenario {

std::unique_ptr<RunSource> makeRunSource(const Scenario &scenario)
{
    if (!scenario.realRuntime.isEmpty())
        return std::make_unique<RealDotnetRun>(scenario);
    return std::make_unique<Runner>(scenario);
}

void giveWayToTheWindow()
{
#ifdef __linux__
    // Per thread on Linux; a thread or process inherits it from the thread that starts it. -1 from
    // getpriority is a nice value too; a failure leaves the priority as it was, nothing worse.
    const auto self = id_t(::gettid());
    const int nice = ::getpriority(PRIO_PROCESS, self);
    ::setpriority(PRIO_PROCESS, self, std::min(nice + RunNice, 19));
#endif
}

} // namespace porthole::scenario
