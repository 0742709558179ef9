// .NET 7+ on Windows: a few ".NET TP I/O" poller threads dequeue batches of up to 1024 packets into a
// ThreadPoolTypedWorkItemQueue, which is itself one high-priority work item: a worker's Execute takes a
// packet, queues the work item again while packets remain (so other workers help), and runs packets
// one after another for up to a dispatch quantum (30 ms). Callbacks never run on a poller
// (PortableThreadPool.IO.Windows.cs, ThreadPoolWorkQueue.cs; FACTS §2, §9).

#include "runtime/runtime_p.h"
#include "runtime/shadowstack.h"

#include <deque>
#include <span>

namespace porthole::runtime {

namespace {

using trace::ThreadReason;
using trace::ThreadRole;

class PollerRuntime final : public Runtime
{
public:
    PollerRuntime(const RuntimeOptions &options, trace::TraceRecorder &recorder) : Runtime(options, recorder) {}

    ~PollerRuntime() override { stop(); }

protected:
    std::string startThreads() override
    {
        for (unsigned i = 0; i < pollerCountFor(m_options); ++i)
            spawn(".NET TP I/O", ThreadRole::Poller, ThreadReason::Startup, [this] { pollLoop(); });
        return {};
    }
    void stopThreads() override {}

private:
    void pollLoop()
    {
        FrameScope frame(FrameId::IoPollerPoll);
        std::vector<engine::Completion> batch(1024);
        for (;;) {
            const DequeueGate::Pass pass = m_gate.pass();
            if (pass == DequeueGate::Pass::Closed)
                return;
            engine::DequeueStatus status;
            std::size_t count;
            {
                FrameScope wait(FrameId::GetQueuedCompletionStatusEx);
                const std::size_t max = pass == DequeueGate::Pass::OneStep ? 1 : batch.size();
                count = m_port->dequeueBatch(std::span(batch.data(), max), std::chrono::milliseconds(-1), status);
            }
            if (status == engine::DequeueStatus::Closed)
                return;
            batchEnqueue(std::span(batch.data(), count));
        }
    }

    // ThreadPoolTypedWorkItemQueue: BatchEnqueue + CompleteBatchEnqueue.
    void batchEnqueue(std::span<const engine::Completion> packets)
    {
        std::lock_guard lock(m_typedMutex);
        m_typed.insert(m_typed.end(), packets.begin(), packets.end());
        scheduleLocked();
    }

    void scheduleLocked()
    {
        if (m_scheduled || m_typed.empty())
            return;
        m_scheduled = true;
        m_workers->queue({[this] { executeTypedQueue(); }, FrameId::TypedQueueExecute}, true);
    }

    // ThreadPoolTypedWorkItemQueue.Execute, on a worker.
    void executeTypedQueue()
    {
        constexpr auto Quantum = std::chrono::milliseconds(30);
        const auto start = std::chrono::steady_clock::now();
        std::unique_lock lock(m_typedMutex);
        m_scheduled = false;
        while (!m_typed.empty()) {
            const engine::Completion packet = m_typed.front();
            m_typed.pop_front();
            scheduleLocked(); // packets remain: another worker may help
            lock.unlock();
            {
                FrameScope invoke(FrameId::PollerEventInvoke);
                FrameScope perform(FrameId::IoPollerCallbackInvoke);
                handleCompletion(packet);
            }
            lock.lock();
            if (std::chrono::steady_clock::now() - start >= Quantum || stopping())
                break; // the rest wait for the work item queued above
        }
    }

    std::mutex m_typedMutex; // guards m_typed and m_scheduled
    std::deque<engine::Completion> m_typed;
    bool m_scheduled = false; // a work item to process m_typed is queued
};

} // namespace

std::unique_ptr<Runtime> makePollerRuntime(const RuntimeOptions &options, trace::TraceRecorder &recorder)
{
    return std::make_unique<PollerRuntime>(options, recorder);
}

} // namespace porthole::runtime
