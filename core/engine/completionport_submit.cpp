// The submission side of the port: operations into the SQ, and the one thread that hands the SQ
// to the kernel. Waiting and release are in completionport_dispatch.cpp; reaping and close in
// completionport.cpp.

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

namespace {
thread_local int t_submitBatchDepth = 0; // > 0: this thread's operations wait for the batch's end
thread_local const CompletionPort *t_submitsFor = nullptr; // this thread outlives that port's requests

// A receive that takes a shared buffer. POLL_FIRST: wait for data before picking a buffer, so an
// idle socket holds none and -ENOBUFS can only mean "data is here, every buffer is busy".
void prepareBufferSelect(io_uring_sqe *sqe)
{
    sqe->ioprio |= IORING_RECVSEND_POLL_FIRST;
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = BufferRing::GroupId;
}
} // namespace

SubmitBatch::SubmitBatch(CompletionPort &port)
    : m_port(port)
{
    ++t_submitBatchDepth;
}

SubmitBatch::~SubmitBatch()
{
    if (--t_submitBatchDepth == 0)
        m_port.flush();
}

void UringPort::flush()
{
    std::lock_guard lock(m_submitMutex);
    m_rearmQueued = false;
    if (!m_ringReady)
        return;
    trace::record(EventType::QueueSample, std::uint8_t(QueueKind::SqPending), 0, 0, io_uring_sq_ready(&m_ring));
    requestSubmitLocked();
}

void UringPort::requestSubmitLocked()
{
    if (t_submitsFor == this && !m_submitterStop) {
        io_uring_submit(&m_ring); // this thread stays until the port closes: it may own requests
        m_sqSpace.notify_all();
        return;
    }
    m_submitWanted = true;
    m_submitterWake.notify_one();
}

void UringPort::submitOnThisThread() { t_submitsFor = this; }

void UringPort::submitterLoop()
{
    // The only thread that hands SQEs to the kernel while the port is open. io_uring ties each
    // request to the task that submitted it and cancels it when that task exits; IOCP does not
    // cancel an overlapped operation when the thread that issued it exits. So the requests of
    // pool threads that come and go are submitted here, by a thread that lives as long as the port.
    std::unique_lock lock(m_submitMutex);
    for (;;) {
        m_submitterWake.wait(lock, [this] { return m_submitWanted || m_submitterStop; });
        if (m_submitterStop)
            return;
        m_submitWanted = false;
        io_uring_submit(&m_ring);
        m_sqSpace.notify_all();
    }
}

void UringPort::stopSubmitter()
{
    {
        std::lock_guard lock(m_submitMutex);
        m_submitterStop = true;
    }
    m_submitterWake.notify_all();
    if (m_submitter.joinable())
        m_submitter.join();
}

std::uint32_t UringPort::allocSlotLocked()
{
    if (m_freeSlot == UINT32_MAX) {
        if (m_slotCount % SlotChunk == 0)
            m_slotChunks.push_back(std::make_unique<OpSlot[]>(SlotChunk));
        slotAt(m_slotCount).generation = 1;
        return m_slotCount++;
    }
    const std::uint32_t index = m_freeSlot;
    m_freeSlot = slotAt(index).nextFree;
    return index;
}

void UringPort::freeSlotLocked(std::uint32_t index)
{
    OpSlot &slot = slotAt(index);
    slot.inUse = false;
    ++slot.generation;
    slot.nextFree = m_freeSlot;
    m_freeSlot = index;
}

std::int32_t UringPort::allocOwnBufferLocked()
{
    if (m_freeOwnBuffers.empty()) {
        m_ownBuffers.push_back(std::make_unique<std::byte[]>(m_recvBufferBytes));
        return std::int32_t(m_ownBuffers.size() - 1);
    }
    const std::int32_t id = m_freeOwnBuffers.back();
    m_freeOwnBuffers.pop_back();
    return id;
}

io_uring_sqe *UringPort::acquireSqeLocked()
{
    io_uring_sqe *sqe = io_uring_get_sqe(&m_ring);
    if (!sqe && m_submitter.joinable() && !m_submitterStop) {
        // The SQ is full: let the submitter hand it to the kernel, and wait for room.
        requestSubmitLocked();
        m_sqSpace.wait(m_submitMutex, [&] { return (sqe = io_uring_get_sqe(&m_ring)) != nullptr || m_submitterStop; });
    } else if (!sqe) {
        io_uring_submit(&m_ring); // closing: the submitter is gone
        sqe = io_uring_get_sqe(&m_ring);
    }
    return sqe;
}

template<typename Prepare>
std::int64_t UringPort::submit(OpKind kind, int fd, std::uint64_t token, bool forceAsync, Prepare &&prepare)
{
    std::unique_lock lock(m_submitMutex);
    if (!m_ringReady)
        return -ESHUTDOWN;
    std::uint64_t key = 0;
    if (fd >= 0) {
        if (std::size_t(fd) >= m_keyByFd.size() || m_keyByFd[std::size_t(fd)] == 0)
            return -EBADF; // as IOCP: a handle gets packets only once associated with the port
        key = m_keyByFd[std::size_t(fd)] - 1;
    }
    io_uring_sqe *sqe = acquireSqeLocked();
    if (!sqe)
        return -EBUSY;
    const std::uint32_t index = allocSlotLocked();
    OpSlot &slot = slotAt(index);
    slot.inUse = true;
    slot.kind = kind;
    slot.token = token;
    slot.key = key;
    slot.opId = m_nextOpId++;
    slot.ownBuffer = -1;
    slot.fd = fd;
    prepare(sqe, slot);
    if (fd >= 0)
        sqe->fd = fd;
    if (forceAsync)
        sqe->flags |= IOSQE_ASYNC;
    io_uring_sqe_set_data64(sqe, userData(index, slot.generation));
    const std::uint64_t opId = slot.opId;
    trace::record(EventType::OpSubmitted, 0, std::uint16_t(kind), opId, std::uint64_t(std::int64_t(fd)));
    if (t_submitBatchDepth == 0)
        requestSubmitLocked();
    // Relaxed: a count read for statistics; the CQE that decrements it orders itself through the ring.
    m_pending.fetch_add(1, std::memory_order_relaxed);
    return std::int64_t(opId);
}

std::int64_t UringPort::recv(int fd, std::uint64_t token)
{
    return submit(OpKind::Recv, fd, token, false, [this](io_uring_sqe *sqe, OpSlot &slot) {
        if (m_buffers) {
            io_uring_prep_recv(sqe, -1, nullptr, m_recvBufferBytes, 0);
            prepareBufferSelect(sqe);
        } else {
            slot.ownBuffer = allocOwnBufferLocked();
            io_uring_prep_recv(sqe, -1, m_ownBuffers[std::size_t(slot.ownBuffer)].get(), m_recvBufferBytes, 0);
        }
    });
}

std::int64_t UringPort::send(int fd, std::span<const std::byte> bytes, std::uint64_t token)
{
    return submit(OpKind::Send, fd, token, false, [&](io_uring_sqe *sqe, OpSlot &) {
        io_uring_prep_send(sqe, -1, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    });
}

std::int64_t UringPort::read(int fd, std::span<std::byte> into, std::uint64_t offset, std::uint64_t token)
{
    return submit(OpKind::Read, fd, token, false, [&](io_uring_sqe *sqe, OpSlot &) {
        io_uring_prep_read(sqe, -1, into.data(), unsigned(into.size()), offset);
    });
}

std::int64_t UringPort::fsync(int fd, std::uint64_t token, bool forceAsync)
{
    return submit(OpKind::Fsync, fd, token, forceAsync, [](io_uring_sqe *sqe, OpSlot &) { io_uring_prep_fsync(sqe, -1, 0); });
}

std::int64_t UringPort::timeout(std::chrono::nanoseconds after, std::uint64_t token)
{
    return submit(OpKind::Timeout, -1, token, false, [&](io_uring_sqe *sqe, OpSlot &slot) {
        slot.timeout.tv_sec = after.count() / 1'000'000'000;
        slot.timeout.tv_nsec = after.count() % 1'000'000'000;
        io_uring_prep_timeout(sqe, &slot.timeout, 0, 0);
    });
}

std::int64_t UringPort::nop(std::uint64_t token, bool forceAsync)
{
    return submit(OpKind::Nop, -1, token, forceAsync, [](io_uring_sqe *sqe, OpSlot &) { io_uring_prep_nop(sqe); });
}

std::int64_t UringPort::post(std::uint64_t key, std::uint32_t bytes, std::uint64_t token)
{
    trace::record(EventType::Post, 0, 0, token, key);
    return submit(OpKind::Post, -1, token, false, [&](io_uring_sqe *sqe, OpSlot &slot) {
        slot.key = key;
        slot.postBytes = bytes;
        io_uring_prep_nop(sqe);
    });
}

void UringPort::submitWakeLocked()
{
    if (io_uring_sqe *sqe = acquireSqeLocked()) {
        io_uring_prep_nop(sqe);
        io_uring_sqe_set_data64(sqe, WakeTag);
        if (m_submitterStop)
            io_uring_submit(&m_ring); // closing: nothing of ours is left to own
        else
            requestSubmitLocked();
    }
}

void UringPort::recycle(const Completion &completion)
{
    std::lock_guard lock(m_submitMutex);
    recycleLocked(completion);
    submitRearmsLocked();
}

void UringPort::submitRearmsLocked()
{
    if (m_rearmQueued && t_submitBatchDepth == 0 && m_ringReady)
        requestSubmitLocked();
    m_rearmQueued = false;
}

void UringPort::recycleLocked(const Completion &completion)
{
    if (completion.bufferId < 0)
        return;
    if (completion.bufferId >= OwnBufferBase)
        m_freeOwnBuffers.push_back(completion.bufferId - OwnBufferBase);
    else if (m_buffers) {
        m_buffers->recycle(std::uint16_t(completion.bufferId));
        rearmStarvedRecvsLocked();
    }
}

void UringPort::rearmStarvedRecvsLocked()
{
    // One re-armed receive per free buffer not already promised to another re-armed receive. A
    // starved receive has data waiting (see prepareBufferSelect), so each one takes its buffer at once.
    while (!m_starvedRecvs.empty() && m_buffers && m_buffers->available() > m_rearmedInFlight) {
        io_uring_sqe *sqe = acquireSqeLocked();
        if (!sqe)
            return; // stays starved; the next recycle tries again
        const std::uint32_t index = m_starvedRecvs.back();
        m_starvedRecvs.pop_back();
        OpSlot &slot = slotAt(index);
        io_uring_prep_recv(sqe, slot.fd, nullptr, m_recvBufferBytes, 0);
        prepareBufferSelect(sqe);
        io_uring_sqe_set_data64(sqe, userData(index, slot.generation));
        slot.rearmed = true;
        ++m_rearmedInFlight;
        m_rearmQueued = true; // submitted by whoever called us (recycle() or reapLocked()), once for all
    }
}

} // namespace porthole::engine
