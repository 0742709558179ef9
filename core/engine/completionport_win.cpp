// The completion port on Windows: the real IOCP. CreateIoCompletionPort, overlapped WSARecv /
// WSASend / ReadFile, PostQueuedCompletionStatus, GetQueuedCompletionStatus(Ex). The kernel keeps
// the queue, wakes waiters (LIFO on Windows) and enforces the concurrency value by itself; this
// file only keeps each operation's OVERLAPPED alive until its packet comes back, and records the
// same trace events as the io_uring backend.

#include "engine/completionport.h"

#include "trace/recorder.h"

#include <winsock2.h>
#include <windows.h>

#include <cerrno>
#include <unordered_map>

namespace porthole::engine {

using trace::EventType;
using trace::QueueKind;
using trace::ThreadState;

namespace {

// Packets with no OVERLAPPED that the engine posts to itself.
constexpr ULONG_PTR WakeKey = ~ULONG_PTR(0);      // close(): every waiter returns Closed
constexpr ULONG_PTR NudgeKey = ~ULONG_PTR(0) - 1; // an inline completion waits: look at it

thread_local const CompletionPort *t_member = nullptr; // the port this thread last dequeued from

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

HANDLE portHandle(void *port) { return static_cast<HANDLE>(port); }

} // namespace

struct CompletionPort::WinOp {
    OVERLAPPED overlapped{}; // the packet's lpOverlapped points here
    WSABUF wsabuf{};
    std::uint64_t token = 0;
    std::uint64_t opId = 0;
    OpKind kind = OpKind::Nop;
    std::vector<std::byte> buffer; // recv and send: the bytes; valid until recycle()
};

std::unique_ptr<CompletionPort> CompletionPort::create(const PortOptions &options, std::string &error)
{
    std::unique_ptr<CompletionPort> port(new CompletionPort);
    if (!port->init(options, error))
        return nullptr;
    return port;
}

bool CompletionPort::init(const PortOptions &options, std::string &error)
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

CompletionPort::~CompletionPort() { close(); }

bool CompletionPort::associate(NativeHandle handle, std::uint64_t key)
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
std::int64_t CompletionPort::issue(OpKind kind, NativeHandle handle, std::uint64_t token, std::size_t bufferBytes, Issue &&start)
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
        if (m_waiters.load(std::memory_order_relaxed) > 0)
            PostQueuedCompletionStatus(portHandle(m_port), 0, NudgeKey, nullptr);
    }
    return std::int64_t(opId);
}

std::int64_t CompletionPort::recv(NativeHandle socket, std::uint64_t token)
{
    return issue(OpKind::Recv, socket, token, m_recvBufferBytes, [&](WinOp &op, DWORD &bytes) -> DWORD {
        op.wsabuf = {ULONG(op.buffer.size()), reinterpret_cast<CHAR *>(op.buffer.data())};
        DWORD flags = 0;
        return WSARecv(SOCKET(socket), &op.wsabuf, 1, &bytes, &flags, &op.overlapped, nullptr) == 0 ? 0 : DWORD(WSAGetLastError());
    });
}

std::int64_t CompletionPort::send(NativeHandle socket, std::span<const std::byte> data, std::uint64_t token)
{
    return issue(OpKind::Send, socket, token, data.size(), [&](WinOp &op, DWORD &bytes) -> DWORD {
        std::copy(data.begin(), data.end(), op.buffer.begin());
        op.wsabuf = {ULONG(op.buffer.size()), reinterpret_cast<CHAR *>(op.buffer.data())};
        return WSASend(SOCKET(socket), &op.wsabuf, 1, &bytes, 0, &op.overlapped, nullptr) == 0 ? 0 : DWORD(WSAGetLastError());
    });
}

std::int64_t CompletionPort::read(NativeHandle file, std::span<std::byte> into, std::uint64_t offset, std::uint64_t token)
{
    return issue(OpKind::Read, file, token, 0, [&](WinOp &op, DWORD &bytes) -> DWORD {
        op.overlapped.Offset = DWORD(offset);
        op.overlapped.OffsetHigh = DWORD(offset >> 32);
        return ReadFile(reinterpret_cast<HANDLE>(file), into.data(), DWORD(into.size()), &bytes, &op.overlapped) ? 0 : GetLastError();
    });
}

// Windows has no overlapped flush and no kernel timer packet: FlushFileBuffers blocks, and timers
// belong to the thread pool. The scenarios that use them are Linux-only.
std::int64_t CompletionPort::fsync(NativeHandle, std::uint64_t, bool) { return -ENOSYS; }
std::int64_t CompletionPort::timeout(std::chrono::nanoseconds, std::uint64_t) { return -ENOSYS; }

std::int64_t CompletionPort::nop(std::uint64_t token, bool)
{
    return issue(OpKind::Nop, 0, token, 0, [&](WinOp &op, DWORD &) -> DWORD {
        return PostQueuedCompletionStatus(portHandle(m_port), 0, 0, &op.overlapped) ? ERROR_IO_PENDING : GetLastError();
    });
}

std::int64_t CompletionPort::post(std::uint64_t key, std::uint32_t bytes, std::uint64_t token)
{
    trace::record(EventType::Post, 0, 0, token, key);
    // The key and byte count travel in the packet itself; the OVERLAPPED only carries the token.
    return issue(OpKind::Post, 0, token, 0, [&](WinOp &op, DWORD &) -> DWORD {
        return PostQueuedCompletionStatus(portHandle(m_port), bytes, ULONG_PTR(key), &op.overlapped) ? ERROR_IO_PENDING : GetLastError();
    });
}

bool CompletionPort::completionFromPacket(WinOp *op, std::uint64_t key, std::uint32_t bytes, bool ok, std::uint32_t error, Completion &out)
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

void CompletionPort::finishOp(WinOp *op)
{
    {
        std::lock_guard lock(m_mutex);
        m_ops.erase(op->opId);
    }
    delete op;
}

void CompletionPort::recycle(const Completion &completion)
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

void CompletionPort::noteDequeued(const Completion &out)
{
    m_completionsHanded.fetch_add(1, std::memory_order_relaxed);
    // IOCP does not say when the kernel queued the packet: completion and hand-out are one moment here.
    trace::record(EventType::OpCompleted, 0, std::uint16_t(out.kind), out.opId, std::uint64_t(out.result));
    trace::record(EventType::OpDequeued, 0, std::uint16_t(out.kind), out.opId, out.key);
    trace::record(EventType::QueueSample, std::uint8_t(QueueKind::PendingOps), 0, 0, m_pending.load(std::memory_order_relaxed));
}

DequeueStatus CompletionPort::dequeue(Completion &out, std::chrono::milliseconds timeout)
{
    Completion one[1];
    DequeueStatus status = DequeueStatus::Ok;
    if (dequeueBatch(one, timeout, status) == 0)
        return status;
    out = one[0];
    return DequeueStatus::Ok;
}

std::size_t CompletionPort::dequeueBatch(std::span<Completion> out, std::chrono::milliseconds timeout, DequeueStatus &status)
{
    t_member = this;
    // Counted before the check of m_closed: close() waits for this count to reach zero before it
    // closes the handle, so no thread calls GetQueuedCompletionStatus on a closed port.
    m_waiters.fetch_add(1, std::memory_order_acq_rel);
    struct Leave {
        std::atomic<std::uint64_t> &waiters;
        ~Leave() { waiters.fetch_sub(1, std::memory_order_acq_rel); }
    } leave{m_waiters};
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (m_closed.load(std::memory_order_acquire)) {
            status = DequeueStatus::Closed;
            return 0;
        }
        std::size_t count = 0;
        {
            std::lock_guard lock(m_mutex);
            while (count < out.size() && !m_inline.empty()) {
                out[count++] = m_inline.front();
                m_inline.pop_front();
            }
        }
        if (count) {
            for (std::size_t i = 0; i < count; ++i)
                noteDequeued(out[i]);
            status = DequeueStatus::Ok;
            return count;
        }
        DWORD waitMs = INFINITE;
        if (timeout.count() >= 0) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
            waitMs = DWORD(std::max<long long>(0, left));
        }
        trace::record(EventType::ThreadState, std::uint8_t(ThreadState::WaitingInPort), 0, 0, 0);
        OVERLAPPED_ENTRY entries[64];
        ULONG removed = 0;
        const ULONG want = ULONG(std::min<std::size_t>(out.size(), std::size(entries)));
        BOOL ok;
        if (want == 1) { // GetQueuedCompletionStatus: one packet, with the I/O's own error
            DWORD bytes = 0;
            ULONG_PTR key = 0;
            OVERLAPPED *overlapped = nullptr;
            ok = GetQueuedCompletionStatus(portHandle(m_port), &bytes, &key, &overlapped, waitMs);
            const DWORD error = ok ? 0 : GetLastError();
            if (overlapped) {
                entries[0] = {key, overlapped, ULONG_PTR(error), bytes};
                removed = 1;
                ok = TRUE;
            } else if (!ok) {
                trace::record(EventType::ThreadState, std::uint8_t(ThreadState::Running), 0, 0, 0);
                status = error == WAIT_TIMEOUT ? DequeueStatus::Timeout : DequeueStatus::Closed;
                return 0;
            } else {
                entries[0] = {key, nullptr, 0, bytes};
                removed = 1;
            }
        } else { // GetQueuedCompletionStatusEx: up to `want` packets in one call
            ok = GetQueuedCompletionStatusEx(portHandle(m_port), entries, want, &removed, waitMs, FALSE);
            if (!ok) {
                const DWORD error = GetLastError();
                trace::record(EventType::ThreadState, std::uint8_t(ThreadState::Running), 0, 0, 0);
                status = error == WAIT_TIMEOUT ? DequeueStatus::Timeout : DequeueStatus::Closed;
                return 0;
            }
            // Ex reports each I/O's NTSTATUS in Internal; turn failures into Win32 codes.
            for (ULONG i = 0; i < removed; ++i)
                if (entries[i].lpOverlapped && entries[i].lpOverlapped->Internal != 0)
                    entries[i].Internal = ULONG_PTR(entries[i].lpOverlapped->Internal == ULONG_PTR(0xC0000120) ? ERROR_OPERATION_ABORTED : ERROR_NETNAME_DELETED);
                else
                    entries[i].Internal = 0;
        }
        trace::record(EventType::ThreadState, std::uint8_t(ThreadState::Running), 0, 0, 0);
        for (ULONG i = 0; i < removed; ++i) {
            const OVERLAPPED_ENTRY &e = entries[i];
            if (!e.lpOverlapped)
                continue; // a wake-up (close) or a nudge (an inline completion): the loop looks again
            WinOp *op = CONTAINING_RECORD(e.lpOverlapped, WinOp, overlapped);
            m_pending.fetch_sub(1, std::memory_order_relaxed);
            Completion c;
            completionFromPacket(op, std::uint64_t(e.lpCompletionKey), e.dwNumberOfBytesTransferred, e.Internal == 0, std::uint32_t(e.Internal), c);
            if (m_closed.load(std::memory_order_acquire)) {
                recycle(c); // closing: nothing more is handed out
                continue;
            }
            out[count++] = c;
            noteDequeued(c);
        }
        if (count) {
            status = DequeueStatus::Ok;
            return count;
        }
        if (timeout.count() >= 0 && std::chrono::steady_clock::now() >= deadline) {
            status = DequeueStatus::Timeout;
            return 0;
        }
    }
}

void CompletionPort::flush() {}
void CompletionPort::submitOnThisThread() {}
// The Windows scheduler sees a port thread block and lets another waiter run: nothing to announce.
void CompletionPort::announceBlocking() {}
void CompletionPort::announceUnblocked() {}
bool CompletionPort::isCurrentThreadMember() const { return t_member == this; }

void CompletionPort::close()
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
    CloseHandle(portHandle(m_port));
    m_port = nullptr;
}

PortStats CompletionPort::stats() const
{
    PortStats s;
    s.pendingOps = m_pending.load(std::memory_order_relaxed);
    s.waiters = m_waiters.load(std::memory_order_relaxed);
    s.concurrency = m_concurrency;
    s.completions = m_completionsHanded.load(std::memory_order_relaxed);
    std::lock_guard lock(m_mutex);
    s.queued = m_inline.size(); // IOCP does not tell how many packets wait in the kernel
    return s;
}

RingSnapshot CompletionPort::ringSnapshot() const { return {}; } // no ring: the queue is inside the kernel

std::size_t CompletionPort::memoryBytes() const
{
    std::lock_guard lock(m_mutex);
    std::size_t bytes = sizeof(*this);
    for (const auto &[id, op] : m_ops)
        bytes += sizeof(WinOp) + op->buffer.capacity();
    return bytes;
}

SubmitBatch::SubmitBatch(CompletionPort &port) : m_port(port) {}
SubmitBatch::~SubmitBatch() = default;

} // namespace porthole::engine
