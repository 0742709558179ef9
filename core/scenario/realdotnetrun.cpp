#include "scenario/realdotnetrun.h"

#include "engine/threadinspector.h"
#include "runtime/runtime.h"
#include "scenario/runner.h"
#include "scenario/scenariofile.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>

#include <bit>
#include <cmath>
#include <csignal>
#include <unordered_map>
#include <unordered_set>

namespace porthole::scenario {

using trace::EventType;
using trace::ThreadRole;
using trace::ThreadState;

namespace {

QProcessEnvironment quietDotnet(const QString &home)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DOTNET_NOLOGO"), QStringLiteral("1"));
    env.insert(QStringLiteral("DOTNET_CLI_TELEMETRY_OPTOUT"), QStringLiteral("1"));
    env.insert(QStringLiteral("DOTNET_SKIP_FIRST_TIME_EXPERIENCE"), QStringLiteral("1"));
    if (!env.contains(QStringLiteral("HOME")) && !env.contains(QStringLiteral("DOTNET_CLI_HOME")))
        env.insert(QStringLiteral("DOTNET_CLI_HOME"), home); // the SDK keeps its state there
    return env;
}

// CoreCLR names its threads (PortableThreadPool, SocketAsyncEngine, TimerQueue): the role is the name's.
ThreadRole roleOf(const std::string &name)
{
    if (name.rfind(".NET TP Worker", 0) == 0)
        return ThreadRole::Worker;
    if (name.rfind(".NET Sockets", 0) == 0)
        return ThreadRole::EventLoop;
    if (name.rfind(".NET TP Gate", 0) == 0)
        return ThreadRole::Gate;
    if (name.rfind(".NET Timer", 0) == 0)
        return ThreadRole::Timer;
    return ThreadRole::Other;
}

} // namespace

RealDotnetRun::RealDotnetRun(Scenario scenario)
    : m_scenario(std::move(scenario))
{
}

RealDotnetRun::~RealDotnetRun() { stop(); }

QString RealDotnetRun::dotnetPath() { return QStandardPaths::findExecutable(QStringLiteral("dotnet")); }

QString RealDotnetRun::unsupportedFeature(const Scenario &s)
{
    const auto &cb = s.runtime.callback;
    const QString which = QStringLiteral("the real runtime (dotnet-real) runs one workload so far: a burst of one message to each "
                                         "socket, each callback blocking (Thread.Sleep or Task.Wait); ");
    if (s.sockets < 1 || s.sockets > 2000)
        return which + QStringLiteral("sockets.count must be 1 to 2000, not %1").arg(s.sockets);
    if (!s.trafficEnabled || s.traffic.pattern != workload::TrafficOptions::Pattern::Burst)
        return which + QStringLiteral("traffic.pattern must be burst");
    if (cb.blockEvery != 1 || cb.blockFor.count() <= 0)
        return which + QStringLiteral("callback.block_every must be 1 and callback.block_ms more than 0");
    if (cb.cpuWork.count() > 0 || cb.offloadToWorker)
        return which + QStringLiteral("callback.cpu_us and callback.offload are not in it yet");
    if (s.timers.count > 0)
        return which + QStringLiteral("timers are not in it yet");
    if (s.posts.count > 0)
        return which + QStringLiteral("posts are not in it yet");
    if (s.fsyncEveryMs > 0)
        return which + QStringLiteral("files.fsync_every_ms is not in it yet");
    if (!s.limitChanges.isEmpty())
        return which + QStringLiteral("threads.changes is not in it yet");
    return {};
}

QString RealDotnetRun::buildProbe(QString &dll)
{
    const QString dotnet = dotnetPath();
    if (dotnet.isEmpty())
        return QStringLiteral("the real .NET runtime needs the .NET SDK: `dotnet` is not on PATH (the README says how to install it)");
    QByteArray program, project;
    for (auto [name, bytes] : {std::pair{QStringLiteral(":/dotnet/Program.cs"), &program},
                               std::pair{QStringLiteral(":/dotnet/ThreadPoolProbe.csproj"), &project}}) {
        QFile f(name);
        if (!f.open(QIODevice::ReadOnly))
            return QStringLiteral("the probe's source %1 is missing from this build").arg(name);
        *bytes = f.readAll();
    }
    // One folder per version of the source: a changed probe is built again.
    const QString hash = QString::fromLatin1(QCryptographicHash::hash(program + project, QCryptographicHash::Sha1).toHex().left(12));
    QString cache = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation);
    if (cache.isEmpty())
        cache = QDir::tempPath();
    const QString dir = cache + QStringLiteral("/porthole/dotnet-probe-") + hash;
    dll = dir + QStringLiteral("/out/ThreadPoolProbe.dll");
    if (QFile::exists(dll))
        return {};
    if (!QDir().mkpath(dir + QStringLiteral("/src")))
        return QStringLiteral("cannot create %1 for the probe").arg(dir);
    for (auto [name, bytes] : {std::pair{QStringLiteral("/src/Program.cs"), &program},
                               std::pair{QStringLiteral("/src/ThreadPoolProbe.csproj"), &project}}) {
        QFile f(dir + name);
        if (!f.open(QIODevice::WriteOnly) || f.write(*bytes) != bytes->size())
            return QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString());
    }
    QProcess build;
    build.setProcessEnvironment(quietDotnet(dir));
    build.setProcessChannelMode(QProcess::MergedChannels);
    build.start(dotnet, {QStringLiteral("build"), dir + QStringLiteral("/src/ThreadPoolProbe.csproj"), QStringLiteral("-c"), QStringLiteral("Release"),
                         QStringLiteral("-o"), dir + QStringLiteral("/out"), QStringLiteral("--nologo")});
    if (!build.waitForFinished(300'000) || build.exitCode() != 0 || !QFile::exists(dll))
        return QStringLiteral("dotnet build of the probe failed: %1").arg(QString::fromLocal8Bit(build.readAll().right(1500)));
    return {};
}

QString RealDotnetRun::start()
{
    if (const QString why = unsupportedFeature(m_scenario); !why.isEmpty())
        return why;
    QString dll;
    if (const QString why = buildProbe(dll); !why.isEmpty())
        return why;
    m_collector = std::make_unique<trace::Collector>(m_recorder, m_store);
    m_startTime = std::chrono::steady_clock::now();
    m_observer = std::thread([this, dll] { observe(dll); });
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [this] { return m_ready || m_ended; });
    return m_ready ? QString() : m_failure;
}

void RealDotnetRun::fail(const QString &why)
{
    std::lock_guard lock(m_mutex);
    if (m_failure.isEmpty())
        m_failure = why;
    m_ended = true;
    m_changed.notify_all();
}

void RealDotnetRun::observe(QString dll)
{
    trace::TraceRecorder &recorder = m_recorder;
    const std::uint32_t self = recorder.attachCurrentThread("porthole: observer of dotnet", ThreadRole::Porthole, trace::ThreadReason::Startup);
    const auto &cb = m_scenario.runtime.callback;
    QProcess probe;
    probe.setProcessEnvironment(quietDotnet(QDir::tempPath()));
    probe.start(dotnetPath(), {dll, QStringLiteral("sockets"),
                               cb.blockKind == workload::CallbackBehavior::Block::Sleep ? QStringLiteral("sleep") : QStringLiteral("wait"),
                               QString::number(m_scenario.sockets), QString::number(cb.blockFor.count()), QStringLiteral("3600")});
    if (!probe.waitForStarted(30000)) {
        fail(QStringLiteral("cannot start dotnet: %1").arg(probe.errorString()));
        recorder.detachCurrentThread(trace::ThreadReason::Shutdown);
        return;
    }
    const int pid = int(probe.processId());
    m_pid.store(pid);

    struct Seen {
        std::uint32_t index = 0;
        ThreadRole role = ThreadRole::Other;
        char state = '?';
        std::uint32_t wchan = 0;
        std::uint64_t cpuNs = 0;
        int inCallback = 0;
        ThreadState shown = ThreadState::NotObserved;
        bool inTrace = false;
        std::string name;            // as last read from /proc, while not yet in the trace
        std::uint64_t createdNs = 0; // when its ThreadCreated is stamped: the look before the first that listed it
        std::vector<std::pair<bool, std::uint64_t>> pending; // callbacks (begin?, stamped) reported before it joined
    };
    std::unordered_map<std::int32_t, Seen> threads;
    std::unordered_set<std::uint32_t> epollWaits; // wait channels (string ids) inside epoll_wait
    const auto showState = [&epollWaits](Seen &t) {
        // The kernel's word: running, or asleep in epoll_wait (the socket engine's wait), or asleep elsewhere,
        // inside a callback (blocked) or outside one (parked).
        const bool inEpoll = epollWaits.contains(t.wchan);
        const ThreadState now = t.state == 'R'       ? ThreadState::Running
                                : t.inCallback > 0   ? ThreadState::Blocked
                                : inEpoll            ? ThreadState::WaitingInPort
                                                     : ThreadState::Parked;
        if (now != t.shown) {
            t.shown = now;
            trace::recordAbout(t.index, EventType::ThreadState, std::uint8_t(now), 0, 0, 0);
        }
    };
    std::uint64_t callbackId = 0;
    std::unordered_map<std::int32_t, std::uint64_t> openCallback; // tid -> the op id of its callback
    // A callback the runtime reported, on a thread in the trace. Never drawn before its thread: a begin
    // stamped before the look that found the thread is recorded at that look.
    const auto onCallback = [&](Seen &t, std::int32_t tid, bool begin, std::uint64_t stamped) {
        const std::uint64_t at = std::max(stamped, t.createdNs + 1);
        if (begin) {
            openCallback[tid] = ++callbackId;
            ++t.inCallback;
            trace::recordAboutAt(at, t.index, EventType::CallbackBegin, 0, 0, callbackId, 0);
        } else {
            t.inCallback = std::max(0, t.inCallback - 1);
            trace::recordAboutAt(at, t.index, EventType::CallbackEnd, 0, 0, openCallback[tid], 0);
        }
        showState(t);
    };
    // /proc/PID/task: the runtime's threads as the kernel lists them.
    std::uint64_t previousPollNs = trace::nowNs();
    const auto pollProc = [&] {
        const std::uint64_t pollNs = trace::nowNs();
        std::unordered_map<std::int32_t, bool> alive;
        for (const std::int32_t tid : engine::ThreadInspector::listThreadsOf(pid)) {
            const engine::KernelThreadView view = engine::ThreadInspector::inspectIn(pid, tid);
            if (view.state == '?')
                continue;
            alive[tid] = true;
            // The pool's threads join the trace (a new thread carries the process's name until the runtime
            // names it ".NET TP Worker"); the runtime's others (main, GC, finalizer, signal handler) count in
            // the process's threads only.
            auto [it, seenBefore] = threads.try_emplace(tid);
            Seen &t = it->second;
            bool added = false;
            if (!t.inTrace) {
                // A new thread carries its creator's name (".NET Sockets", ".NET TP Gate") until it sets its own:
                // it joins once two looks read the same name, stamped at the look before the first.
                if (t.name.empty() || view.comm != t.name) {
                    if (t.name.empty())
                        t.createdNs = previousPollNs;
                    t.name = view.comm;
                    continue;
                }
                const ThreadRole role = roleOf(view.comm);
                if (role == ThreadRole::Other)
                    continue;
                t.role = role;
                t.index = recorder.addObservedThread(view.comm, t.role, tid);
                trace::recordAboutAt(t.createdNs, t.index, EventType::ThreadCreated, std::uint8_t(t.role),
                                     std::uint16_t(trace::ThreadReason::Unspecified), 0, std::uint64_t(tid));
                t.inTrace = added = true;
                for (const auto &[begin, stamped] : t.pending)
                    onCallback(t, tid, begin, stamped);
                t.pending.clear();
            }
            const std::uint32_t wchan = recorder.intern(view.wchan);
            if (view.wchan.find("epoll") != std::string::npos)
                epollWaits.insert(wchan);
            if (added || view.state != t.state || wchan != t.wchan || view.cpuNs != t.cpuNs) {
                t.state = view.state;
                t.wchan = wchan;
                t.cpuNs = view.cpuNs;
                trace::recordAbout(t.index, EventType::KernelState, std::uint8_t(view.state), 0,
                                   std::uint64_t(wchan) | (std::uint64_t(view.syscall ? *view.syscall + 1 : 0) << 32), view.cpuNs);
            }
            showState(t);
        }
        for (auto it = threads.begin(); it != threads.end();) {
            if (alive.contains(it->first)) {
                ++it;
                continue;
            }
            if (it->second.inTrace)
                trace::recordAbout(it->second.index, EventType::ThreadExited, 0, std::uint16_t(trace::ThreadReason::Unspecified), 0, 0);
            it = threads.erase(it);
        }
        previousPollNs = pollNs;
        return alive.size();
    };
    const auto sample = [&](std::size_t count) {
        const auto observe = [&](trace::Metric m, double v) {
            trace::recordAbout(self, EventType::Observed, 0, std::uint16_t(m), 0, std::bit_cast<std::uint64_t>(v));
        };
        observe(trace::Metric::Threads, double(count));
        observe(trace::Metric::ProcReadable, 1);
        const std::optional<std::uint64_t> resident = engine::ThreadInspector::residentBytesOf(pid);
        observe(trace::Metric::ResidentBytes, resident ? double(*resident) : std::nan(""));
        const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_startTime).count();
        trace::recordAbout(self, EventType::SampleTick, 0, 0, 0, std::bit_cast<std::uint64_t>(t));
    };

    QByteArray pending;
    bool paused = false;
    auto lastSample = std::chrono::steady_clock::now() - std::chrono::seconds(1);
    while (!m_stopping.load()) {
        probe.waitForReadyRead(20);
        pending += probe.readAllStandardOutput();
        std::size_t count = pollProc(); // threads first: a callback's thread is known before its begin
        for (qsizetype nl; (nl = pending.indexOf('\n')) >= 0; pending.remove(0, nl + 1)) {
            const QList<QByteArray> words = pending.left(nl).trimmed().split(' ');
            if (words.value(0) == "runtime") {
                std::lock_guard lock(m_mutex);
                m_version = QString::fromUtf8(pending.left(nl).trimmed().mid(8));
            } else if (words.value(0) == "ready") {
                std::lock_guard lock(m_mutex);
                m_ready = true;
                m_changed.notify_all();
            } else if ((words.value(0) == "begin" || words.value(0) == "end") && words.size() == 3) {
                const std::int32_t tid = words[2].toInt();
                Seen &t = threads[tid]; // listed at the next look if /proc has not shown it yet
                if (t.inTrace)
                    onCallback(t, tid, words[0] == "begin", words[1].toULongLong());
                else
                    t.pending.emplace_back(words[0] == "begin", words[1].toULongLong()); // recorded when its thread joins
            }
        }
        std::deque<bool> commands;
        {
            std::lock_guard lock(m_mutex);
            commands.swap(m_pauseCommands);
        }
        for (const bool pause : commands) {
            if (pause == paused)
                continue;
            ::kill(pid, pause ? SIGSTOP : SIGCONT); // the whole runtime freezes, or goes on
            paused = pause;
            const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_startTime).count();
            trace::record(EventType::RunControl, std::uint8_t(pause ? trace::RunAction::Paused : trace::RunAction::Resumed), 0, 0,
                          std::bit_cast<std::uint64_t>(t));
        }
        if (std::chrono::steady_clock::now() - lastSample >= Runner::SamplePeriod) {
            lastSample = std::chrono::steady_clock::now();
            sample(count);
        }
        if (probe.state() == QProcess::NotRunning) {
            fail(QStringLiteral("the .NET runtime (pid %1) ended: %2").arg(pid).arg(QString::fromLocal8Bit(probe.readAllStandardError().right(800))));
            break;
        }
    }
    if (paused)
        ::kill(pid, SIGCONT);
    probe.kill(); // the blocked callbacks need not finish
    probe.waitForFinished(5000);
    for (auto &[tid, t] : threads)
        if (t.inTrace)
            trace::recordAbout(t.index, EventType::ThreadExited, 0, std::uint16_t(trace::ThreadReason::Shutdown), 0, 0);
    recorder.detachCurrentThread(trace::ThreadReason::Shutdown);
    std::lock_guard lock(m_mutex);
    m_ended = true;
    m_changed.notify_all();
}

void RealDotnetRun::stop()
{
    m_stopping.store(true);
    if (m_observer.joinable())
        m_observer.join();
    if (m_collector)
        m_collector->stop();
}

void RealDotnetRun::pause()
{
    std::lock_guard lock(m_mutex);
    m_pauseCommands.push_back(true);
}

void RealDotnetRun::resume()
{
    std::lock_guard lock(m_mutex);
    m_pauseCommands.push_back(false);
}

QString RealDotnetRun::failure() const
{
    std::lock_guard lock(m_mutex);
    return m_stopping.load() && m_failure.startsWith(QLatin1String("the .NET runtime (pid")) ? QString() : m_failure;
}

QString RealDotnetRun::runtimeVersion() const
{
    std::lock_guard lock(m_mutex);
    return m_version;
}

std::vector<trace::Event> RealDotnetRun::eventsSince(std::size_t from, std::uint64_t settleNs) const
{
    if (settleNs == 0)
        return m_store.copyEvents(from);
    const std::uint64_t now = trace::nowNs();
    return now > settleNs ? m_store.copyEventsBefore(from, now - settleNs) : std::vector<trace::Event>{};
}

trace::Trace RealDotnetRun::trace() const
{
    trace::Trace t = m_store.snapshot(m_recorder);
    t.scenarioJson = scenarioToJson(m_scenario).toStdString();
    return t;
}

std::unique_ptr<RunSource> makeRunSource(const Scenario &scenario)
{
    if (scenario.realRuntime == QLatin1String("dotnet"))
        return std::make_unique<RealDotnetRun>(scenario);
    return std::make_unique<Runner>(scenario);
}

} // namespace porthole::scenario
