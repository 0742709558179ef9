#pragma once

#include "engine/portoptions.h"

#include "engine/kernelprobe.h"
#include "trace/event.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#ifndef _WIN32
#include <liburing.h>
#endif

namespace porthole::engine {

class BufferRing;
struct PortMember;

using trace::OpKind;

#ifdef _WIN32
using NativeHandle = std::uintptr_t; // a SOCKET or a file HANDLE opened with FILE_FLAG_OVERLAPPED
#else
using NativeHandle = int; // a file descriptor
#endif

// One completion packet, as GetQueuedCompletionStatus hands it out.
struct Completion {
    std::uint64_t key = 0;    // the completion key of the handle (associate) or of the post
    std::uint64_t token = 0;  // the caller's per-operation value: the OVERLAPPED of IOCP
    std::int64_t result = 0;  // bytes transferred (>= 0), or -errno
    std::uint64_t opId = 0;   // the engine's operation number, as the trace records it
    OpKind kind = OpKind::Nop;
    std::span<const std::byte> data; // recv: the bytes received; valid until recycle()
    std::int32_t bufferId = -1;      // the provided buffer holding data, or -1
};

enum class DequeueStatus { Ok, Timeout, Closed };


struct PortStats {
    std::uint64_t pendingOps = 0;     // submitted, not yet reaped from the CQ
    std::uint64_t queued = 0;         // reaped, waiting in the port for a thread
    std::uint64_t waiters = 0;        // threads inside dequeue
    std::uint64_t running = 0;        // associated threads running (counted against concurrency)
    std::uint64_t concurrency = 0;
    std::uint64_t completions = 0;    // packets handed to threads so far
    std::uint64_t starvedRecvs = 0;   // receives whose data waits in the socket for a free shared buffer
    std::uint64_t freeBuffers = 0;
    std::uint64_t rearmedRecvs = 0;   // starved receives sent again, not yet completed    // shared receive buffers the kernel holds, unused as far as we know
    std::uint64_t cqOverflow = 0;     // the kernel's counter of CQEs it had to drop (should stay 0)
    bool cqHasOverflowList = false;   // the kernel holds CQEs that did not fit in the CQ
};

// The ring as the kernel and the app see it now.
struct RingSnapshot {
    unsigned sqHead = 0, sqTail = 0, sqEntries = 0;
    unsigned cqHead = 0, cqTail = 0, cqEntries = 0;
    unsigned cqReady = 0;
};

// A completion port with IOCP's contract: on Windows the real IOCP (completionport_win.cpp), on Linux
// built on io_uring. Any thread may submit, post, or dequeue. Waiters are released LIFO, one per packet;
// at most `concurrency` associated threads run at once; a running thread that blocks lets a waiter run
// (Windows notices by itself; on Linux the thread announces it).
class CompletionPort
{
public:
    static std::unique_ptr<CompletionPort> create(const PortOptions &options, std::string &error);
    ~CompletionPort();
    CompletionPort(const CompletionPort &) = delete;
    CompletionPort &operator=(const CompletionPort &) = delete;

    // CreateIoCompletionPort(handle, port, key): packets for fd carry key. The port does not own fd.
    bool associate(NativeHandle fd, std::uint64_t key);

    // Overlapped operations. Each returns the op id (> 0), or -errno when it could not be issued.
    std::int64_t recv(NativeHandle fd, std::uint64_t token);
    std::int64_t send(NativeHandle fd, std::span<const std::byte> bytes, std::uint64_t token);
    std::int64_t read(NativeHandle fd, std::span<std::byte> into, std::uint64_t offset, std::uint64_t token);
    std::int64_t fsync(NativeHandle fd, std::uint64_t token, bool forceAsync = false);
    std::int64_t timeout(std::chrono::nanoseconds after, std::uint64_t token);
    std::int64_t nop(std::uint64_t token, bool forceAsync = false); // forceAsync sets IOSQE_ASYNC: an io-wq thread runs it
    // PostQueuedCompletionStatus: the three values arrive unchanged, through the real CQ.
    std::int64_t post(std::uint64_t key, std::uint32_t bytes, std::uint64_t token);

    // GetQueuedCompletionStatus(Ex). A negative timeout waits forever.
    DequeueStatus dequeue(Completion &out, std::chrono::milliseconds timeout);
    std::size_t dequeueBatch(std::span<Completion> out, std::chrono::milliseconds timeout, DequeueStatus &status);
    void recycle(const Completion &completion); // gives a recv's buffer back

    // Sends every SQE prepared so far to the kernel (SubmitBatch calls it).
    void flush();
    // The calling thread promises to live until the port closes, so it may hand its own requests
    // to the kernel (io_uring cancels a request when the thread that submitted it exits). Saves the
    // hop to the submitter thread; pool threads that may retire must not call it.
    void submitOnThisThread();

    // The Windows kernel notices a running thread wait; here the thread says so.
    void announceBlocking();
    void announceUnblocked();
    bool isCurrentThreadMember() const; // has the calling thread dequeued from this port (and not left)?

    // Cancels every pending operation, waits for the kernel to finish them, wakes every waiter
    // (they return Closed) and frees the ring. Safe to call twice.
    void close();

    PortStats stats() const;
    RingSnapshot ringSnapshot() const;
    std::size_t memoryBytes() const; // the engine's own memory: op slots, buffers, queues
    const KernelFeatures &features() const { return m_features; }
    std::string fallbackNotice() const { return m_fallbackNotice; }

private:
    friend struct PortMember;
    struct OpSlot;
    struct Waiter;

    CompletionPort() = default;
    bool init(const PortOptions &options, std::string &error);

#ifdef _WIN32
    struct WinOp; // an OVERLAPPED with its buffer and the caller's token (completionport_win.cpp)
    template<typename Issue>
    std::int64_t issue(OpKind kind, NativeHandle handle, std::uint64_t token, std::size_t bufferBytes, Issue &&start);
    bool completionFromPacket(WinOp *op, std::uint64_t key, std::uint32_t bytes, bool ok, std::uint32_t error, Completion &out);
    void finishOp(WinOp *op);
    void noteDequeued(const Completion &out);

    KernelFeatures m_features; // io_uring's: empty on Windows
    std::string m_fallbackNotice;
    void *m_port = nullptr; // the IOCP HANDLE
    bool m_skipOnSuccess = false;
    unsigned m_concurrency = 1;
    unsigned m_recvBufferBytes = 512;
    mutable std::mutex m_mutex;             // guards the members below it
    std::unordered_map<NativeHandle, std::uint64_t> m_keys; // associated handles (close() cancels their I/O)
    std::unordered_map<std::uint64_t, WinOp *> m_ops;       // op id -> op, until its packet is done with
    std::deque<Completion> m_inline;        // skip-on-success: completed at once, handed out before the port's
    std::atomic<std::size_t> m_inlineCount{0}; // m_inline.size(), stored under m_mutex; release/acquire: read without it
    std::uint64_t m_nextOpId = 1;
    std::atomic<bool> m_closed{false};             // release/acquire: a waiter that sees it returns Closed
    std::atomic<std::uint64_t> m_pending{0};       // ops the kernel still holds (issued, packet not yet taken): a count only
    std::atomic<std::uint64_t> m_waiters{0};       // threads inside GetQueuedCompletionStatus: a count only
    std::atomic<std::uint64_t> m_completionsHanded{0};
#else

    // Submission side (m_submitMutex).
    io_uring_sqe *acquireSqeLocked();
    template<typename Prepare>
    std::int64_t submit(OpKind kind, int fd, std::uint64_t token, bool forceAsync, Prepare &&prepare);
    void submitWakeLocked(); // a NOP that kicks the thread sleeping in io_uring_enter
    void requestSubmitLocked(); // the submitter thread hands the SQ to the kernel
    void submitterLoop();
    void stopSubmitter();
    OpSlot &slotAt(std::uint32_t index); // defined in completionport_p.h
    std::uint32_t allocSlotLocked();
    void freeSlotLocked(std::uint32_t index);
    std::int32_t allocOwnBufferLocked();
    void recycleLocked(const Completion &completion);
    void rearmStarvedRecvsLocked();
    void submitRearmsLocked();
    bool completionFromCqe(const io_uring_cqe &cqe, Completion &out); // false for the port's own wake-ups

    // Completion side (m_mutex).
    std::size_t reapLocked();
    void dispatchLocked();
    void takeLocked(Completion &out);
    void removeWaiterLocked(Waiter *waiter);
    void promotePollerLocked();
    void joinCurrentThread();
    void forgetMembers(); // the port is going away: its member threads must not touch it on exit
    void leaveLocked(PortMember *member);
    void setStateLocked(PortMember *member, trace::ThreadState state);
    void waitInKernel(std::chrono::steady_clock::time_point deadline, bool noDeadline);

    KernelFeatures m_features;
    std::string m_fallbackNotice;
    unsigned m_concurrency = 1;

    io_uring m_ring{};
    bool m_ringReady = false;

    // Submission: SQ, op slots, buffers and keys. Taken after m_mutex, never before it.
    mutable std::mutex m_submitMutex;
    std::condition_variable m_submitterWake;   // with m_submitMutex: work for the submitter
    std::condition_variable_any m_sqSpace;     // with m_submitMutex: the submitter made room in the SQ
    bool m_submitWanted = false;               // guarded by m_submitMutex
    bool m_submitterStop = false;              // guarded by m_submitMutex
    std::thread m_submitter;
    static constexpr std::uint32_t SlotChunk = 1024; // slots grow by chunks: no copy, no doubling
    std::vector<std::unique_ptr<OpSlot[]>> m_slotChunks;
    std::uint32_t m_slotCount = 0;
    std::uint32_t m_freeSlot = UINT32_MAX;
    std::uint64_t m_nextOpId = 1;
    std::vector<std::uint64_t> m_keyByFd; // index fd; 0 = not associated (keys are stored +1)
    std::unique_ptr<BufferRing> m_buffers;
    std::vector<std::unique_ptr<std::byte[]>> m_ownBuffers; // the fallback: one buffer per pending recv
    std::vector<std::int32_t> m_freeOwnBuffers;
    std::vector<std::uint32_t> m_starvedRecvs; // slots of receives that found no free buffer; re-armed on recycle()
    std::uint32_t m_rearmedInFlight = 0;       // re-armed starved receives not yet completed
    bool m_rearmQueued = false;                // re-armed receives wait in the SQ for one submit
    unsigned m_recvBufferBytes = 0;

    // Completions and waiting threads.
    mutable std::mutex m_mutex;
    std::deque<Completion> m_queue;   // reaped from the CQ, FIFO
    std::vector<Waiter *> m_waiters;  // LIFO stack: back() is released first
    Waiter *m_poller = nullptr;       // the waiter inside io_uring_enter, if any
    std::vector<PortMember *> m_members;
    unsigned m_running = 0;
    bool m_closed = false;
    std::condition_variable m_pollerLeft;
    std::uint64_t m_completionsHanded = 0;

    std::atomic<std::uint64_t> m_pending{0}; // written under either lock, read by stats(): a count only
#endif
};

// While one lives on a thread, that thread's operations are queued in the SQ and handed to the
// kernel together when the outermost batch ends: one io_uring_enter for a whole batch of re-arms.
class SubmitBatch
{
public:
    explicit SubmitBatch(CompletionPort &port);
    ~SubmitBatch();
    SubmitBatch(const SubmitBatch &) = delete;
    SubmitBatch &operator=(const SubmitBatch &) = delete;

private:
    CompletionPort &m_port;
};

} // namespace porthole::engine
