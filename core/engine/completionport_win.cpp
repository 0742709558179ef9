// The completion port on Windows: the real IOCP. CreateIoCompletionPort, overlapped WSARecv /
// WSASend / ReadFile, PostQueuedCompletionStatus, GetQueuedCompletionStatus(Ex). The kernel keeps
// the queue, wakes waiters (LIFO on Windows) and enforces the concurrency value by itself; this
// file only keeps each operation's OVERLAPPED alive until its packet comes back, and records the
// same trace events as the io_uring backend.

#include "engine/completionport_iocp.h"

#include "engine/completionport_win_p.h"
#include "trace/recorder.h"

#include <cerrno>
#include <unordered_map>

namespace porthole::engine {

using namespace win;

using trace::EventType;
using trace::QueueKind;
using trace::ThreadState;

namespace {

bool startWinsock()
{
    static const bool started = [] {
        WSADATA data;
        return WSAStartup(MAKEWORD(2, 2), &data) == 0;
    }();
    return started;
}

std::string win32Message(DWORD code)
{
    char text[256] = {};
    FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr, code, 0, text, sizeof text, nullptr);
    std::string message(text);
    while (!message.empty() && (message.back() == '\n' || message.back() == '\r' || message.back() == ' '))
        message.pop_back();
    return message + " (error " + std::to_string(code) + ")";
}

// How many packets wait in the port. The Win32 API does not say; ntdll's NtQueryIoCompletion
// (IoCompletionBasicInformation: one LONG, the depth) does, on Windows and in Wine alike.
std::uint64_t kernelQueueDepth(void *port)
{
    using Query = LONG(NTAPI *)(HANDLE, int, void *, ULONG, ULONG *);
    static const Query query = reinterpret_cast<Query>(
        reinterpret_cast<void *>(GetProcAddress(GetModuleHandleA("ntdll.dll"), "NtQueryIoCompletion")));
    LONG depth = 0;
    if (!query || !port || query(portHandle(port), 0 /* IoCompletionBasicInformation */, &depth, sizeof depth, nullptr) != 0)
        return 0;
    return std::uint64_t(std::max<LONG>(0, depth));
}

} // namespace

std::unique_ptr<CompletionPort> IocpPort::make(const PortOptions &options, std::string &error)
{
    std::unique_ptr<IocpPort> port(new IocpPort);
    if (!port->init(options, error))
        return nullptr;
    return port;
}

bool IocpPort::init(const PortOptions &options, std::string &error)
{
    if (!startWinsock()) {
        error = "WSAStartup failed: " + win32Message(DWORD(WSAGetLastError()));
        return false;
    }
    m_concurrency = options.concurrency ? options.concurrency : std::max(1u, std::thread::hardware_concurrency());
    m_recvBufferBytes = std::max(1u, options.recvBufferBytes);
    m_skipOnSuccess = options.skipCompletionPortOnSuccess;
    m_port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, m_concurrency);
    if (!m_port) {
        error = "CreateIoCompletionPort failed: " + win32Message(GetLastError());
        return false;
    }
    return true;
}

IocpPort::~IocpPort() { close(); }

bool IocpPort::associate(NativeHandle handle, std::uint64_t key)
{
    if (CreateIoCompletionPort(reinterpret_cast<HANDLE>(handle), portHandle(m_port), ULONG_PTR(key), 0) != m_port)
        return false;
    if (m_skipOnSuccess
        && !SetFileCompletionNotificationModes(reinterpret_cast<HANDLE>(handle), FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE))
        return false;
    std::lock_guard lock(m_mutex);
    m_keys[handle] = key;
    return true;
}

// Shared by every operation: the op is registered and traced before the kernel sees it (its packet
// may reach another thread before the call that issued it returns).
template<typename Issue>
std::int64_t IocpPort::issue(OpKind kind, NativeHandle handle, std::uint64_t token, std::size_t bufferBytes, Issue &&start)
{
    if (m_closed.load(std::memory_order_acquire))
        return -ECANCELED; // closed (Linux says -ESHUTDOWN; mingw's errno.h has no such name)
    const bool onHandle = kind == OpKind::Recv || kind == OpKind::Send || kind == OpKind::Read;
    if (onHandle) {
        std::lock_guard lock(m_mutex);
        if (!m_keys.count(handle))
            return -EBADF; // as on Linux: a handle gets packets only once associated with the port
    }
    auto *op = new WinOp;
    op->kind = kind;
    op->token = token;
    op->buffer.resize(bufferBytes);
    {
        std::lock_guard lock(m_mutex);
        op->opId = m_nextOpId++;
        m_ops.emplace(op->opId, op);
    }
    const std::uint64_t opId = op->opId;
    m_pending.fetch_add(1, std::memory_order_relaxed);
    trace::record(EventType::OpSubmitted, 0, std::uint16_t(kind), opId, std::uint64_t(handle));
    DWORD bytes = 0;
    const DWORD error = start(*op, bytes); // 0: done at once; ERROR_IO_PENDING: the packet comes later
    if (error != 0 && error != ERROR_IO_PENDING) {
        m_pending.fetch_sub(1, std::memory_order_relaxed);
        finishOp(op);
        return -std::int64_t(error);
    }
    if (error == 0 && m_skipOnSuccess && onHandle) {
        // FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: no packet will come; hand it out from here.
        m_pending.fetch_sub(1, std::memory_order_relaxed);
        std::uint64_t key = 0;
        {
            std::lock_guard lock(m_mutex);
            if (const auto it = m_keys.find(handle); it != m_keys.end())
                key = it->second;
        }
        Completion done;
        completionFromPacket(op, key, bytes, true, 0, done);
        std::lock_guard lock(m_mutex);
        m_inline.push_back(done);
        m_inlineCount.store(m_inline.size(), std::memory_order_release);
        if (m_waiters.load(std::memory_order_relaxed) > 0)
            PostQueuedCompletionStatus(portHandle(m_port), 0, NudgeKey, nullptr);
    }
    return std::int64_t(opId);
}

std::int64_t IocpPort::recv(NativeHandle socket, std::uint64_t token)
{
    return issue(OpKind::Recv, socket, token, m_recvBufferBytes, [&](WinOp &op, DWORD &bytes) -> DWORD {
        op.wsabuf = {ULONG(op.buffer.size()), reinterpret_cast<CHAR *>(op.buffer.data())};
        DWORD flags = 0;
        return WSARecv(SOCKET(socket), &op.wsabuf, 1, &bytes, &flags, &op.overlapped, nullptr) == 0 ? 0 : DWORD(WSAGetLastError());
    });
}

std::int64_t IocpPort::send(NativeHandle socket, std::span<const std::byte> data, std::uint64_t token)
{
    return issue(OpKind::Send, socket, token, data.size(), [&](WinOp &op, DWORD &bytes) -> DWORD {
        std::copy(data.begin(), data.end(), op.buffer.begin());
        op.wsabuf = {ULONG(op.buffer.size()), reinterpret_cast<CHAR *>(op.buffer.data())};
        return WSASend(SOCKET(socket), &op.wsabuf, 1, &bytes, 0, &op.overlapped, nullptr) == 0 ? 0 : DWORD(WSAGetLastError());
    });
}

std::int64_t IocpPort::read(NativeHandle file, std::span<std::byte> into, std::uint64_t offset, std::uint64_t token)
{
    return issue(OpKind::Read, file, token, 0, [&](WinOp &op, DWORD &bytes) -> DWORD {
        op.overlapped.Offset = DWORD(offset);
        op.overlapped.OffsetHigh = DWORD(offset >> 32);
        return ReadFile(reinterpret_cast<HANDLE>(file), into.data(), DWORD(into.size()), &bytes, &op.overlapped) ? 0 : GetLastError();
    });
}

// Windows has no overlapped flush and no kernel timer packet: FlushFileBuffers blocks, and timers
// belong to the thread pool. The scenarios that use them are Linux-only.
std::int64_t IocpPort::fsync(NativeHandle, std::uint64_t, bool) { return -ENOSYS; }
std::int64_t IocpPort::timeout(std::chrono::nanoseconds, std::uint64_t) { return -ENOSYS; }

std::int64_t IocpPort::nop(std::uint64_t token, bool)
{
    return issue(OpKind::Nop, 0, token, 0, [&](WinOp &op, DWORD &) -> DWORD {
        return PostQueuedCompletionStatus(portHandle(m_port), 0, 0, &op.overlapped) ? ERROR_IO_PENDING : GetLastError();
    });
}

std::int64_t IocpPort::post(std::uint64_t key, std::uint32_t bytes, std::uint64_t token)
{
    trace::record(EventType::Post, 0, 0, token, key);
    // The key and byte count travel in the packet itself; the OVERLAPPED only carries the token.
    return issue(OpKind::Post, 0, token, 0, [&](WinOp &op, DWORD &) -> DWORD {
        return PostQueuedCompletionStatus(portHandle(m_port), bytes, ULONG_PTR(key), &op.overlapped) ? ERROR_IO_PENDING : GetLastError();
    });
}

bool IocpPort::completionFromPacket(WinOp *op, std::uint64_t key, std::uint32_t bytes, bool ok, std::uint32_t error, Completion &out)
{
    out = {};
    out.key = key;
    out.token = op->token;
    out.opId = op->opId;
    out.kind = op->kind;
    out.result = ok ? std::int64_t(bytes) : -std::int64_t(error);
    if (op->kind == OpKind::Recv && ok)
        out.data = std::span<const std::byte>(op->buffer.data(), bytes);
    if (op->kind != OpKind::Recv)
        finishOp(op); // nothing of it is handed out: done with it now
    return true;
}

void IocpPort::finishOp(WinOp *op)
{
    {
        std::lock_guard lock(m_mutex);
        m_ops.erase(op->opId);
    }
    delete op;
}

void IocpPort::recycle(const Completion &completion)
{
    if (completion.kind != OpKind::Recv)
        return;
    WinOp *op = nullptr;
    {
        std::lock_guard lock(m_mutex);
        if (const auto it = m_ops.find(completion.opId); it != m_ops.end())
            op = it->second;
    }
    if (op)
        finishOp(op);
}

void IocpPort::flush() {}
void IocpPort::submitOnThisThread() {}
// The Windows scheduler sees a port thread block and lets another waiter run: nothing to announce.
void IocpPort::announceBlocking() {}
void IocpPort::announceUnblocked() {}

void IocpPort::close()
{
    if (!m_port || m_closed.exchange(true, std::memory_order_acq_rel))
        return;
    std::vector<NativeHandle> handles;
    {
        std::lock_guard lock(m_mutex);
        for (const auto &[handle, key] : m_keys)
            handles.push_back(handle);
    }
    for (NativeHandle h : handles)
        CancelIoEx(reinterpret_cast<HANDLE>(h), nullptr);
    // Every cancelled operation still comes back as a packet: take them all (waiters inside
    // dequeue take some too), so no OVERLAPPED is freed while the kernel holds it.
    const auto giveUp = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (m_pending.load(std::memory_order_relaxed) > 0 && std::chrono::steady_clock::now() < giveUp) {
        OVERLAPPED_ENTRY entries[64];
        ULONG removed = 0;
        if (!GetQueuedCompletionStatusEx(portHandle(m_port), entries, 64, &removed, 50, FALSE))
            continue;
        for (ULONG i = 0; i < removed; ++i) {
            if (!entries[i].lpOverlapped)
                continue;
            m_pending.fetch_sub(1, std::memory_order_relaxed);
            finishOp(CONTAINING_RECORD(entries[i].lpOverlapped, WinOp, overlapped));
        }
    }
    // Wake every waiter (they return Closed), then close the handle once none is inside.
    while (m_waiters.load(std::memory_order_acquire) > 0) {
        PostQueuedCompletionStatus(portHandle(m_port), 0, WakeKey, nullptr);
        Sleep(1);
    }
    std::lock_guard lock(m_mutex);
    for (const auto &[id, op] : m_ops)
        delete op; // receives handed out and never recycled, and inline completions never taken
    m_ops.clear();
    m_inline.clear();
    m_inlineCount.store(0, std::memory_order_release);
    CloseHandle(portHandle(m_port));
    m_port = nullptr;
}

PortStats IocpPort::stats() const
{
    PortStats s;
    s.pendingOps = m_pending.load(std::memory_order_relaxed);
    s.waiters = m_waiters.load(std::memory_order_relaxed);
    s.concurrency = m_concurrency;
    s.completions = m_completionsHanded.load(std::memory_order_relaxed);
    s.queued = kernelQueueDepth(m_port); // packets the kernel holds for no thread yet
    std::lock_guard lock(m_mutex);
    s.queued += m_inline.size();
    return s;
}

RingSnapshot IocpPort::ringSnapshot() const { return {}; } // no ring: the queue is inside the kernel

std::size_t IocpPort::memoryBytes() const
{
    std::lock_guard lock(m_mutex);
    std::size_t bytes = sizeof(*this);
    for (const auto &[id, op] : m_ops)
        bytes += sizeof(WinOp) + op->buffer.capacity();
    return bytes;
}

SubmitBatch::SubmitBatch(CompletionPort &port) : m_port(port) {}
SubmitBatch::~SubmitBatch() = default;

std::unique_ptr<CompletionPort> CompletionPort::create(const PortOptions &options, std::string &error)
{
    return IocpPort::make(options, error);
}

} // namespace porthole::engine
