// The trace's, the port's and the runtimes' cases in one plain executable, one case per run: exit 0 all passed, 1 one failed, 77 all skipped
// (liburing's convention; CTest's SKIP_RETURN_CODE). Built for Windows, run under Wine by ctest.

#include "portcases.h"
#include "runtimecases.h"
#include "tracecases.h"

#include <cstdio>
#include <cstring>

using porthole::testing::CaseResult;

namespace {
struct Case {
    const char *name;
    CaseResult (*run)();
};

const Case Cases[] = {
    {"trace-writers", porthole::testing::manyWritersNothingLostBelowCapacity},
    {"trace-full-ring", porthole::testing::fullRingDropsAndCounts},
    {"trace-file-round-trip", porthole::testing::fileRoundTrip},
    {"trace-file-from-linux", [] { return porthole::testing::committedFileLoads(PORTHOLE_SAMPLE_TRACE); }},
    {"posts", porthole::testing::postsArriveIntact},
    {"waiting-packets", porthole::testing::waitingPacketsAreCounted},
    {"concurrency", porthole::testing::concurrencyValueLimitsRunning},
    {"lifo", porthole::testing::lastWaiterGetsThePacket},
    {"pending-receives", porthole::testing::thousandPendingReceivesOnOneThread},
    {"close", porthole::testing::closeWithPendingLeaksNothing},
    {"skip-on-success", porthole::testing::skipCompletionPortOnSuccess},
    {"cancelled-receive", porthole::testing::cancelledReceiveReportsAborted},
    {"runtime-legacy", porthole::testing::legacyRunsCallbacksInlineOnIoThreads},
    {"runtime-legacy-gate", porthole::testing::legacyGateInjectsAfterTwoPeriods},
    {"runtime-legacy-completing", porthole::testing::legacyCompletingThreadGrowsThePool},
    {"runtime-pollers", porthole::testing::pollersNeverRunCallbacks},
    {"runtime-raw-loop", porthole::testing::rawLoopRunsCallbacksInline},
    {"runtime-thread-per-socket", porthole::testing::threadPerSocketHasAThreadPerSocket},
    {"runtime-timers-framework", porthole::testing::timersOnTheFramework},
    {"runtime-timers-dotnet7", porthole::testing::timersOnDotnet7},
    {"runtime-posts", porthole::testing::postsReachTheCallbacks},
    {"runtime-pause-step", porthole::testing::pauseHoldsAndStepReleasesOne},
    {"stop-legacy", [] { return porthole::testing::stopLeavesNothingBehind(porthole::runtime::RuntimeKind::LegacyIocp); }},
    {"stop-pollers", [] { return porthole::testing::stopLeavesNothingBehind(porthole::runtime::RuntimeKind::DotNetPollers); }},
    {"stop-raw-loop", [] { return porthole::testing::stopLeavesNothingBehind(porthole::runtime::RuntimeKind::RawUring); }},
    {"stop-thread-per-socket", [] { return porthole::testing::stopLeavesNothingBehind(porthole::runtime::RuntimeKind::ThreadPerSocket); }},
};
} // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s CASE\n", argv[0]);
        return 1;
    }
    for (const Case &c : Cases) {
        if (std::strcmp(c.name, argv[1]) != 0)
            continue;
        const CaseResult r = c.run();
        const char *word = r.outcome == CaseResult::Pass ? "PASS" : r.outcome == CaseResult::Skip ? "SKIP" : "FAIL";
        std::printf("%s %s%s%s\n", word, c.name, r.why.empty() ? "" : ": ", r.why.c_str());
        return r.outcome == CaseResult::Pass ? 0 : r.outcome == CaseResult::Skip ? 77 : 1;
    }
    std::fprintf(stderr, "unknown case %s\n", argv[1]);
    return 1;
}
