#include "model/interpreter.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace porthole::model {

using trace::Metric;
using trace::ThreadRole;

void Interpreter::apply(const trace::Event &e)
{
    m_state.apply(e);
    if (e.type == trace::EventType::SampleTick)
        m_history.append(sampleOf(m_state, std::bit_cast<double>(e.value), m_history.isEmpty() ? nullptr : &m_history.constLast()));
}

void Interpreter::apply(const std::vector<trace::Event> &events)
{
    for (const trace::Event &e : events)
        apply(e);
}

MetricsSample Interpreter::sampleOf(const ModelState &state, double timeS, const MetricsSample *previous)
{
    MetricsSample s;
    s.timeS = timeS;
    for (std::size_t m = 0; m < trace::MetricCount; ++m)
        if (trace::isObservedMetric(Metric(m)))
            s.values[m] = state.observed[m];
    const auto alive = [&state](ThreadRole role) { return double(state.aliveByRole[std::size_t(role)]); };
    s[Metric::IoThreads] = alive(ThreadRole::IoCompletion);
    s[Metric::Workers] = alive(ThreadRole::Worker);
    s[Metric::Pollers] = alive(ThreadRole::Poller);
    s[Metric::EventLoops] = alive(ThreadRole::EventLoop);
    s[Metric::SocketThreads] = alive(ThreadRole::Other);
    s[Metric::TimerThreads] = alive(ThreadRole::Timer);
    // The sampler finds io-wq threads in /proc: where it could not read it, their count is not known.
    s[Metric::IoWorkers] = s[Metric::ProcReadable] == 0 ? std::nan("") : alive(ThreadRole::KernelWorker);
    s[Metric::Callbacks] = double(state.callbacks);
    std::uint64_t busiest = 0;
    for (const ThreadView &t : state.threads)
        busiest = std::max(busiest, t.callbacks);
    s[Metric::BusiestThreadShare] = state.callbacks > 0 ? double(busiest) / double(state.callbacks) : 0;
    s[Metric::Posts] = double(state.posts);
    s[Metric::PostsReturned] = double(state.postsReturned);
    s[Metric::Timers] = double(state.timersFired);
    s[Metric::CallbacksUnderDispatch] = double(state.callbacksUnderDispatch);
    s[Metric::CallbacksUnderPerformIo] = double(state.callbacksUnderPerformIo);
    for (std::size_t r = 0; r < ModelState::Roles; ++r)
        s[trace::callbacksOnMetric(ThreadRole(r))] = double(state.callbacksByRole[r]);
    // CPU time as the kernel counts it (the sampler's last /proc reading of each thread, alive or gone).
    std::array<double, ModelState::Roles> cpuNs{};
    for (const ThreadView &t : state.threads)
        if (std::size_t(t.role) < cpuNs.size())
            cpuNs[std::size_t(t.role)] += double(t.kernel.cpuNs);
    for (std::size_t r = 0; r < ModelState::Roles; ++r)
        s[trace::cpuMsOnMetric(ThreadRole(r))] = s[Metric::ProcReadable] == 0 ? std::nan("") : cpuNs[r] / 1e6;
    s[Metric::CompletionsPerS] = previous && timeS > previous->timeS
                                     ? (s[Metric::Callbacks] - (*previous)[Metric::Callbacks]) / (timeS - previous->timeS)
                                     : 0;
    return s;
}

MetricsHistory metricsOf(const std::vector<trace::Event> &events)
{
    Interpreter interpreter;
    interpreter.apply(events);
    return interpreter.history();
}

} // namespace porthole::model
