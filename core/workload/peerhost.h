#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/completionport.h"

namespace porthole::workload {

// The far ends of a socket farm. On Linux they are kept in a helper process so that this process
// spends one descriptor per socket, not two: ~19,000 pending sockets fit under a 20,000-descriptor
// limit. The helper writes to its ends when told to; it exits (closing them all) on stop() or when
// this process dies (its control socket closes). Any thread may start it; it outlives that thread.
// On Windows (no fork, no socketpair) both ends are loopback TCP sockets of this process.
class PeerHost
{
public:
    PeerHost() = default;
    ~PeerHost();
    PeerHost(const PeerHost &) = delete;
    PeerHost &operator=(const PeerHost &) = delete;

    // Creates `count` connected stream socket pairs (Linux: AF_UNIX, the far ends in a forked helper);
    // our ends land in localFds().
    // Returns an empty string on success, else what went wrong.
    std::string start(std::size_t count);
    // The helper writes `bytes` bytes to each of the sockets in [first, first+count), `rounds` times over.
    bool sendToRange(std::size_t first, std::size_t count, std::uint32_t bytes, std::uint32_t rounds = 1);
    bool sendToAll(std::uint32_t bytes, std::uint32_t rounds = 1) { return sendToRange(0, m_local.size(), bytes, rounds); }
    // Closes our ends and ends the helper (killed if it does not exit within a second: it may be
    // stopped). Safe to call twice.
    void stop();
    // Empty while the helper runs; else what happened to it (killed, exited, stopped), in plain words.
    std::string health();

    const std::vector<engine::NativeHandle> &localFds() const { return m_local; }
    long helperPid() const { return m_pid; } // -1 on Windows: no helper

private:
    std::vector<engine::NativeHandle> m_local;
    std::vector<engine::NativeHandle> m_peers; // Windows: the far ends, in this process
    int m_control = -1;
    long m_pid = -1;
    std::string m_ended; // what health() found, once the helper is gone
};

} // namespace porthole::workload
