#include "model/modelstate.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace porthole::model {

using trace::EventType;
using trace::FrameId;

namespace {
bool onStack(const ThreadView &t, FrameId frame)
{
    return std::any_of(t.stack.begin(), t.stack.end(), [frame](const StackFrame &f) { return f.frame == std::uint16_t(frame); });
}
} // namespace

bool isLessonRole(trace::ThreadRole role)
{
    return role != trace::ThreadRole::Porthole && role != trace::ThreadRole::KernelWorker;
}

ModelState::ModelState() { observed.fill(std::nan("")); }

std::size_t ModelState::approximateBytes() const
{
    constexpr std::size_t MapEntry = 40; // a node (key, value, next) with the allocator's header, and its bucket
    std::size_t bytes = sizeof(ModelState) + sockets.capacity() + pauses.capacity() * sizeof(PauseSpan)
                        + (postedKeys.size() + cellOfFd.size() + cellOfOp.size()) * MapEntry;
    for (const ThreadView &t : threads)
        bytes += sizeof(ThreadView) + t.name.capacity() + t.stack.capacity() * sizeof(StackFrame);
    return bytes;
}

void ModelState::apply(const trace::Event &e)
{
    ++eventIndex;
    timeNs = e.timeNs;
    if (e.thread >= threads.size())
        threads.resize(e.thread + 1);
    ThreadView &t = threads[e.thread];
    t.index = e.thread;
    switch (e.type) {
    case EventType::ThreadCreated:
        if (t.alive)
            break;
        t.alive = true;
        t.state = trace::ThreadState::NotObserved; // a new thread has said nothing yet
        t.role = trace::ThreadRole(std::min<std::uint8_t>(e.small, std::uint8_t(trace::ThreadRole::Last)));
        t.osThreadId = std::int32_t(e.value);
        ++aliveByRole[std::size_t(t.role)];
        if (!pauses.empty() && pauses.back().open && isLessonRole(t.role))
            ++pauses.back().threadsAdded;
        break;
    case EventType::ThreadExited:
        if (!t.alive)
            break;
        t.alive = false;
        t.stack.clear();
        --aliveByRole[std::size_t(t.role)];
        break;
    case EventType::ThreadState:
        t.state = trace::ThreadState(e.small);
        break;
    case EventType::StackPush:
        if (t.stack.size() < MaxStackDepth) // a push carries its depth in a byte: deeper is a crafted trace
            t.stack.push_back({e.aux, std::uint32_t(e.id)});
        break;
    case EventType::StackPop:
        if (!t.stack.empty())
            t.stack.pop_back();
        break;
    case EventType::QueueSample:
        switch (trace::QueueKind(e.small)) {
        case trace::QueueKind::PortQueue: portQueue = e.value; break;
        case trace::QueueKind::CqReady: cqReady = e.value; break;
        case trace::QueueKind::SqPending: sqPending = e.value; break;
        case trace::QueueKind::WorkerQueue: workerQueue = e.value; break;
        case trace::QueueKind::PendingOps: pendingOps = e.value; break;
        }
        break;
    case EventType::OpSubmitted: {
        ++pendingOps;
        if (trace::OpKind(e.aux) == trace::OpKind::Recv && (sockets.size() < MaxSocketCells || cellOfFd.contains(std::int64_t(e.value)))) {
            const auto fd = std::int64_t(e.value);
            auto [it, inserted] = cellOfFd.try_emplace(fd, std::uint32_t(sockets.size()));
            if (inserted)
                sockets.push_back(SocketState::Pending);
            sockets[it->second] = SocketState::Pending;
            cellOfOp[e.id] = it->second;
        }
        break;
    }
    case EventType::OpCompleted: {
        if (pendingOps > 0)
            --pendingOps;
        ++reaped;
        // The CQE was reaped: it left the CQ for the port queue.
        if (cqReady > 0)
            --cqReady;
        ++portQueue;
        // Not a receive of a socket (posts, timers, a flood): no hash of its id to compute.
        if (const auto it = cellOfOp.empty() ? cellOfOp.end() : cellOfOp.find(e.id); it != cellOfOp.end()) {
            sockets[it->second] = SocketState::Completed;
            cellOfOp.erase(it);
        }
        break;
    }
    case EventType::OpDequeued:
        ++dequeued;
        if (trace::OpKind(e.aux) == trace::OpKind::Post) {
            if (auto it = postedKeys.find(e.value); it != postedKeys.end() && it->second > 0) {
                ++postsReturned;
                if (--it->second == 0)
                    ++postedKeysAtZero;
            }
        }
        if (portQueue > 0)
            --portQueue;
        break;
    case EventType::CallbackBegin:
        ++callbacks;
        ++t.callbacks;
        ++callbacksByRole[std::size_t(t.role)];
        callbacksUnderDispatch += onStack(t, FrameId::Dispatch);
        callbacksUnderPerformIo += onStack(t, FrameId::PerformIOCompletionCallback);
        if (!pauses.empty() && pauses.back().open)
            ++pauses.back().callbacksStarted;
        break;
    case EventType::Post: {
        ++posts;
        // A key posted again and again is one entry, left at zero between its posts (erased and inserted
        // again, it cost an allocation a post). Hostile traces stay small: past MaxPostedKeys a new key is
        // not counted, unless half of the entries are at zero: those go, at most one look at each per
        // entry freed twice over.
        auto it = postedKeys.find(e.value);
        if (it == postedKeys.end() && postedKeys.size() >= MaxPostedKeys && postedKeysAtZero >= MaxPostedKeys / 2) {
            std::erase_if(postedKeys, [](const auto &entry) { return entry.second == 0; });
            postedKeysAtZero = 0;
        }
        if (it != postedKeys.end()) {
            if (it->second++ == 0)
                --postedKeysAtZero;
        } else if (postedKeys.size() < MaxPostedKeys) {
            postedKeys.emplace(e.value, 1);
        }
        break;
    }
    case EventType::Timer:
        timersFired += e.small == 1;
        break;
    case EventType::Observed:
        if (e.aux < observed.size())
            observed[e.aux] = std::bit_cast<double>(e.value);
        break;
    case EventType::RunControl: {
        const double atS = std::bit_cast<double>(e.value);
        const bool paused = !pauses.empty() && pauses.back().open;
        if (e.small == std::uint8_t(trace::RunAction::Paused) && !paused) {
            pauses.push_back({atS});
        } else if (e.small == std::uint8_t(trace::RunAction::Resumed) && paused) {
            pauses.back().forS = atS - pauses.back().atS;
            pauses.back().open = false;
        } else if (e.small == std::uint8_t(trace::RunAction::Stepped) && paused) {
            ++pauses.back().steps;
        }
        break;
    }
    case EventType::KernelState:
        t.kernel = {char(e.small), std::uint32_t(e.id), std::int64_t(e.id >> 32) - 1, e.value, e.timeNs};
        break;
    default:
        break;
    }
}

std::size_t ModelState::aliveThreads() const
{
    std::size_t n = 0;
    for (const std::uint64_t alive : aliveByRole)
        n += std::size_t(alive);
    return n;
}

} // namespace porthole::model
