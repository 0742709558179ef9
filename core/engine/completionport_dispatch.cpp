// The waiting side of the port: which thread gets the next packet, and when.
//
// Every thread inside dequeue() is a Waiter on a LIFO stack. One of them, the poller, sleeps in
// io_uring_enter; the others sleep on their own condition variable. Whoever reaps CQEs moves them
// to the port queue (FIFO) and hands each packet to the waiter on top of the stack, as long as
// fewer than `concurrency` associated threads are running. A thread that announces it will block
// stops counting as running, so a waiter can be released, as the Windows kernel does on its own.

#include "engine/completionport_p.h"

#include "trace/recorder.h"

#include <algorithm>

namespace porthole::engine {

using trace::EventType;
using trace::QueueKind;
using trace::ThreadState;

namespace {
std::mutex g_membership; // guards PortMember::port changes; taken before any port's m_mutex
thread_local PortMember t_member;
} // namespace

PortMember &currentMember() { return t_member; }

PortMember::~PortMember()
{
    std::lock_guard membership(g_membership);
    // Acquire: pairs with the port destructor's release, so a dead port is seen as null.
    if (UringPort *p = port.load(std::memory_order_acquire)) {
        std::lock_guard lock(p->m_mutex);
        p->leaveLocked(this);
    }
}

void UringPort::joinCurrentThread()
{
    PortMember &me = t_member;
    // Acquire: pairs with the release that set it, on this thread or by a dying port.
    if (me.port.load(std::memory_order_acquire) == this)
        return;
    std::lock_guard membership(g_membership);
    if (UringPort *old = me.port.load(std::memory_order_acquire)) {
        std::lock_guard lock(old->m_mutex);
        old->leaveLocked(&me);
    }
    std::lock_guard lock(m_mutex);
    me.state = ThreadState::Running;
    ++m_running;
    m_members.push_back(&me);
    me.port.store(this, std::memory_order_release); // release: the member list holds us before we say so
}

void UringPort::forgetMembers()
{
    std::lock_guard membership(g_membership);
    std::lock_guard lock(m_mutex);
    for (PortMember *member : m_members)
        member->port.store(nullptr, std::memory_order_release); // release: pairs with the member's acquire on exit
    m_members.clear();
}

void UringPort::leaveLocked(PortMember *member)
{
    if (member->state == ThreadState::Running)
        --m_running;
    std::erase(m_members, member);
    member->port.store(nullptr, std::memory_order_release); // release: pairs with the acquire in joinCurrentThread
    dispatchLocked();
}

void UringPort::setStateLocked(PortMember *member, ThreadState state)
{
    const bool wasRunning = member->state == ThreadState::Running;
    const bool isRunning = state == ThreadState::Running;
    if (wasRunning && !isRunning)
        --m_running;
    else if (!wasRunning && isRunning)
        ++m_running; // may exceed the concurrency value after a blocked thread resumes, as on Windows
    if (member->state != state)
        trace::record(EventType::ThreadState, std::uint8_t(state), 0, 0, 0);
    member->state = state;
}

void UringPort::takeLocked(Completion &out)
{
    out = m_queue.front();
    m_queue.pop_front();
    ++m_completionsHanded;
}

void UringPort::dispatchLocked()
{
    if (m_closed || m_queue.empty())
        return;
    const std::size_t queuedBefore = m_queue.size();
    while (!m_queue.empty() && m_running < m_concurrency && !m_waiters.empty()) {
        Waiter *waiter = m_waiters.back(); // LIFO: the most recent waiter goes first
        m_waiters.pop_back();
        takeLocked(*waiter->out);
        waiter->assigned = true;
        waiter->member->state = ThreadState::Running; // the waiter records the change when it wakes
        ++m_running;
        if (waiter == m_poller) {
            std::lock_guard submitLock(m_submitMutex);
            submitWakeLocked(); // it sleeps in io_uring_enter, not on its condition variable
        } else {
            waiter->wake.notify_one();
        }
    }
    if (m_queue.size() != queuedBefore)
        trace::record(EventType::QueueSample, std::uint8_t(QueueKind::PortQueue), 0, 0, m_queue.size());
}

void UringPort::removeWaiterLocked(Waiter *waiter)
{
    std::erase(m_waiters, waiter);
    promotePollerLocked();
    m_pollerLeft.notify_all();
}

void UringPort::promotePollerLocked()
{
    // Nobody sleeps in the kernel: the newest waiter takes that place.
    if (!m_poller && !m_waiters.empty())
        m_waiters.back()->wake.notify_one();
}

void UringPort::waitInKernel(std::chrono::steady_clock::time_point deadline, bool noDeadline)
{
    // Waits in io_uring_enter(GETEVENTS, min_complete 1) until a CQE is posted, and reads nothing of
    // the rings: io_uring_wait_cqe would peek the CQ head, which reapLocked advances under m_mutex on
    // another thread (a data race, ThreadSanitizer says). Reaping happens under m_mutex.
    const unsigned fd = unsigned(m_ring.ring_fd);
    if (noDeadline) {
        io_uring_enter(fd, 0, 1, IORING_ENTER_GETEVENTS, nullptr);
        return;
    }
    const auto left = std::max(std::chrono::nanoseconds(0), deadline - std::chrono::steady_clock::now());
    __kernel_timespec ts{std::chrono::duration_cast<std::chrono::seconds>(left).count(),
                         (left % std::chrono::seconds(1)).count()};
    io_uring_getevents_arg arg{};
    arg.ts = reinterpret_cast<std::uint64_t>(&ts);
    io_uring_enter2(fd, 0, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, reinterpret_cast<sigset_t *>(&arg),
                    sizeof(arg));
}

DequeueStatus UringPort::dequeue(Completion &out, std::chrono::milliseconds timeout)
{
    joinCurrentThread();
    PortMember *me = &t_member;
    const bool noDeadline = timeout.count() < 0;
    const auto deadline = std::chrono::steady_clock::now() + (noDeadline ? std::chrono::milliseconds(0) : timeout);

    std::unique_lock lock(m_mutex);
    if (m_closed)
        return DequeueStatus::Closed;
    setStateLocked(me, ThreadState::WaitingInPort);
    reapLocked();
    if (!m_queue.empty() && m_running < m_concurrency) {
        // The caller is the newest waiter: the oldest packet is its own.
        takeLocked(out);
        trace::record(EventType::QueueSample, std::uint8_t(QueueKind::PortQueue), 0, 0, m_queue.size());
        setStateLocked(me, ThreadState::Running);
        dispatchLocked();
        trace::record(EventType::OpDequeued, 0, std::uint16_t(out.kind), out.opId, out.key);
        return DequeueStatus::Ok;
    }

    Waiter self;
    self.out = &out;
    self.member = me;
    m_waiters.push_back(&self);
    while (!self.assigned) {
        if (m_closed) {
            removeWaiterLocked(&self);
            setStateLocked(me, ThreadState::Running);
            return DequeueStatus::Closed;
        }
        if (!noDeadline && std::chrono::steady_clock::now() >= deadline) {
            removeWaiterLocked(&self);
            setStateLocked(me, ThreadState::Running);
            return DequeueStatus::Timeout;
        }
        if (!m_poller) {
            // SQEs left in the SQ (a submit refused with -EBUSY while the CQ overflowed) must reach
            // the kernel even while everyone sleeps: ask the submitter once more.
            {
                std::lock_guard submitLock(m_submitMutex);
                if (io_uring_sq_ready(&m_ring) > 0)
                    requestSubmitLocked();
            }
            m_poller = &self;
            lock.unlock();
            waitInKernel(deadline, noDeadline);
            lock.lock();
            m_poller = nullptr;
            reapLocked();
            dispatchLocked();
            if (self.assigned)
                promotePollerLocked();
            m_pollerLeft.notify_all();
        } else if (noDeadline) {
            self.wake.wait(lock);
        } else {
            self.wake.wait_until(lock, deadline);
        }
    }
    // dispatchLocked() counted us running; record it on our own ring.
    trace::record(EventType::ThreadState, std::uint8_t(ThreadState::Running), 0, 0, 0);
    trace::record(EventType::OpDequeued, 0, std::uint16_t(out.kind), out.opId, out.key);
    return DequeueStatus::Ok;
}

std::size_t UringPort::dequeueBatch(std::span<Completion> out, std::chrono::milliseconds timeout,
                                         DequeueStatus &status)
{
    if (out.empty())
        return 0;
    status = dequeue(out[0], timeout);
    if (status != DequeueStatus::Ok)
        return 0;
    // GetQueuedCompletionStatusEx: the packets taken with the first one belong to this thread only.
    std::lock_guard lock(m_mutex);
    reapLocked();
    trace::Moment taken; // the packets taken together, and the queue they leave
    std::size_t count = 1;
    while (count < out.size() && !m_queue.empty()) {
        takeLocked(out[count]);
        taken.record(EventType::OpDequeued, 0, std::uint16_t(out[count].kind), out[count].opId, out[count].key);
        ++count;
    }
    if (count > 1)
        taken.record(EventType::QueueSample, std::uint8_t(QueueKind::PortQueue), 0, 0, m_queue.size());
    return count;
}

void UringPort::announceBlocking()
{
    PortMember *me = &t_member;
    if (me->port.load(std::memory_order_acquire) != this) // acquire: pairs with joinCurrentThread's release
        return;
    std::lock_guard lock(m_mutex);
    setStateLocked(me, ThreadState::Blocked);
    reapLocked();
    dispatchLocked(); // a waiter may run in our place
}

void UringPort::announceUnblocked()
{
    PortMember *me = &t_member;
    if (me->port.load(std::memory_order_acquire) != this) // acquire: pairs with joinCurrentThread's release
        return;
    std::lock_guard lock(m_mutex);
    setStateLocked(me, ThreadState::Running);
}

} // namespace porthole::engine

namespace porthole::engine {

bool UringPort::isCurrentThreadMember() const
{
    return t_member.port.load(std::memory_order_acquire) == this; // acquire: pairs with joinCurrentThread's release
}

} // namespace porthole::engine
