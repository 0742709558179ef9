// .NET 7+ on Windows: a few ".NET TP I/O" poller threads dequeue batches of up to 1024 packets and
// queue every callback to the worker pool at high priority. Callbacks never run on a poller.

#include "runtime/runtime_p.h"
#include "runtime/shadowstack.h"

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
            for (std::size_t i = 0; i < count; ++i)
                m_workers->queue({[this, c = batch[i]] { handleCompletion(c); }, FrameId::IoPollerCallbackInvoke}, true);
        }
    }
};

} // namespace

std::unique_ptr<Runtime> makePollerRuntime(const RuntimeOptions &options, trace::TraceRecorder &recorder)
{
    return std::make_unique<PollerRuntime>(options, recorder);
}

} // namespace porthole::runtime
