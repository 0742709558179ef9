// A raw io_uring loop: one thread per ring reaps completions in batches and runs each callback
// inline. No pool, no hand-off: the shape most io_uring servers have.

#include "runtime/runtime_p.h"
#include "runtime/shadowstack.h"

namespace porthole::runtime {

namespace {

class RawUringRuntime final : public Runtime
{
public:
    RawUringRuntime(const RuntimeOptions &options, trace::TraceRecorder &recorder) : Runtime(options, recorder) {}

    ~RawUringRuntime() override { stop(); }

protected:
    std::string startThreads() override
    {
        spawn("io_uring loop", trace::ThreadRole::EventLoop, trace::ThreadReason::Startup, [this] { ringLoop(); });
        return {};
    }
    void stopThreads() override {}

private:
    void ringLoop()
    {
        FrameScope frame(FrameId::RingLoop);
        m_port->submitOnThisThread(); // this loop lives until the runtime stops
        engine::Completion batch[256];
        for (;;) {
            const DequeueGate::Pass pass = m_gate.pass();
            if (pass == DequeueGate::Pass::Closed)
                return;
            engine::DequeueStatus status;
            const std::size_t max = pass == DequeueGate::Pass::OneStep ? 1 : std::size(batch);
            const std::size_t count = m_port->dequeueBatch(std::span(batch, max), std::chrono::milliseconds(-1), status);
            if (status == engine::DequeueStatus::Closed)
                return;
            engine::SubmitBatch rearm(*m_port); // one io_uring_enter for all the re-armed receives
            for (std::size_t i = 0; i < count; ++i)
                handleCompletion(batch[i]);
        }
    }
};

} // namespace

std::unique_ptr<Runtime> makeRawUringRuntime(const RuntimeOptions &options, trace::TraceRecorder &recorder)
{
    return std::make_unique<RawUringRuntime>(options, recorder);
}

} // namespace porthole::runtime
