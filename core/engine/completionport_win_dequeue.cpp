// The Windows backend's completion side: GetQueuedCompletionStatus(Ex), inline completions
// (FILE_SKIP_COMPLETION_PORT_ON_SUCCESS), giving receive buffers back.

#include "engine/completionport_win_p.h"
#include "trace/recorder.h"

#include <winternl.h>

namespace porthole::engine {

using namespace win;
using trace::EventType;
using trace::QueueKind;
using trace::ThreadState;

namespace {
thread_local const CompletionPort *t_member = nullptr; // the port this thread last dequeued from
}

bool IocpPort::isCurrentThreadMember() const { return t_member == this; }

void IocpPort::noteDequeued(const Completion &out)
{
    m_completionsHanded.fetch_add(1, std::memory_order_relaxed);
    // IOCP does not say when the kernel queued the packet: completion and hand-out are one moment here.
    trace::record(EventType::OpCompleted, 0, std::uint16_t(out.kind), out.opId, std::uint64_t(out.result));
    trace::record(EventType::OpDequeued, 0, std::uint16_t(out.kind), out.opId, out.key);
    trace::record(EventType::QueueSample, std::uint8_t(QueueKind::PendingOps), 0, 0, m_pending.load(std::memory_order_relaxed));
}

DequeueStatus IocpPort::dequeue(Completion &out, std::chrono::milliseconds timeout)
{
    Completion one[1];
    DequeueStatus status = DequeueStatus::Ok;
    if (dequeueBatch(one, timeout, status) == 0)
        return status;
    out = one[0];
    return DequeueStatus::Ok;
}

std::size_t IocpPort::dequeueBatch(std::span<Completion> out, std::chrono::milliseconds timeout, DequeueStatus &status)
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
        // No lock unless an inline completion waits: a thread that blocks on a lock counts as not
        // running to the Windows scheduler, which would let another waiter past the concurrency value.
        if (m_inlineCount.load(std::memory_order_acquire) > 0) {
            std::lock_guard lock(m_mutex);
            while (count < out.size() && !m_inline.empty()) {
                out[count++] = m_inline.front();
                m_inline.pop_front();
            }
            m_inlineCount.store(m_inline.size(), std::memory_order_release);
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
                entries[i].Internal = entries[i].lpOverlapped && entries[i].lpOverlapped->Internal != 0
                                          ? ULONG_PTR(RtlNtStatusToDosError(NTSTATUS(entries[i].lpOverlapped->Internal)))
                                          : 0;
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

} // namespace porthole::engine
