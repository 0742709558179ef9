// Thread per socket: one thread blocked in recv on each socket, the 1-to-1-to-1 mapping that
// asynchronous I/O exists to avoid. Every thread is real, with a small stack and a small trace ring.

#include "runtime/runtime_p.h"
#include "runtime/shadowstack.h"

#ifdef _WIN32
#include <winsock2.h>
#else
#include <sys/socket.h>
#endif

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
#ifdef _WIN32
        // Under Wine a thread blocked in recv does not wake when its socket is shut down: each recv
        // gives up after a while so the thread can see stop(), then blocks again.
        const DWORD timeoutMs = DWORD(StopCheck.count());
        for (engine::NativeHandle fd : m_sockets)
            ::setsockopt(SOCKET(fd), SOL_SOCKET, SO_RCVTIMEO, reinterpret_cast<const char *>(&timeoutMs), sizeof timeoutMs);
#endif
        for (std::size_t i = 0; i < m_sockets.size(); ++i)
            if (std::string error = spawn("socket " + std::to_string(i), trace::ThreadRole::Other, trace::ThreadReason::Startup,
                                          [this, i] { receiveLoop(i); }, trace::TraceRecorder::SmallRingEvents, 64 * 1024);
                !error.empty())
                return "cannot start the thread of socket " + std::to_string(i) + ": " + error;
        return {};
    }

    void stopThreads() override
    {
        // recv returns 0 on a socket shut down for reading: every blocked thread wakes and leaves.
        for (engine::NativeHandle fd : m_sockets) {
#ifdef _WIN32
            ::shutdown(SOCKET(fd), SD_BOTH);
#else
            ::shutdown(fd, SHUT_RD);
#endif
        }
    }

private:
#ifdef _WIN32
    static constexpr std::chrono::milliseconds StopCheck{200};
#endif

    void receiveLoop(std::size_t socket)
    {
        char buffer[512];
        std::uint64_t received = 0;
        for (;;) {
            if (m_gate.pass() == DequeueGate::Pass::Closed)
                return;
            std::int64_t n;
            {
                FrameScope frame(FrameId::BlockingReceive);
                trace::record(trace::EventType::ThreadState, std::uint8_t(trace::ThreadState::Blocked), 0, 0, 0);
                ++m_counters.waitingReceives;
#ifdef _WIN32
                do
                    n = ::recv(SOCKET(m_sockets[socket]), buffer, int(sizeof buffer), 0);
                while (n < 0 && WSAGetLastError() == WSAETIMEDOUT && !stopping()); // still blocked in recv
#else
                n = ::recv(m_sockets[socket], buffer, sizeof buffer, 0);
#endif
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
