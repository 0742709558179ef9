#pragma once

#include "engine/completionport.h"

#include <liburing.h>

namespace porthole::engine {

// The completion port on Linux, built on io_uring: LIFO release and the concurrency value are
// Porthole's own (FACTS.md §8), over one ring per port.
class BufferRing;
struct PortMember;

class UringPort final : public CompletionPort
{
public:
    static std::unique_ptr<CompletionPort> make(const PortOptions &options, std::string &error); // CompletionPort::create
    ~UringPort() override;

    bool associate(NativeHandle fd, std::uint64_t key) override;
    std::int64_t recv(NativeHandle fd, std::uint64_t token) override;
    std::int64_t send(NativeHandle fd, std::span<const std::byte> bytes, std::uint64_t token) override;
    std::int64_t read(NativeHandle fd, std::span<std::byte> into, std::uint64_t offset, std::uint64_t token) override;
    std::int64_t fsync(NativeHandle fd, std::uint64_t token, bool forceAsync = false) override;
    std::int64_t timeout(std::chrono::nanoseconds after, std::uint64_t token) override;
    std::int64_t nop(std::uint64_t token, bool forceAsync = false) override;
    std::int64_t post(std::uint64_t key, std::uint32_t bytes, std::uint64_t token) override;
    DequeueStatus dequeue(Completion &out, std::chrono::milliseconds timeout) override;
    std::size_t dequeueBatch(std::span<Completion> out, std::chrono::milliseconds timeout, DequeueStatus &status) override;
    void recycle(const Completion &completion) override;
    void flush() override;
    void submitOnThisThread() override;
    void announceBlocking() override;
    void announceUnblocked() override;
    bool isCurrentThreadMember() const override;
    void close() override;
    PortStats stats() const override;
    RingSnapshot ringSnapshot() const override;
    std::size_t memoryBytes() const override;

private:
    friend struct PortMember;
    struct OpSlot;
    struct Waiter;

    UringPort() = default;
    bool init(const PortOptions &options, std::string &error);


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
    bool m_grewThisReap = false;               // the shared buffers grew in this reap (guarded by m_mutex)
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
};

} // namespace porthole::engine
