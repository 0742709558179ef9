#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace porthole::workload {

// The far ends of a socket farm, kept in a helper process so that this process spends one
// descriptor per socket, not two: ~19,000 pending sockets fit under a 20,000-descriptor limit.
// The helper writes to its ends when told to; it exits (closing them all) on stop() or when
// this process dies (its control socket closes). Any thread may start it; it outlives that thread.
class PeerHost
{
public:
    PeerHost() = default;
    ~PeerHost();
    PeerHost(const PeerHost &) = delete;
    PeerHost &operator=(const PeerHost &) = delete;

    // Forks the helper and creates `count` AF_UNIX stream socketpairs; our ends land in localFds().
    // Returns an empty string on success, else what went wrong.
    std::string start(std::size_t count);
    // The helper writes `bytes` bytes to each of the sockets in [first, first+count), `rounds` times over.
    bool sendToRange(std::size_t first, std::size_t count, std::uint32_t bytes, std::uint32_t rounds = 1);
    bool sendToAll(std::uint32_t bytes, std::uint32_t rounds = 1) { return sendToRange(0, m_local.size(), bytes, rounds); }
    // Closes our ends and ends the helper. Safe to call twice.
    void stop();

    const std::vector<int> &localFds() const { return m_local; }
    pid_t helperPid() const { return m_pid; }

private:
    std::vector<int> m_local;
    int m_control = -1;
    pid_t m_pid = -1;
};

} // namespace porthole::workload
