#pragma once

#include <string>
#include <vector>

namespace porthole::engine {

// What this kernel's io_uring can do, probed once at start. Missing features become plain words.
struct KernelFeatures {
    bool ioUring = false;        // io_uring_setup works at all (it can be disabled by sysctl or seccomp)
    bool extArg = false;         // IORING_FEAT_EXT_ARG (5.11): waits with a timeout touch no SQE
    bool fastPoll = false;       // IORING_FEAT_FAST_POLL (5.7): pending socket ops park on poll, no thread
    bool noDrop = false;         // IORING_FEAT_NODROP (5.5): a full CQ overflows to a list, nothing is lost
    bool bufferRings = false;    // IORING_REGISTER_PBUF_RING (5.19)
    bool msgRing = false;        // IORING_OP_MSG_RING (5.18)
    std::vector<std::string> missingOpcodes; // of the ones the engine uses
    std::string kernelRelease;
    int setupError = 0; // io_uring_setup's errno when it failed

    // One line per missing feature: what is missing, what it means for the app, what Porthole does instead.
    std::vector<std::string> explain() const;
    bool usable() const { return ioUring && extArg && missingOpcodes.empty(); }
};

KernelFeatures probeKernel();

} // namespace porthole::engine
