#include "engine/kernelprobe.h"

#include <cerrno>
#include <cstring>
#include <liburing.h>
#include <sys/utsname.h>

namespace porthole::engine {

KernelFeatures probeKernel()
{
    KernelFeatures f;
    utsname name{};
    if (::uname(&name) == 0)
        f.kernelRelease = name.release;

    io_uring ring{};
    io_uring_params params{};
    if (const int rc = io_uring_queue_init_params(8, &ring, &params); rc < 0) {
        f.setupError = -rc;
        return f;
    }
    f.ioUring = true;
    f.extArg = params.features & IORING_FEAT_EXT_ARG;
    f.fastPoll = params.features & IORING_FEAT_FAST_POLL;
    f.noDrop = params.features & IORING_FEAT_NODROP;

    if (io_uring_probe *probe = io_uring_get_probe_ring(&ring)) {
        const struct {
            int op;
            const char *name;
        } used[] = {{IORING_OP_NOP, "NOP"},     {IORING_OP_RECV, "RECV"},   {IORING_OP_SEND, "SEND"},
                    {IORING_OP_READ, "READ"},   {IORING_OP_FSYNC, "FSYNC"}, {IORING_OP_TIMEOUT, "TIMEOUT"},
                    {IORING_OP_ASYNC_CANCEL, "ASYNC_CANCEL"}};
        for (const auto &u : used)
            if (!io_uring_opcode_supported(probe, u.op))
                f.missingOpcodes.push_back(u.name);
        f.msgRing = io_uring_opcode_supported(probe, IORING_OP_MSG_RING);
        io_uring_free_probe(probe);
    }

    alignas(4096) static thread_local io_uring_buf probeBufs[1];
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uint64_t>(probeBufs);
    reg.ring_entries = 1;
    reg.bgid = 7;
    if (io_uring_register_buf_ring(&ring, &reg, 0) == 0) {
        f.bufferRings = true;
        io_uring_unregister_buf_ring(&ring, 7);
    }

    io_uring_queue_exit(&ring);
    return f;
}

std::vector<std::string> KernelFeatures::explain() const
{
    std::vector<std::string> lines;
    const std::string kernel = " (this kernel: " + kernelRelease + ")";
    if (!ioUring) {
        // Why io_uring_setup failed, by its errno: each cause has its own remedy.
        std::string why;
        switch (setupError) {
        case ENOSYS: why = ": this kernel has no io_uring (it needs 5.19 or newer)"; break;
        case EPERM:
        case EACCES: why = ": it is disabled (sysctl kernel.io_uring_disabled, or a container's seccomp profile)"; break;
        case ENOMEM: why = ": out of locked memory for the ring (RLIMIT_MEMLOCK; try 'ulimit -l unlimited')"; break;
        case EMFILE:
        case ENFILE: why = ": no file descriptor left for the ring (raise 'ulimit -n')"; break;
        default: why = std::string(": io_uring_setup failed: ") + std::strerror(setupError); break;
        }
        lines.push_back("io_uring is not available" + kernel + why + ". Porthole needs it to run scenarios; saved traces still open.");
        return lines;
    }
    if (!extArg)
        lines.push_back("io_uring waits with a timeout need kernel 5.11 (IORING_FEAT_EXT_ARG)" + kernel
                        + "; Porthole cannot run live scenarios here.");
    for (const std::string &op : missingOpcodes)
        lines.push_back("io_uring operation " + op + " is missing" + kernel + "; scenarios that use it cannot run.");
    if (!fastPoll)
        lines.push_back("IORING_FEAT_FAST_POLL is missing (kernel 5.7)" + kernel
                        + ": pending socket receives may occupy io-wq threads, so 'there is no thread' will not hold.");
    if (!noDrop)
        lines.push_back("IORING_FEAT_NODROP is missing (kernel 5.5)" + kernel + ": a full completion queue loses completions.");
    if (!bufferRings)
        lines.push_back("provided buffer rings are missing (kernel 5.19)" + kernel
                        + ": each pending receive gets a buffer of its own, which costs memory per socket.");
    return lines;
}

} // namespace porthole::engine
