#pragma once

#include "trace/tracestore.h"

#include <ostream>
#include <string>

namespace porthole::trace {

// Chrome Trace Event JSON, which Perfetto and chrome://tracing open: thread names, complete events
// for thread states and callbacks, counters for queue depths, and flows linking each operation's
// submit -> reap -> callback.
void writeChromeTrace(const Trace &trace, std::ostream &out);
// Returns an empty string on success, else what went wrong.
std::string saveChromeTrace(const Trace &trace, const std::string &path);

} // namespace porthole::trace
