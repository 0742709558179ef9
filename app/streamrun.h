#pragma once

namespace porthole::scenario {
class RunSource;
}

namespace porthole::app {

// `porthole run FILE --headless --stream`: the run of a process started by another Porthole (runs
// compared side by side). Writes the run stream to stdout until the duration is over, "stop" arrives
// on stdin or stdin closes (the watching process is gone); obeys the command lines it reads. Returns
// the exit code.
int streamRun(scenario::RunSource &runner, double durationS);
// The thread that reads the command lines: started before the run, so that the run does not count it
// among the threads it adds to the process.
void startStreamCommands();

} // namespace porthole::app
