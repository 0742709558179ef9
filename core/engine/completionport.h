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


namespace porthole::engine {


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
    std::uint64_t freeBuffers = 0;    // shared receive buffers the kernel holds, unused as far as we know
    std::uint64_t sharedBuffers = 0;  // the shared receive buffers there are (the pool grows while receives starve)
    std::uint64_t rearmedRecvs = 0;   // starved receives sent again, not yet completed
    std::uint64_t cqOverflow = 0;     // the kernel's counter of CQEs it had to drop (should stay 0)
    bool cqHasOverflowList = false;   // the kernel holds CQEs that did not fit in the CQ
};

// The ring as the kernel and the app see it now.
struct RingSnapshot {
    unsigned sqHead = 0, sqTail = 0, sqEntries = 0;
    unsigned cqHead = 0, cqTail = 0, cqEntries = 0;
    unsigned cqReady = 0;
};

// A completion port with IOCP's contract: an interface with one implementation per backend, the real
// IOCP on Windows (IocpPort, completionport_iocp.h) and one built on io_uring on Linux (UringPort,
// completionport_uring.h); both record the same trace events. Any thread may submit, post, or dequeue.
// Waiters are released LIFO, one per packet;
// at most `concurrency` associated threads run at once; a running thread that blocks lets a waiter run
// (Windows notices by itself; on Linux the thread announces it).
class CompletionPort
{
public:
    // The platform's port (defined in that backend's files); null with `error` set when it cannot be made.
    static std::unique_ptr<CompletionPort> create(const PortOptions &options, std::string &error);
    virtual ~CompletionPort() = default;
    CompletionPort(const CompletionPort &) = delete;
    CompletionPort &operator=(const CompletionPort &) = delete;

    // CreateIoCompletionPort(handle, port, key): packets for fd carry key. The port does not own fd.
    virtual bool associate(NativeHandle fd, std::uint64_t key) = 0;

    // Overlapped operations. Each returns the op id (> 0), or -errno when it could not be issued.
    virtual std::int64_t recv(NativeHandle fd, std::uint64_t token) = 0;
    virtual std::int64_t send(NativeHandle fd, std::span<const std::byte> bytes, std::uint64_t token) = 0;
    virtual std::int64_t read(NativeHandle fd, std::span<std::byte> into, std::uint64_t offset, std::uint64_t token) = 0;
    virtual std::int64_t fsync(NativeHandle fd, std::uint64_t token, bool forceAsync = false) = 0;
    virtual std::int64_t timeout(std::chrono::nanoseconds after, std::uint64_t token) = 0;
    virtual std::int64_t nop(std::uint64_t token, bool forceAsync = false) = 0; // forceAsync sets IOSQE_ASYNC: an io-wq thread runs it
    // PostQueuedCompletionStatus: the three values arrive unchanged, through the real CQ.
    virtual std::int64_t post(std::uint64_t key, std::uint32_t bytes, std::uint64_t token) = 0;

    // GetQueuedCompletionStatus(Ex). A negative timeout waits forever.
    virtual DequeueStatus dequeue(Completion &out, std::chrono::milliseconds timeout) = 0;
    virtual std::size_t dequeueBatch(std::span<Completion> out, std::chrono::milliseconds timeout, DequeueStatus &status) = 0;
    virtual void recycle(const Completion &completion) = 0; // gives a recv's buffer back

    // Sends every SQE prepared so far to the kernel (SubmitBatch calls it).
    virtual void flush() = 0;
    // The calling thread promises to live until the port closes, so it may hand its own requests
    // to the kernel (io_uring cancels a request when the thread that submitted it exits). Saves the
    // hop to the submitter thread; pool threads that may retire must not call it.
    virtual void submitOnThisThread() = 0;

    // The Windows kernel notices a running thread wait; here the thread says so.
    virtual void announceBlocking() = 0;
    virtual void announceUnblocked() = 0;
    virtual bool isCurrentThreadMember() const = 0; // has the calling thread dequeued from this port (and not left)?

    // Cancels every pending operation, waits for the kernel to finish them, wakes every waiter
    // (they return Closed) and frees the ring. Safe to call twice.
    virtual void close() = 0;

    virtual PortStats stats() const = 0;
    virtual RingSnapshot ringSnapshot() const = 0;
    virtual std::size_t memoryBytes() const = 0; // the engine's own memory: op slots, buffers, queues
    const KernelFeatures &features() const { return m_features; }
    std::string fallbackNotice() const { return m_fallbackNotice; }

protected:
    CompletionPort() = default;
    KernelFeatures m_features;    // io_uring's; empty on Windows
    std::string m_fallbackNotice; // what the probe found missing, in plain words
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
