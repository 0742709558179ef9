#include "runtime/runtime.h"

#include "runtime/runtime_p.h"
#include "runtime/timerthread.h"
#include "runtime/shadowstack.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <pthread.h>

namespace porthole::runtime {

using trace::EventType;
using trace::ThreadRole;
using trace::ThreadState;

namespace {
constexpr std::array<std::string_view, 5> KindNames = {"legacy-iocp", "dotnet7-pollers", "dotnet-linux", "raw-uring",
                                                       "thread-per-socket"};
}

std::string_view runtimeKindName(RuntimeKind kind) { return KindNames[std::size_t(kind)]; }

bool needsPortFor(RuntimeKind kind) { return needsPort(kind); }

std::optional<RuntimeKind> runtimeKindFromName(std::string_view name)
{
    for (std::size_t i = 0; i < KindNames.size(); ++i)
        if (KindNames[i] == name)
            return RuntimeKind(i);
    return std::nullopt;
}

RuntimeThreadScope::RuntimeThreadScope(trace::TraceRecorder &recorder, RuntimeCounters &counters, const std::string &name,
                                       ThreadRole role, trace::ThreadReason reason, std::uint32_t ringEvents)
    : m_recorder(recorder)
    , m_counters(counters)
    , m_role(role)
{
    recorder.attachCurrentThread(name, role, reason, ringEvents);
    --counters.starting;
    setCurrentThreadRole(role);
    nameCurrentThread(name);
    setCurrentThreadSlot(counters.nextThreadSlot++ % (RuntimeCounters::ThreadSlots / 2)); // lower half; workers use the upper
    const auto now = ++counters.alive[std::size_t(role)];
    auto &max = counters.maxAlive[std::size_t(role)];
    for (auto seen = max.load(); now > seen && !max.compare_exchange_weak(seen, now);) {
    }
}

RuntimeThreadScope::~RuntimeThreadScope()
{
    --m_counters.alive[std::size_t(m_role)];
    m_recorder.detachCurrentThread(trace::ThreadReason::Shutdown);
}

// What a callback may do that the runtime must know about.
class Runtime::Context : public workload::CallbackContext
{
public:
    explicit Context(Runtime &runtime) : m_runtime(runtime) {}

    void sleepBlocking(std::chrono::microseconds duration) override
    {
        FrameScope frame(FrameId::ThreadSleep);
        // A real nanosleep, as Thread.Sleep is, in slices so that stop never waits for a long sleep.
        blocked([&] {
            constexpr auto Slice = std::chrono::milliseconds(20);
            const auto until = std::chrono::steady_clock::now() + duration;
            for (auto now = std::chrono::steady_clock::now(); now < until && !m_runtime.stopping(); now = std::chrono::steady_clock::now())
                std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(until - now, Slice));
        });
    }
    void waitOnWorker(std::function<void()> work) override
    {
        FrameScope frame(FrameId::TaskWait);
        struct Done {
            std::mutex mutex;
            std::condition_variable signal;
            bool finished = false;
        };
        auto done = std::make_shared<Done>(); // the worker may finish after we gave up waiting
        m_runtime.m_workers->queue({[done, work = std::move(work)] {
                                        work();
                                        std::lock_guard lock(done->mutex);
                                        done->finished = true;
                                        done->signal.notify_one();
                                    },
                                    FrameId::UserCallback});
        // Task.SpinThenBlockingWait tells the pool first (ThreadPool.NotifyThreadBlocked, .NET 6+).
        m_runtime.m_workers->notifyBlocked();
        blocked([&] {
            std::unique_lock lock(done->mutex);
            while (!done->finished && !m_runtime.stopping())
                done->signal.wait_for(lock, std::chrono::milliseconds(50));
        });
        m_runtime.m_workers->notifyUnblocked();
    }
    void offload(std::function<void()> work, std::chrono::microseconds blockFor) override
    {
        Runtime *runtime = &m_runtime;
        m_runtime.m_workers->queue({[runtime, work = std::move(work), blockFor] {
                                        work();
                                        if (blockFor.count() > 0) {
                                            Context onWorker(*runtime);
                                            onWorker.sleepBlocking(blockFor);
                                        }
                                    },
                                    FrameId::UserCallback});
    }
    double slowMotion() const override { return m_runtime.slowMotion(); }

private:
    template<typename Wait>
    void blocked(Wait &&wait)
    {
        engine::CompletionPort *port = m_runtime.m_port.get();
        const bool portMember = port && port->isCurrentThreadMember();
        if (portMember)
            port->announceBlocking(); // records the state change too
        else
            trace::record(EventType::ThreadState, std::uint8_t(ThreadState::Blocked), 0, 0, 0);
        wait();
        if (portMember)
            port->announceUnblocked();
        else
            trace::record(EventType::ThreadState, std::uint8_t(ThreadState::Running), 0, 0, 0);
    }

    Runtime &m_runtime;
};

Runtime::Runtime(const RuntimeOptions &options, trace::TraceRecorder &recorder)
    : m_options(options)
    , m_recorder(recorder)
    , m_workers(std::make_unique<WorkerPool>(options.workers, recorder, m_gate, m_clock))
{
}

Runtime::~Runtime() = default; // each model's destructor stops it while its overrides still exist

std::unique_ptr<Runtime> Runtime::create(const RuntimeOptions &options, trace::TraceRecorder &recorder, std::string &error)
{
    std::unique_ptr<Runtime> runtime;
    switch (options.kind) {
    case RuntimeKind::LegacyIocp: runtime = makeLegacyIocpRuntime(options, recorder); break;
    case RuntimeKind::DotNetPollers: runtime = makePollerRuntime(options, recorder); break;
    case RuntimeKind::DotNetLinux:
#ifdef _WIN32
        error = "the .NET-on-Linux model waits with epoll: it runs on Linux only";
        return nullptr;
#else
        runtime = makeEpollRuntime(options, recorder);
        break;
#endif
    case RuntimeKind::RawUring: runtime = makeRawUringRuntime(options, recorder); break;
    case RuntimeKind::ThreadPerSocket: runtime = makeThreadPerSocketRuntime(options, recorder); break;
    }
    if (needsPort(options.kind)) {
        engine::PortOptions portOptions = options.port;
        portOptions.concurrency = portConcurrencyFor(options);
        runtime->m_port = engine::CompletionPort::create(portOptions, error);
        if (!runtime->m_port)
            return nullptr;
    }
    return runtime;
}

std::string Runtime::start(const std::vector<engine::NativeHandle> &sockets)
{
    if (m_started)
        return "the runtime is already running";
    m_started = true;
    m_sockets = sockets;
    if (m_port) {
        engine::SubmitBatch batch(*m_port);
        for (std::size_t i = 0; i < m_sockets.size(); ++i) {
            m_port->associate(m_sockets[i], i);
            if (const std::int64_t rc = m_port->recv(m_sockets[i], i); rc < 0)
                return "cannot put a receive on socket " + std::to_string(i) + ": " + std::strerror(int(-rc));
        }
    }
    if (std::string error = startThreads(); !error.empty())
        return error;
    // The run begins once every thread the model starts with is traced: a claim about them (one
    // thread per socket) must not depend on how fast a loaded machine schedules the last of them.
    for (int i = 0; i < 30'000 && m_counters.starting.load() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return {};
}

void Runtime::stop()
{
    if (m_stopping.exchange(true, std::memory_order_acq_rel)) // acq_rel: once, and after every start
        return;
    m_gate.close();
    {
        std::lock_guard lock(m_timersMutex);
        if (m_timers)
            m_timers->stop();
    }
    if (m_port)
        m_port->close(); // every waiter returns Closed
    stopThreads();
    m_workers->stop();
    joinThreads();
    releaseResources();
}

void Runtime::pause()
{
    m_clock.pause();
    m_gate.pause();
    // A thread whose creation was decided before the pause attaches to the trace now: wait for it
    // (briefly), so no thread appears inside the pause that the pause did not hold back.
    for (int i = 0; i < 1000 && (m_counters.starting.load() > 0 || m_workers->starting() > 0); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void Runtime::resume()
{
    m_gate.resume();
    m_clock.resume();
    m_workers->afterResume();
}

bool Runtime::post(std::uint64_t key, std::uint32_t bytes, std::uint64_t token)
{
    if (!m_port || stopping())
        return false;
    if (m_options.kind == RuntimeKind::RawUring) { // a port of one's own: any key and byte count come back as posted
        FrameScope frame(FrameId::PostQueuedCompletionStatus);
        return m_port->post(PostedKeyBase + key, bytes, token) > 0;
    }
    // The pool's port: .NET posts with ThreadPool.UnsafeQueueNativeOverlapped, which calls
    // PostQueuedCompletionStatus(port, 0, 0, overlapped); the overlapped carries the callback. (The
    // legacy pool would call a non-zero key as a function: win32threadpool.cpp.)
    FrameScope api(FrameId::UnsafeQueueNativeOverlapped);
    FrameScope frame(FrameId::PostQueuedCompletionStatus);
    (void)key;
    (void)bytes;
    return m_port->post(PostedKeyBase, 0, token) > 0;
}

void Runtime::setThreadLimits(const ThreadLimits &limits)
{
    const auto note = [](trace::ThreadLimitKind kind, bool applied, unsigned value) {
        trace::record(EventType::ThreadLimit, std::uint8_t(kind), applied ? 1 : 0, 0, value);
    };
    // A pair that is valid together is accepted whichever way it moves: the maximum is tried first
    // (a raise), the minimum set, and a refused maximum tried again (it may have waited for a lower minimum).
    const auto apply = [&](std::optional<unsigned> min, std::optional<unsigned> max, trace::ThreadLimitKind minKind,
                           trace::ThreadLimitKind maxKind, auto setMin, auto setMax) {
        bool maxSet = max && setMax(*max);
        if (min)
            note(minKind, setMin(*min), *min);
        if (max)
            note(maxKind, maxSet || setMax(*max), *max);
    };
    apply(limits.workerMin, limits.workerMax, trace::ThreadLimitKind::WorkerMin, trace::ThreadLimitKind::WorkerMax,
          [this](unsigned n) { return m_workers->setMinThreads(n); }, [this](unsigned n) { return m_workers->setMaxThreads(n); });
    apply(limits.ioMin, limits.ioMax, trace::ThreadLimitKind::IoMin, trace::ThreadLimitKind::IoMax,
          [this](unsigned n) { return setIoMinThreads(n); }, [this](unsigned n) { return setIoMaxThreads(n); });
}

std::size_t Runtime::threadCount() const
{
    std::size_t total = m_workers->threadCount();
    for (const auto &n : m_counters.alive)
        total += n.load();
    return total;
}

std::string Runtime::spawn(std::string name, ThreadRole role, trace::ThreadReason reason, std::function<void()> body,
                    std::uint32_t ringEvents, std::size_t stackBytes)
{
    ++m_counters.starting;
    auto run = [this, name = std::move(name), role, reason, body = std::move(body), ringEvents] {
        RuntimeThreadScope scope(m_recorder, m_counters, name, role, reason, ringEvents);
        FrameScope start(FrameId::ThreadStart);
        body();
    };
    std::lock_guard lock(m_threadsMutex);
    if (stackBytes == 0) {
        try {
            m_threads.emplace_back(std::move(run));
        } catch (const std::system_error &error) {
            --m_counters.starting;
            return error.what();
        }
        return {};
    }
    // std::thread cannot choose its stack size; thousands of blocked threads want small ones.
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, stackBytes);
    auto *heap = new std::function<void()>(std::move(run));
    pthread_t handle;
    const int rc = pthread_create(&handle, &attr, [](void *p) -> void * {
            std::unique_ptr<std::function<void()>> fn(static_cast<std::function<void()> *>(p));
            (*fn)();
            return nullptr;
        }, heap);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        delete heap;
        --m_counters.starting;
        return std::strerror(rc);
    }
    m_rawThreads.push_back(handle);
    return {};
}

void Runtime::joinThreads()
{
    std::vector<std::thread> threads;
    std::vector<pthread_t> raw;
    {
        std::lock_guard lock(m_threadsMutex);
        threads.swap(m_threads);
        raw.swap(m_rawThreads);
    }
    for (std::thread &t : threads)
        t.join();
    for (pthread_t t : raw)
        pthread_join(t, nullptr);
    m_timers.reset();
}

void Runtime::runUserCallback(std::uint64_t opId)
{
    m_gate.beginCallback(opId); // while paused, holds first
    ++m_counters.callbacksByRole[std::size_t(currentThreadRole())];
    ++m_counters.callbacksByThread[currentThreadSlot()];
    if (ShadowStack::contains(FrameId::Dispatch))
        ++m_counters.callbacksUnderDispatch;
    if (ShadowStack::contains(FrameId::PerformIOCompletionCallback))
        ++m_counters.callbacksUnderPerformIo;
    // Last (seq_cst, like the others): a reader that sees `callbacks` reach N sees every other count of
    // those N callbacks too.
    ++m_counters.callbacks;
    {
        FrameScope frame(FrameId::UserCallback);
        Context context(*this);
        workload::runCallback(m_options.callback, ++m_sequence, context);
    }
    trace::record(EventType::CallbackEnd, 0, 0, opId, 0);
}

void Runtime::handleCompletion(const engine::Completion &completion)
{
    if (m_options.onPacket)
        m_options.onPacket(completion);
    if (completion.kind == engine::OpKind::Post) {
        ++m_counters.posts;
        runUserCallback(completion.opId);
        return;
    }
    if (completion.kind != engine::OpKind::Recv)
        return;
    const bool data = completion.result > 0;
    if (data)
        runUserCallback(completion.opId);
    m_port->recycle(completion);
    if (data && !stopping() && completion.key < m_sockets.size())
        m_port->recv(m_sockets[completion.key], completion.token);
}

} // namespace porthole::runtime
