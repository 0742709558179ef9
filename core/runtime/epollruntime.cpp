// .NET on Linux: one ".NET Sockets" thread blocks in a real epoll_wait over the sockets and puts the
// ready ones on the engine's event queue; the engine itself is the work item (SocketAsyncEngine.Unix.cs,
// IThreadPoolWorkItem.Execute, .NET 5+): a worker running it takes one event, schedules the engine
// again when more may remain ("to parallelize processing of events", in case a callback blocks on
// something another event brings), then runs SocketAsyncContext.HandleEvents inline: the non-blocking
// recv and the continuation; it goes on with the next event for up to 15 ms. So a task that a blocked
// callback waits on is queued ahead of the engine's next turn, as on CoreCLR (checked against it with
// dotnet-real in tst_realdotnet). There are no I/O completion threads (FACTS §2). The frames are the ones CoreCLR 10 shows (tst_realdotnet): HandleEvents is
// inlined there, so the continuation sits under TransferCompletionCallbackCore right above the
// engine's IThreadPoolWorkItem.Execute.

#include "runtime/runtime_p.h"
#include "runtime/shadowstack.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <deque>
#include <mutex>
#include <cstring>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace porthole::runtime {

namespace {

using trace::ThreadReason;
using trace::ThreadRole;

constexpr std::uint64_t WakeData = ~0ull;

class EpollRuntime final : public Runtime
{
public:
    EpollRuntime(const RuntimeOptions &options, trace::TraceRecorder &recorder) : Runtime(options, recorder) {}
    ~EpollRuntime() override
    {
        stop();
    }

protected:
    std::string startThreads() override
    {
        m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
        m_wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (m_epoll < 0 || m_wake < 0)
            return std::string("cannot create the epoll instance: ") + std::strerror(errno);
        epoll_event wake{EPOLLIN, {.u64 = WakeData}};
        ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wake, &wake);
        for (std::size_t i = 0; i < m_sockets.size(); ++i) {
            ::fcntl(m_sockets[i], F_SETFL, ::fcntl(m_sockets[i], F_GETFL) | O_NONBLOCK); // .NET sockets are non-blocking
            epoll_event ev{EPOLLIN | EPOLLONESHOT, {.u64 = i}};
            if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_sockets[i], &ev) != 0)
                return "cannot watch socket " + std::to_string(i) + ": " + std::strerror(errno);
            ++m_counters.waitingReceives;
        }
        spawn(".NET Sockets", ThreadRole::EventLoop, ThreadReason::Startup, [this] { eventLoop(); });
        return {};
    }

    void stopThreads() override
    {
        if (m_wake >= 0) {
            const std::uint64_t one = 1;
            [[maybe_unused]] auto n = ::write(m_wake, &one, sizeof one);
        }
    }

    void releaseResources() override
    {
        if (m_epoll >= 0)
            ::close(m_epoll);
        if (m_wake >= 0)
            ::close(m_wake);
        m_epoll = m_wake = -1;
    }

private:
    void eventLoop()
    {
        FrameScope frame(FrameId::EpollEventLoop);
        epoll_event events[1024];
        for (;;) {
            const DequeueGate::Pass pass = m_gate.pass();
            if (pass == DequeueGate::Pass::Closed)
                return;
            int count;
            {
                FrameScope wait(FrameId::EpollWait);
                // The event loop's "port": it waits here the way an I/O thread waits in GetQueuedCompletionStatus.
                trace::record(trace::EventType::ThreadState, std::uint8_t(trace::ThreadState::WaitingInPort), 0, 0, 0);
                count = ::epoll_wait(m_epoll, events, pass == DequeueGate::Pass::OneStep ? 1 : 1024, -1);
                trace::record(trace::EventType::ThreadState, std::uint8_t(trace::ThreadState::Running), 0, 0, 0);
            }
            for (int i = 0; i < count; ++i) {
                if (events[i].data.u64 == WakeData)
                    return;
                const std::size_t socket = events[i].data.u64;
                --m_counters.waitingReceives; // one-shot: disarmed until handleEvents arms it again
                std::lock_guard lock(m_eventsMutex);
                m_events.push_back(socket);
            }
            scheduleEngine();
        }
    }

    // ScheduleToProcessEvents: the engine is queued once; the worker that runs it lets the next be queued.
    void scheduleEngine()
    {
        if (!m_engineScheduled.exchange(true, std::memory_order_acq_rel)) // acq_rel: one engine item at a time
            m_workers->queue({[this] { engineExecute(); }, FrameId::SocketEngineExecute});
    }

    bool takeEvent(std::size_t &socket, bool &more)
    {
        std::lock_guard lock(m_eventsMutex);
        if (m_events.empty())
            return false;
        socket = m_events.front();
        m_events.pop_front();
        more = !m_events.empty();
        return true;
    }

    void engineExecute()
    {
        const auto start = std::chrono::steady_clock::now();
        m_engineScheduled.store(false, std::memory_order_release); // this turn runs: the next may be queued
        std::size_t socket = 0;
        bool more = false;
        if (!takeEvent(socket, more))
            return;
        if (more)
            scheduleEngine(); // before the callback, which may block
        for (;;) {
            handleEvents(socket);
            if (std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(15)) {
                bool left = false;
                {
                    std::lock_guard lock(m_eventsMutex);
                    left = !m_events.empty();
                }
                if (left)
                    scheduleEngine(); // yield the thread; another turn takes the rest
                return;
            }
            if (!takeEvent(socket, more))
                return;
        }
    }

    void handleEvents(std::size_t socket)
    {
        char buffer[512];
        const ssize_t n = ::recv(m_sockets[socket], buffer, sizeof buffer, 0);
        if (n > 0) {
            // SocketAsyncContext.HandleEvents does the receive here; CoreCLR 10 inlines it, so the
            // continuation's stack shows the transfer right above the engine's Execute (measured).
            FrameScope transfer(FrameId::TransferCompletionCallback);
            runUserCallback(m_nextEventId.fetch_add(1, std::memory_order_relaxed)); // relaxed: a unique number only
        }
        if (n == 0 || stopping())
            return; // the peer closed: nothing more will come
        epoll_event ev{EPOLLIN | EPOLLONESHOT, {.u64 = socket}};
        if (::epoll_ctl(m_epoll, EPOLL_CTL_MOD, m_sockets[socket], &ev) == 0)
            ++m_counters.waitingReceives;
    }

    int m_epoll = -1;
    int m_wake = -1;
    std::mutex m_eventsMutex; // guards m_events: the event loop adds, the engine's turns take
    std::deque<std::size_t> m_events; // ready sockets, oldest first
    std::atomic<bool> m_engineScheduled{false};
    std::atomic<std::uint64_t> m_nextEventId{1};
};

} // namespace

std::unique_ptr<Runtime> makeEpollRuntime(const RuntimeOptions &options, trace::TraceRecorder &recorder)
{
    return std::make_unique<EpollRuntime>(options, recorder);
}

} // namespace porthole::runtime
