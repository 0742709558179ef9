// Windows: the far ends live in this process (no fork to hand them to, no socketpair): each pair is
// a loopback TCP connection. Writes are non-blocking: a peer whose buffer is full (the port is
// paused, nobody reads) skips that message, as a busy network would.

#include "workload/peerhost.h"

#include <winsock2.h>

#include <vector>

namespace porthole::workload {

namespace {
void closeAll(std::vector<engine::NativeHandle> &sockets)
{
    for (engine::NativeHandle s : sockets)
        closesocket(SOCKET(s));
    sockets.clear();
}
} // namespace

PeerHost::~PeerHost() { stop(); }

std::string PeerHost::start(std::size_t count)
{
    stop();
    WSADATA data;
    if (WSAStartup(MAKEWORD(2, 2), &data) != 0)
        return "WSAStartup failed";
    const SOCKET listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int length = sizeof address;
    if (listener == INVALID_SOCKET || bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
        || getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length) != 0 || listen(listener, SOMAXCONN) != 0) {
        if (listener != INVALID_SOCKET)
            closesocket(listener);
        return "cannot listen on the loopback interface: WSA error " + std::to_string(WSAGetLastError());
    }
    std::string error;
    for (std::size_t i = 0; i < count && error.empty(); ++i) {
        const SOCKET peer = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        if (peer == INVALID_SOCKET || connect(peer, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
            error = "cannot connect socket pair " + std::to_string(i) + ": WSA error " + std::to_string(WSAGetLastError());
            if (peer != INVALID_SOCKET)
                closesocket(peer);
            break;
        }
        const SOCKET mine = accept(listener, nullptr, nullptr);
        if (mine == INVALID_SOCKET) {
            error = "cannot accept socket pair " + std::to_string(i) + ": WSA error " + std::to_string(WSAGetLastError());
            closesocket(peer);
            break;
        }
        u_long nonBlocking = 1;
        ioctlsocket(peer, FIONBIO, &nonBlocking);
        m_local.push_back(engine::NativeHandle(mine));
        m_peers.push_back(engine::NativeHandle(peer));
    }
    closesocket(listener);
    if (!error.empty())
        stop();
    return error;
}

bool PeerHost::sendToRange(std::size_t first, std::size_t count, std::uint32_t bytes, std::uint32_t rounds)
{
    if (first + count > m_peers.size())
        return false;
    std::vector<char> message(bytes, 'p'); // as the Linux helper writes
    for (std::uint32_t round = 0; round < rounds; ++round)
        for (std::size_t i = first; i < first + count; ++i)
            ::send(SOCKET(m_peers[i]), message.data(), int(message.size()), 0); // WSAEWOULDBLOCK: skipped
    return true;
}

void PeerHost::stop()
{
    closeAll(m_local);
    closeAll(m_peers);
}

std::string PeerHost::health() { return {}; } // both ends live in this process

} // namespace porthole::workload
