#pragma once

// A real run for the runtime tests: a trace, a peer process with sockets, one runtime.

#include "runtime/runtime.h"
#include "trace/collector.h"
#include "workload/peerhost.h"

#include <QTest>

namespace porthole::testing {

struct RuntimeHarness {
    trace::TraceRecorder recorder;
    trace::TraceStore store;
    trace::Collector collector{recorder, store};
    workload::PeerHost peers;
    std::unique_ptr<runtime::Runtime> runtime;
    std::string error;

    bool start(runtime::RuntimeOptions options, std::size_t sockets)
    {
        error = peers.start(sockets);
        if (!error.empty())
            return false;
        runtime = runtime::Runtime::create(options, recorder, error);
        if (!runtime)
            return false;
        error = runtime->start(peers.localFds());
        return error.empty();
    }

    // Stops the runtime and the peers, then drains the trace.
    trace::Trace finish()
    {
        if (runtime)
            runtime->stop();
        runtime.reset();
        peers.stop();
        collector.drainNow();
        return store.snapshot(recorder);
    }

    ~RuntimeHarness() { finish(); }
};

} // namespace porthole::testing
