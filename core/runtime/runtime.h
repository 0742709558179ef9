#pragma once

#include "runtime/runtimeoptions.h"

#include "engine/completionport.h"
#include "runtime/dequeuegate.h"
#include "runtime/workerpool.h"
#include "trace/recorder.h"
#include "workload/callback.h"
#include "workload/runclock.h"

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <pthread.h>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace porthole::runtime {

// Live counts, written by runtime threads, read by anyone. Relaxed atomics: statistics only.
struct RuntimeCounters {
    static constexpr std::size_t Roles = std::size_t(trace::ThreadRole::Last) + 1;
    std::array<std::atomic<std::uint64_t>, Roles> callbacksByRole{}; // which role ran the scenario's callbacks
    std::array<std::atomic<std::uint32_t>, Roles> alive{};           // threads alive now, by role
    std::array<std::atomic<std::uint32_t>, Roles> maxAlive{};
    std::atomic<std::uint64_t> callbacks{0};
    std::atomic<std::uint64_t> callbacksUnderDispatch{0};
    std::atomic<std::uint64_t> callbacksUnderPerformIo{0};
    std::atomic<std::uint64_t> posts{0};         // posted packets whose callback ran
    std::atomic<std::int64_t> waitingReceives{0}; // models without a port: sockets armed in epoll, or threads inside recv
    std::atomic<std::uint64_t> timersFired{0};
    std::atomic<std::uint64_t> timersUnderDispatch{0};
    // Callbacks per thread (threads numbered as they start, modulo the array): who got the packets.
    static constexpr std::size_t ThreadSlots = 256;
    std::array<std::atomic<std::uint64_t>, ThreadSlots> callbacksByThread{};
    std::atomic<std::uint32_t> nextThreadSlot{0};
    std::atomic<std::uint32_t> starting{0}; // threads spawned that have not yet attached to the trace
    std::uint64_t callbacksOn(trace::ThreadRole role) const { return callbacksByRole[std::size_t(role)].load(); }
    std::uint32_t aliveOf(trace::ThreadRole role) const { return alive[std::size_t(role)].load(); }
    std::uint32_t maxAliveOf(trace::ThreadRole role) const { return maxAlive[std::size_t(role)].load(); }
};

class Runtime
{
public:
    static std::unique_ptr<Runtime> create(const RuntimeOptions &options, trace::TraceRecorder &recorder, std::string &error);
    virtual ~Runtime();

    // Starts the model's threads and puts a receive on every socket. The sockets stay the caller's.
    std::string start(const std::vector<engine::NativeHandle> &sockets);
    // Stops every thread this runtime started; afterwards none is left and no descriptor of its own.
    void stop();

    // PostQueuedCompletionStatus; false where the model has no completion port (Linux, thread per socket).
    bool post(std::uint64_t key, std::uint32_t bytes, std::uint64_t token);
    // Task.Delay: after `delay`, the continuation runs on a worker.
    void addTimer(std::chrono::milliseconds delay);
    // ThreadPool.SetMinThreads / SetMaxThreads, while running; each value set or refused is recorded
    // (a ThreadLimit event on the calling thread). The worker values steer the worker pool in every
    // model. The completion-port values steer the legacy pool's I/O threads; in .NET 7+ they are only
    // stored (_legacy_minIOCompletionThreads) and steer no thread, as here.
    void setThreadLimits(const ThreadLimits &limits);

    // Pause is a freeze: the run's clock stops (thread injection, idle retirement, timers, the
    // scenario's schedule), no thread dequeues and no callback starts until resume(); step() lets one
    // dequeue and one callback through. pause() returns once every thread already being created is
    // traced, so nothing the runtime decided before the pause shows up after it.
    void pause();
    void resume();
    void step() { m_gate.step(); }
    bool isPaused() const { return m_gate.isPaused(); }
    const workload::RunClock &clock() const { return m_clock; }

    void setSlowMotion(double factor) { m_slowMotion.store(factor, std::memory_order_relaxed); } // a setting
    double slowMotion() const { return m_slowMotion.load(std::memory_order_relaxed); }

    RuntimeKind kind() const { return m_options.kind; }
    const RuntimeOptions &options() const { return m_options; }
    engine::CompletionPort *port() { return m_port.get(); }
    WorkerPool &workers() { return *m_workers; }
    DequeueGate &gate() { return m_gate; }
    const RuntimeCounters &counters() const { return m_counters; }
    std::size_t threadCount() const; // every thread this runtime runs now, workers included

    static constexpr std::uint64_t PostedKeyBase = 1ull << 48; // keys at or above: user posts, not sockets

protected:
    Runtime(const RuntimeOptions &options, trace::TraceRecorder &recorder);
    virtual std::string startThreads() = 0; // the model's own threads
    virtual void stopThreads() = 0;         // wake them (the port is closed by then); stop() joins them
    virtual void releaseResources() {}      // after every thread is joined: close the model's own descriptors
    virtual bool armSockets() { return true; } // port models: one recv per socket
    // The completion-port values of SetMinThreads / SetMaxThreads; true when accepted.
    virtual bool setIoMinThreads(unsigned min) { return min > 0 && min <= m_legacyIoMax && (m_legacyIoMin = min, true); }
    virtual bool setIoMaxThreads(unsigned max) { return max > 0 && max >= m_legacyIoMin && (m_legacyIoMax = max, true); }
    unsigned m_legacyIoMin = 1, m_legacyIoMax = 1000; // .NET 7+: stored, steer nothing (PortableThreadPool.cs)

    // For the models' threads. Returns the error of a thread that could not be created (empty: it was).
    std::string spawn(std::string name, trace::ThreadRole role, trace::ThreadReason reason, std::function<void()> body,
               std::uint32_t ringEvents = trace::TraceRecorder::DefaultRingEvents, std::size_t stackBytes = 0);
    void joinThreads();
    // A packet from the port: runs the callback (or the post's), recycles, re-arms the socket.
    void handleCompletion(const engine::Completion &completion);
    // The scenario's callback for one message, under the frames the calling thread has pushed.
    void runUserCallback(std::uint64_t opId);
    bool stopping() const { return m_stopping.load(std::memory_order_acquire); } // acquire: pairs with stop()

    const RuntimeOptions m_options;
    trace::TraceRecorder &m_recorder;
    workload::RunClock m_clock;
    DequeueGate m_gate;
    std::unique_ptr<engine::CompletionPort> m_port; // null in the models without one
    std::unique_ptr<WorkerPool> m_workers;
    RuntimeCounters m_counters;
    std::vector<engine::NativeHandle> m_sockets;

private:
    class Context;
    class TimerThread;
    void fireTimer(std::uint64_t id);

    std::atomic<double> m_slowMotion{1.0};
    std::atomic<bool> m_stopping{false}; // written by stop(), read by every runtime thread
    std::atomic<std::uint64_t> m_sequence{0};
    std::mutex m_threadsMutex; // guards m_threads
    std::vector<std::thread> m_threads;
    std::vector<pthread_t> m_rawThreads; // threads started with a small stack
    std::mutex m_timersMutex; // guards m_timers
    std::unique_ptr<TimerThread> m_timers;
    bool m_started = false;
};

// A thread of a runtime: counted by role while it lives, attached to the trace.
class RuntimeThreadScope
{
public:
    RuntimeThreadScope(trace::TraceRecorder &recorder, RuntimeCounters &counters, const std::string &name,
                       trace::ThreadRole role, trace::ThreadReason reason, std::uint32_t ringEvents);
    ~RuntimeThreadScope();

private:
    trace::TraceRecorder &m_recorder;
    RuntimeCounters &m_counters;
    trace::ThreadRole m_role;
};

} // namespace porthole::runtime
