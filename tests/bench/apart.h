#pragma once

namespace porthole::bench {

// The whole bench, one group of benchmarks to a process: the benchmarks that some comparison ties
// together (ours and its baseline, interleaved as ever) run in a process of their own, so what one
// comparison leaves behind — gigabytes of a big trace, its spill file written back, sockets, exiting
// threads — never falls on another's pairs, and a group that aborts takes only its own lines with it.
// The comparison lines of every group are printed again together at the end.
//
// Returns the exit status, or -1 when this process should run the benchmarks itself: the command line
// chose some (--benchmark_filter), lists them, or this is one of the groups' processes.
int runGroupsApart(int argc, char **argv);

// The group of `benchmark` runs after every other group. For a benchmark that leaves the machine slow for a
// while after its process has ended: on the virtual machines here, the gigabytes a big trace frees go back to
// the host, and for ~20 s after the live benchmarks drew frames of 30–40 ms they do not draw otherwise.
void runGroupLast(const char *benchmark);

// Set in a group's process: the file its comparison lines are appended to (nullptr otherwise).
const char *groupLinesFile();

} // namespace porthole::bench
