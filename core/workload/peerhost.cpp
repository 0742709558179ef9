#include "workload/peerhost.h"

#include "engine/descriptorlimit.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace porthole::workload {

namespace {

constexpr std::size_t FdsPerMessage = 200;

enum class Op : std::uint32_t { AddPeers = 1, Send, Stop };

struct Command {
    Op op;
    std::uint32_t first;
    std::uint32_t count;
    std::uint32_t bytes;
    std::uint32_t rounds;
};

void writeAll(int fd, const std::byte *data, std::size_t size)
{
    while (size > 0) {
        const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; // the other end is gone: nothing to deliver to
        data += n;
        size -= std::size_t(n);
    }
}

// The helper process. It came from fork() of a threaded process, so it only makes system calls:
// no allocation, no locks. `peers` was allocated before the fork.
[[noreturn]] void helperMain(int control, int *peers, std::size_t capacity)
{
    static std::byte payload[65536];
    std::memset(payload, 'p', sizeof payload);
    for (;;) {
        Command cmd{};
        iovec iov{&cmd, sizeof cmd};
        alignas(cmsghdr) char space[CMSG_SPACE(sizeof(int) * FdsPerMessage)];
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = space;
        msg.msg_controllen = sizeof space;
        const ssize_t n = ::recvmsg(control, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n != ssize_t(sizeof cmd))
            ::_exit(0); // our parent closed the control socket
        switch (cmd.op) {
        case Op::AddPeers: {
            const cmsghdr *c = CMSG_FIRSTHDR(&msg);
            std::size_t received = 0;
            if (c && c->cmsg_type == SCM_RIGHTS) {
                received = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (std::size_t i = 0; i < received && cmd.first + i < capacity; ++i)
                    std::memcpy(&peers[cmd.first + i], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            }
            const std::uint32_t ack = std::uint32_t(received);
            writeAll(control, reinterpret_cast<const std::byte *>(&ack), sizeof ack);
            break;
        }
        case Op::Send:
            for (std::uint32_t r = 0; r < cmd.rounds; ++r)
                for (std::uint32_t i = cmd.first; i < cmd.first + cmd.count && i < capacity; ++i)
                    writeAll(peers[i], payload, std::min<std::size_t>(cmd.bytes, sizeof payload));
            break;
        case Op::Stop:
            ::_exit(0);
        }
    }
}

} // namespace

PeerHost::~PeerHost() { stop(); }

std::string PeerHost::start(std::size_t count)
{
    stop();
    engine::raiseDescriptorLimit();
    if (std::string why = engine::checkDescriptorBudget(count + 2 * FdsPerMessage + 2, std::to_string(count) + " sockets");
        !why.empty())
        return why;

    int control[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, control) != 0)
        return std::string("cannot create the helper's control socket: ") + std::strerror(errno);
    std::vector<int> peerSlots(count, -1); // allocated before fork: the helper may not allocate
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(control[0]);
        ::close(control[1]);
        return std::string("cannot start the helper process: ") + std::strerror(errno);
    }
    if (pid == 0) {
        // No PR_SET_PDEATHSIG: it fires when the *thread* that forked exits, not the process. The
        // helper ends when the control socket closes, which happens when this process dies.
        // Keep only stdio and the control socket: the parent's rings and sockets are not ours.
        ::dup2(control[1], 3);
        ::close_range(4, ~0u, 0);
        helperMain(3, peerSlots.data(), peerSlots.size());
    }
    ::close(control[1]);
    m_control = control[0];
    m_pid = pid;

    m_local.reserve(count);
    for (std::size_t first = 0; first < count; first += FdsPerMessage) {
        const std::size_t batch = std::min(FdsPerMessage, count - first);
        int peers[FdsPerMessage];
        for (std::size_t i = 0; i < batch; ++i) {
            int pair[2];
            if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
                const std::string why = std::string("socketpair failed after ") + std::to_string(m_local.size())
                                        + " sockets: " + std::strerror(errno);
                for (std::size_t j = 0; j < i; ++j)
                    ::close(peers[j]);
                stop();
                return why;
            }
            m_local.push_back(pair[0]);
            peers[i] = pair[1];
        }
        Command cmd{Op::AddPeers, std::uint32_t(first), std::uint32_t(batch), 0, 0};
        iovec iov{&cmd, sizeof cmd};
        alignas(cmsghdr) char space[CMSG_SPACE(sizeof(int) * FdsPerMessage)] = {};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = space;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * batch);
        cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * batch);
        std::memcpy(CMSG_DATA(c), peers, sizeof(int) * batch);
        const bool sent = ::sendmsg(m_control, &msg, MSG_NOSIGNAL) == ssize_t(sizeof cmd);
        for (std::size_t i = 0; i < batch; ++i)
            ::close(peers[i]); // the helper holds them now
        std::uint32_t ack = 0;
        if (!sent || ::read(m_control, &ack, sizeof ack) != ssize_t(sizeof ack) || ack != batch) {
            stop();
            return "the helper process did not take its socket ends";
        }
    }
    return {};
}

bool PeerHost::sendToRange(std::size_t first, std::size_t count, std::uint32_t bytes, std::uint32_t rounds)
{
    if (m_control < 0)
        return false;
    const Command cmd{Op::Send, std::uint32_t(first), std::uint32_t(count), bytes, rounds};
    return ::send(m_control, &cmd, sizeof cmd, MSG_NOSIGNAL) == ssize_t(sizeof cmd);
}

void PeerHost::stop()
{
    for (int fd : m_local)
        ::close(fd);
    m_local.clear();
    if (m_control >= 0) {
        const Command cmd{Op::Stop, 0, 0, 0, 0};
        ::send(m_control, &cmd, sizeof cmd, MSG_NOSIGNAL);
        ::close(m_control);
        m_control = -1;
    }
    if (m_pid > 0) {
        // It exits on Stop; a stopped (SIGSTOP) or hung helper never would: killed after a second.
        int status = 0;
        for (int i = 0; i < 100 && ::waitpid(pid_t(m_pid), &status, WNOHANG) == 0; ++i)
            ::usleep(10'000);
        if (::waitpid(pid_t(m_pid), &status, WNOHANG) == 0) {
            ::kill(pid_t(m_pid), SIGKILL);
            ::waitpid(pid_t(m_pid), &status, 0);
        }
        m_pid = -1;
    }
}

std::string PeerHost::health()
{
    if (!m_ended.empty() || m_pid <= 0)
        return m_ended;
    const std::string who = "the helper process holding the sockets' far ends (pid " + std::to_string(m_pid) + ")";
    int status = 0;
    if (::waitpid(pid_t(m_pid), &status, WNOHANG) == pid_t(m_pid)) {
        m_ended = WIFSIGNALED(status) ? who + " was killed by signal " + std::to_string(WTERMSIG(status)) + " (" + ::strsignal(WTERMSIG(status)) + ")"
                                      : who + " exited with status " + std::to_string(WEXITSTATUS(status));
        m_pid = -1;
        return m_ended;
    }
    // Stopped (SIGSTOP, a debugger): its sockets get no traffic, so the run shows nothing true.
    std::ifstream stat("/proc/" + std::to_string(m_pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    if (close != std::string::npos && close + 2 < line.size() && (line[close + 2] == 'T' || line[close + 2] == 't'))
        return who + " is stopped (SIGSTOP or a debugger): its sockets get no traffic";
    return {};
}

} // namespace porthole::workload
