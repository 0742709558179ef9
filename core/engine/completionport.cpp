#include "engine/completionport_p.h"

#include "engine/bufferring.h"
#include "trace/recorder.h"

#include <cerrno>
#include <cstring>
#include <pthread.h>
#include <thread>

namespace porthole::engine {

using trace::EventType;
using trace::QueueKind;

std::unique_ptr<CompletionPort> UringPort::make(const PortOptions &options, std::string &error)
{
    std::unique_ptr<UringPort> port(new UringPort());
    if (!port->init(options, error))
        return nullptr;
    return port;
}

bool UringPort::init(const PortOptions &options, std::string &error)
{
    m_features = probeKernel();
    if (!m_features.usable()) {
        error.clear();
        for (const std::string &line : m_features.explain())
            error += line + "\n";
        return false;
    }
    m_concurrency = options.concurrency ? options.concurrency : std::max(1u, std::thread::hardware_concurrency());
    io_uring_params params{};
    params.flags = IORING_SETUP_CQSIZE;
    // Thousands of receives can complete at once: a CQ at least as large as what may be pending
    // keeps the kernel off its overflow list (which refuses submissions until drained).
    params.cq_entries = options.cqEntries ? options.cqEntries : std::max(options.ringEntries * 2, 32768u);
    const int rc = io_uring_queue_init_params(options.ringEntries, &m_ring, &params);
    if (rc < 0) {
        error = "cannot create an io_uring with " + std::to_string(options.ringEntries) + " entries: " + std::strerror(-rc)
                + (rc == -ENOMEM ? " (locked-memory limit? try 'ulimit -l unlimited')" : "");
        return false;
    }
    m_ringReady = true;
    m_submitter = std::thread([this] { submitterLoop(); });
    ::pthread_setname_np(m_submitter.native_handle(), "porthole-submit");
    m_recvBufferBytes = options.recvBufferBytes;
    if (options.useBufferRing && m_features.bufferRings) {
        std::string why;
        m_buffers = BufferRing::create(m_ring, options.recvBuffers, options.recvBufferRing, options.recvBufferBytes, why);
        if (!m_buffers) {
            if (why.find("the receive buffer") != std::string::npos) { // the options are wrong, not the kernel
                error = why;
                return false;
            }
            m_fallbackNotice = why + "; each pending receive gets a buffer of its own instead.";
        }
    } else if (options.useBufferRing) {
        m_fallbackNotice = "provided buffer rings need kernel 5.19; each pending receive gets a buffer of its own instead.";
    }
    return true;
}

UringPort::~UringPort()
{
    close();
    stopSubmitter(); // if the ring never opened
    forgetMembers();
}

bool UringPort::associate(int fd, std::uint64_t key)
{
    if (fd < 0)
        return false;
    std::lock_guard lock(m_submitMutex);
    if (std::size_t(fd) >= m_keyByFd.size())
        m_keyByFd.resize(std::size_t(fd) + 1024, 0);
    m_keyByFd[std::size_t(fd)] = key + 1;
    return true;
}

bool UringPort::completionFromCqe(const io_uring_cqe &cqe, Completion &out)
{
    const std::uint64_t data = io_uring_cqe_get_data64(&cqe);
    if (data == WakeTag || data == CancelTag)
        return false;
    const auto index = std::uint32_t(data);
    const auto generation = std::uint32_t(data >> 32);
    if (index >= m_slotCount || slotAt(index).generation != generation || !slotAt(index).inUse)
        return false; // cannot happen unless the kernel hands back a user_data we never gave it
    OpSlot &slot = slotAt(index);
    if (slot.rearmed) {
        slot.rearmed = false;
        --m_rearmedInFlight;
    }
    if (slot.kind == OpKind::Recv && cqe.res == -ENOBUFS && m_buffers && !m_closed) {
        // Data arrived while every shared buffer was in use. The bytes wait in the socket; the
        // receive stays pending and is sent again when a buffer is free (rearmStarvedRecvsLocked):
        // at once if the pool can grow, else when one comes back. It grows at most once per reap:
        // the receives starved together are taken up before it is grown again.
        if (!m_grewThisReap)
            m_grewThisReap = m_buffers->grow();
        m_starvedRecvs.push_back(index);
        rearmStarvedRecvsLocked();
        return false;
    }
    out = Completion{};
    out.key = slot.key;
    out.token = slot.token;
    out.opId = slot.opId;
    out.kind = slot.kind;
    out.result = cqe.res;
    if (slot.kind == OpKind::Post)
        out.result = slot.postBytes;
    else if (slot.kind == OpKind::Timeout && cqe.res == -ETIME)
        out.result = 0; // the timer fired, which is what a timeout is for
    if (slot.kind == OpKind::Recv) {
        const std::size_t bytes = cqe.res > 0 ? std::size_t(cqe.res) : 0;
        if (m_buffers && (cqe.flags & IORING_CQE_F_BUFFER)) {
            out.bufferId = std::int32_t(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
            m_buffers->markTaken();
            out.data = m_buffers->buffer(std::uint16_t(out.bufferId), bytes);
        } else if (slot.ownBuffer >= 0) {
            out.bufferId = OwnBufferBase + slot.ownBuffer;
            out.data = {m_ownBuffers[std::size_t(slot.ownBuffer)].get(), std::min<std::size_t>(bytes, m_recvBufferBytes)};
        }
    }
    freeSlotLocked(index);
    return true;
}

std::size_t UringPort::reapLocked()
{
    if (!m_ringReady)
        return 0;
    std::size_t reaped = 0;
    m_grewThisReap = false; // written under m_mutex, as every reap
    io_uring_cqe *cqes[64];
    for (;;) {
        const unsigned ready = io_uring_cq_ready(&m_ring);
        // peek_batch also flushes the kernel's overflow list into the CQ when the CQ is empty.
        const unsigned count = io_uring_peek_batch_cqe(&m_ring, cqes, 64);
        if (count == 0)
            break;
        // id carries the CQ head and tail the kernel shows: head << 32 | tail.
        const std::uint64_t headTail = (std::uint64_t(*m_ring.cq.khead) << 32) | io_uring_smp_load_acquire(m_ring.cq.ktail);
        // One look at the CQ, one moment: the depth seen and every CQE taken in it share a time stamp.
        trace::Moment look;
        look.record(EventType::QueueSample, std::uint8_t(QueueKind::CqReady), 0, headTail, ready);
        std::lock_guard lock(m_submitMutex);
        for (unsigned i = 0; i < count; ++i) {
            Completion completion;
            if (!completionFromCqe(*cqes[i], completion))
                continue;
            m_pending.fetch_sub(1, std::memory_order_relaxed); // relaxed: a count for statistics
            look.record(EventType::OpCompleted, 0, std::uint16_t(completion.kind), completion.opId,
                        std::uint64_t(completion.result));
            if (m_closed)
                recycleLocked(completion);
            else
                m_queue.push_back(completion);
            ++reaped;
        }
        // Tells the kernel these CQ slots are free (a release store of the CQ head).
        io_uring_cq_advance(&m_ring, count);
        submitRearmsLocked();
    }
    if (reaped) {
        // The CQ as we leave it (the sample above counted it before reaping).
        trace::Moment after;
        after.record(EventType::QueueSample, std::uint8_t(QueueKind::CqReady), 0, 0, io_uring_cq_ready(&m_ring));
        after.record(EventType::QueueSample, std::uint8_t(QueueKind::PortQueue), 0, 0, m_queue.size());
        after.record(EventType::QueueSample, std::uint8_t(QueueKind::PendingOps), 0, 0, m_pending.load(std::memory_order_relaxed));
    }
    if (io_uring_cq_has_overflow(&m_ring))
        trace::record(EventType::CqOverflow, 1, 0, 0, *m_ring.cq.koverflow);
    return reaped;
}

void UringPort::close()
{
    std::unique_lock lock(m_mutex);
    if (m_closed || !m_ringReady)
        return;
    m_closed = true;
    // Wake every waiter; they return Closed. The one inside io_uring_enter needs a CQE to wake.
    for (Waiter *waiter : m_waiters)
        waiter->wake.notify_one();
    if (m_poller) {
        std::lock_guard submitLock(m_submitMutex);
        submitWakeLocked();
    }
    m_pollerLeft.wait(lock, [this] { return m_poller == nullptr && m_waiters.empty(); });
    stopSubmitter(); // from here on this thread submits: everything left is being cancelled anyway

    {
        std::lock_guard submitLock(m_submitMutex);
        // Starved receives are ours, not the kernel's: nothing to cancel, just forget them.
        for (const std::uint32_t index : m_starvedRecvs)
            freeSlotLocked(index);
        m_pending.fetch_sub(m_starvedRecvs.size(), std::memory_order_relaxed); // relaxed: a count
        m_starvedRecvs.clear();
        // One cancel per operation, by its user_data: the kernel finds each in its hash at once. A single
        // IORING_ASYNC_CANCEL_ANY walks the pending requests again for every one it cancels: closing with
        // 10,000 pending receives took 1.4 s that way, ~25 ms this way (bench: engine_vs_raw_uring's close_ms).
        for (std::uint32_t i = 0; i < m_slotCount; ++i) {
            const OpSlot &slot = slotAt(i);
            if (!slot.inUse)
                continue;
            if (io_uring_sqe *sqe = acquireSqeLocked()) {
                io_uring_prep_cancel64(sqe, userData(i, slot.generation), 0);
                io_uring_sqe_set_data64(sqe, CancelTag);
            }
        }
        io_uring_submit(&m_ring);
    }
    // Wait for the kernel to give back every operation (a running fsync cannot be cancelled, only waited for).
    for (int rounds = 0; m_pending.load(std::memory_order_relaxed) > 0 && rounds < 600; ++rounds) {
        io_uring_cqe *cqe = nullptr;
        __kernel_timespec ts{0, 50'000'000};
        io_uring_wait_cqe_timeout(&m_ring, &cqe, &ts);
        reapLocked();
    }
    reapLocked();
    std::lock_guard submitLock(m_submitMutex);
    for (const Completion &completion : m_queue)
        recycleLocked(completion);
    m_queue.clear();
    m_buffers.reset();
    io_uring_queue_exit(&m_ring);
    m_ringReady = false;
}

PortStats UringPort::stats() const
{
    std::lock_guard lock(m_mutex);
    PortStats s;
    s.pendingOps = m_pending.load(std::memory_order_relaxed);
    s.queued = m_queue.size();
    s.waiters = m_waiters.size();
    s.running = m_running;
    s.concurrency = m_concurrency;
    s.completions = m_completionsHanded;
    {
        std::lock_guard submitLock(m_submitMutex);
        s.starvedRecvs = m_starvedRecvs.size();
        s.freeBuffers = m_buffers ? m_buffers->available() : 0;
        s.sharedBuffers = m_buffers ? m_buffers->count() : 0;
        s.rearmedRecvs = m_rearmedInFlight;
    }
    if (m_ringReady) {
        s.cqOverflow = *m_ring.cq.koverflow;
        s.cqHasOverflowList = io_uring_cq_has_overflow(&m_ring);
    }
    return s;
}

RingSnapshot UringPort::ringSnapshot() const
{
    std::lock_guard lock(m_mutex);
    RingSnapshot r;
    if (!m_ringReady)
        return r;
    // Acquire loads of the kernel-written indices: see the entries they cover.
    r.sqHead = io_uring_smp_load_acquire(m_ring.sq.khead);
    {
        std::lock_guard submit(m_submitMutex); // sqe_tail is the submitters' (after m_mutex, as everywhere)
        r.sqTail = m_ring.sq.sqe_tail;
    }
    r.sqEntries = m_ring.sq.ring_entries;
    r.cqHead = *m_ring.cq.khead; // only we write the CQ head, under m_mutex
    r.cqTail = io_uring_smp_load_acquire(m_ring.cq.ktail);
    r.cqEntries = m_ring.cq.ring_entries;
    r.cqReady = r.cqTail - r.cqHead;
    return r;
}

std::size_t UringPort::memoryBytes() const
{
    std::lock_guard lock(m_mutex);
    std::lock_guard submitLock(m_submitMutex);
    std::size_t bytes = sizeof(*this) + m_slotChunks.size() * SlotChunk * sizeof(OpSlot) + m_keyByFd.capacity() * sizeof(std::uint64_t)
                        + m_queue.size() * sizeof(Completion) + m_waiters.capacity() * sizeof(Waiter *);
    if (m_buffers)
        bytes += m_buffers->memoryBytes();
    bytes += m_ownBuffers.size() * (m_recvBufferBytes + sizeof(void *));
    return bytes;
}

std::unique_ptr<CompletionPort> CompletionPort::create(const PortOptions &options, std::string &error)
{
    return UringPort::make(options, error);
}

} // namespace porthole::engine
