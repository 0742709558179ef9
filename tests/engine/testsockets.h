#pragma once

// Connected socket pairs and process counts for the port cases, on Linux and on Windows.

#include "engine/completionport.h"

#include <cstddef>
#include <string>
#include <vector>

#ifdef _WIN32
#include <winsock2.h>
#include <windows.h>
#include <tlhelp32.h>
#else
#include <dirent.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace porthole::testing {

struct SocketPair {
    engine::NativeHandle mine = 0; // associated with the port
    engine::NativeHandle peer = 0; // the test writes here
};

inline void closeSocket(engine::NativeHandle s)
{
#ifdef _WIN32
    closesocket(SOCKET(s));
#else
    ::close(s);
#endif
}

inline bool writeByte(engine::NativeHandle s, char byte)
{
#ifdef _WIN32
    return ::send(SOCKET(s), &byte, 1, 0) == 1;
#else
    return ::write(s, &byte, 1) == 1;
#endif
}

// n connected pairs (Windows: loopback TCP, as it has no socketpair). Empty with `error` set on failure.
inline std::vector<SocketPair> makeSocketPairs(std::size_t n, std::string &error)
{
    std::vector<SocketPair> pairs;
#ifdef _WIN32
    WSADATA data;
    WSAStartup(MAKEWORD(2, 2), &data);
    SOCKET listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int length = sizeof address;
    if (listener == INVALID_SOCKET || bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
        || getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length) != 0 || listen(listener, SOMAXCONN) != 0) {
        error = "cannot listen on loopback: WSA error " + std::to_string(WSAGetLastError());
        return {};
    }
    for (std::size_t i = 0; i < n; ++i) {
        SOCKET client = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP); // overlapped-capable, as every winsock socket
        if (client == INVALID_SOCKET || connect(client, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
            error = "connect failed at pair " + std::to_string(i) + ": WSA error " + std::to_string(WSAGetLastError());
            break;
        }
        SOCKET server = accept(listener, nullptr, nullptr);
        if (server == INVALID_SOCKET) {
            error = "accept failed at pair " + std::to_string(i);
            closesocket(client);
            break;
        }
        pairs.push_back({engine::NativeHandle(server), engine::NativeHandle(client)});
    }
    closesocket(listener);
#else
    for (std::size_t i = 0; i < n; ++i) {
        int fds[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
            error = "socketpair failed at pair " + std::to_string(i);
            break;
        }
        pairs.push_back({fds[0], fds[1]});
    }
#endif
    if (!error.empty()) {
        for (const SocketPair &p : pairs) {
            closeSocket(p.mine);
            closeSocket(p.peer);
        }
        return {};
    }
    return pairs;
}

inline std::size_t threadCount()
{
#ifdef _WIN32
    HANDLE snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
    THREADENTRY32 entry{};
    entry.dwSize = sizeof entry;
    std::size_t count = 0;
    for (BOOL more = Thread32First(snapshot, &entry); more; more = Thread32Next(snapshot, &entry))
        count += entry.th32OwnerProcessID == GetCurrentProcessId();
    CloseHandle(snapshot);
    return count;
#else
    std::size_t count = 0;
    if (DIR *dir = opendir("/proc/self/task")) {
        while (const dirent *e = readdir(dir))
            count += e->d_name[0] != '.';
        closedir(dir);
    }
    return count;
#endif
}

// Open descriptors (Linux) or handles (Windows) of this process.
inline std::size_t handleCount()
{
#ifdef _WIN32
    DWORD count = 0;
    GetProcessHandleCount(GetCurrentProcess(), &count);
    return count;
#else
    std::size_t count = 0;
    if (DIR *dir = opendir("/proc/self/fd")) {
        while (const dirent *e = readdir(dir))
            count += e->d_name[0] != '.';
        closedir(dir);
    }
    return count - 1; // the directory stream itself
#endif
}

inline bool underWine()
{
#ifdef _WIN32
    const HMODULE ntdll = GetModuleHandleA("ntdll.dll");
    return ntdll && GetProcAddress(ntdll, "wine_get_version");
#else
    return false;
#endif
}

} // namespace porthole::testing
