// Thread per socket: one thread blocked in recv on each socket, the 1-to-1-to-1 mapping that
// asynchronous I/O exists to avoid. Every thread is real, with a small stack and a small trace ring.

#include "runtime/runtime_p.h"
#include "runtime/shadowstack.h"

#include <sys/socket.h>

namespace porthole::runtime {

namespace {

class ThreadPerSocketRuntime final : public Runtime
{
public:
    ThreadPerSocketRuntime(const RuntimeOptions &options, trace::TraceRecorder &recorder) : Runtime(options, recorder) {}

    ~ThreadPerSocketRuntime() override { stop(); }

protected:
    std::string startThreads() override
    {
        for (std::size_t i = 0; i < m_sockets.size(); ++i)
            spawn("socket " + std::to_string(i), trace::ThreadRole::Other, trace::ThreadReason::Startup,
                  [this, i] { receiveLoop(i); }, trace::TraceRecorder::SmallRingEvents, 64 * 1024);
        return {};
    }

    void stopThreads() override
    {
        // recv returns 0 on a socket shut down for reading: every blocked thread wakes and leaves.
        for (int fd : m_sockets)
            ::shutdown(fd, SHUT_RD);
    }

private:
    void receiveLoop(std::size_t socket)
    {
        char buffer[512];
        std::uint64_t received = 0;
        for (;;) {
            if (m_gate.pass() == DequeueGate::Pass::Closed)
                return;
            ssize_t n;
            {
                FrameScope frame(FrameId::BlockingReceive);
                trace::record(trace::EventType::ThreadState, std::uint8_t(trace::ThreadState::Blocked), 0, 0, 0);
                ++m_counters.waitingReceives;
                n = ::recv(m_sockets[socket], buffer, sizeof buffer, 0);
                --m_counters.waitingReceives;
                trace::record(trace::EventType::ThreadState, std::uint8_t(trace::ThreadState::Running), 0, 0, 0);
            }
            if (n <= 0 || stopping())
                return;
            runUserCallback((std::uint64_t(socket) << 32) | ++received);
        }
    }
};

} // namespace

std::unique_ptr<Runtime> makeThreadPerSocketRuntime(const RuntimeOptions &options, trace::TraceRecorder &recorder)
{
    return std::make_unique<ThreadPerSocketRuntime>(options, recorder);
}

} // namespace porthole::runtime
