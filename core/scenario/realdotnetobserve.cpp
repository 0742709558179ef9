// The observer of a real .NET process: starts the probe, follows its threads in /proc and records what
// the runtime reported (callbacks, timers, managed stacks) and what the kernel showed, until the run stops.

#include "scenario/realdotnetrun.h"

#include "engine/threadinspector.h"
#include "runtime/runtime.h"
#include "scenario/runner.h"
#include "scenario/scenariofile.h"

#include <QDir>
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

// The runtimes name their pools' threads (CoreCLR: PortableThreadPool, SocketAsyncEngine, TimerQueue; Mono 6.8:
// its native pool, "Thread Pool Worker" and the I/O selector "Thread Pool I/O ...", which waits in poll; names are
// cut to 15 bytes by the kernel):
// the role is the name's.
ThreadRole roleOf(const std::string &name)
{
    static const std::pair<std::string_view, ThreadRole> prefixes[] = {
        {".NET TP Worker", ThreadRole::Worker}, {".NET Sockets", ThreadRole::EventLoop}, {".NET TP Gate", ThreadRole::Gate},
        {".NET Timer", ThreadRole::Timer},      {"Thread Pool Wor", ThreadRole::Worker}, {"Thread Pool I/O", ThreadRole::EventLoop},
    };
    for (const auto &[prefix, role] : prefixes)
        if (name.starts_with(prefix))
            return role;
    return ThreadRole::Other;
}

bool isMono(const Scenario &s) { return s.realRuntime == QLatin1String("mono"); }

} // namespace

void RealDotnetRun::observe(QString program)
{
    trace::TraceRecorder &recorder = m_recorder;
    QProcess probe;
    probe.setProcessEnvironment(probeEnvironment(QDir::tempPath()));
    const QStringList workload = probeArguments(m_scenario);
    if (isMono(m_scenario))
        probe.start(QStandardPaths::findExecutable(QStringLiteral("mono")), QStringList{program} + workload);
    else
        probe.start(dotnetPath(), QStringList{program} + workload);
    // The runtime names itself first: the observer joins the trace under that name ("porthole: observing .NET 10.0.12").
    QByteArray pending;
    while (probe.waitForReadyRead(30000) || probe.state() == QProcess::Running) {
        pending += probe.readAllStandardOutput();
        if (pending.contains('\n') || probe.state() != QProcess::Running)
            break;
    }
    if (!pending.startsWith("runtime ") || !pending.contains('\n')) {
        fail(QStringLiteral("the probe (%1) did not start: %2 %3")
                 .arg(program, probe.errorString(), QString::fromLocal8Bit(probe.readAllStandardError().right(800))));
        probe.kill();
        probe.waitForFinished(5000);
        return;
    }
    {
        std::lock_guard lock(m_mutex);
        // ".NET 10.0.12"; Mono adds its build: "Mono 6.8.0.105 (Debian 6.8.0.105+dfsg-3.3+deb12u1 ...)" reads "Mono 6.8.0.105".
        m_version = QString::fromUtf8(pending.left(pending.indexOf('\n')).mid(8).trimmed()).section(QStringLiteral(" ("), 0, 0);
    }
    const std::uint32_t self = recorder.attachCurrentThread(std::string(ObserverPrefix) + runtimeVersion().toStdString(), ThreadRole::Porthole,
                                                            trace::ThreadReason::Startup);
    pending.remove(0, pending.indexOf('\n') + 1);
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
        struct Reported {
            enum Kind { End, Begin, Timer } kind;
            std::uint64_t stampedNs;
            std::vector<const char *> frames; // a begin's or a timer's managed stack, innermost first
        };
        std::vector<Reported> pending; // callbacks reported before it joined
        std::vector<std::uint16_t> pushed; // frames pushed for its open callback, outermost first
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
    // The callback's managed stack, as the runtime reported it, is pushed under its begin (outermost
    // first) and popped after its end; a frame the vocabulary names gets its id (Dispatch, ...).
    const auto pushFrames = [](Seen &t, std::uint64_t at, const std::vector<const char *> &frames) {
        for (auto f = frames.rbegin(); f != frames.rend() && t.pushed.size() < 200; ++f) { // a push's depth is a byte
            t.pushed.push_back(std::uint16_t(trace::frameOfReportedName(*f)));
            trace::recordAboutAt(at, t.index, EventType::StackPush, std::uint8_t(t.pushed.size()), t.pushed.back(),
                                 reinterpret_cast<std::uintptr_t>(*f), 0);
        }
    };
    const auto popFrames = [](Seen &t, std::uint64_t at) {
        for (; !t.pushed.empty(); t.pushed.pop_back())
            trace::recordAboutAt(at, t.index, EventType::StackPop, std::uint8_t(t.pushed.size() - 1), t.pushed.back(), 0, 0);
    };
    const auto onCallback = [&](Seen &t, std::int32_t tid, bool begin, std::uint64_t stamped, const std::vector<const char *> &frames) {
        const std::uint64_t at = std::max(stamped, t.createdNs + 1);
        if (begin) {
            openCallback[tid] = ++callbackId;
            ++t.inCallback;
            pushFrames(t, at, frames);
            trace::recordAboutAt(at, t.index, EventType::CallbackBegin, 0, 0, callbackId, 0);
        } else {
            t.inCallback = std::max(0, t.inCallback - 1);
            trace::recordAboutAt(at, t.index, EventType::CallbackEnd, 0, 0, openCallback[tid], 0);
            popFrames(t, at);
        }
        showState(t);
    };
    // A timer fired (a Task.Delay continuation began): a moment on its thread, with the stack it was seen on.
    std::uint64_t timerId = 0;
    const auto onTimer = [&](Seen &t, std::uint64_t stamped, const std::vector<const char *> &frames) {
        if (t.inCallback > 0) // inside a callback's stack: not where the runtime fired it; record the moment alone
            return trace::recordAboutAt(std::max(stamped, t.createdNs + 1), t.index, EventType::Timer, 1, 0, ++timerId, 0);
        const std::uint64_t at = std::max(stamped, t.createdNs + 1);
        pushFrames(t, at, frames);
        trace::recordAboutAt(at, t.index, EventType::Timer, 1, 0, ++timerId, 0);
        popFrames(t, at);
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
                ThreadRole role = roleOf(view.comm);
                // The socket engine (Mono: the I/O selector) and the gate are one thread each: a later thread with
                // the name kept its creator's (Mono's pool starts one that never renames itself).
                if (role == ThreadRole::EventLoop || role == ThreadRole::Gate)
                    for (const auto &[otherTid, other] : threads)
                        if (other.inTrace && other.role == role && otherTid < tid)
                            role = ThreadRole::Other;
                if (role == ThreadRole::Other)
                    continue;
                t.role = role;
                t.index = recorder.addObservedThread(view.comm, t.role, tid);
                trace::recordAboutAt(t.createdNs, t.index, EventType::ThreadCreated, std::uint8_t(t.role),
                                     std::uint16_t(trace::ThreadReason::Unspecified), 0, std::uint64_t(tid));
                t.inTrace = added = true;
                for (const Seen::Reported &r : t.pending)
                    if (r.kind == Seen::Reported::Timer)
                        onTimer(t, r.stampedNs, r.frames);
                    else
                        onCallback(t, tid, r.kind == Seen::Reported::Begin, r.stampedNs, r.frames);
                t.pending.clear();
            }
            const std::uint32_t wchan = recorder.intern(view.wchan);
            if (view.wchan.find("poll") != std::string::npos) // epoll_wait (CoreCLR), poll (Mono's selector)
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

    std::unordered_map<std::int32_t, std::vector<const char *>> reportedFrames; // tid -> its next callback's stack
    bool paused = false;
    auto lastSample = std::chrono::steady_clock::now() - std::chrono::seconds(1);
    while (!m_stopping.load()) {
        probe.waitForReadyRead(20);
        pending += probe.readAllStandardOutput();
        std::size_t count = pollProc(); // threads first: a callback's thread is known before its begin
        for (qsizetype nl; (nl = pending.indexOf('\n')) >= 0; pending.remove(0, nl + 1)) {
            const QByteArray line = pending.left(nl).trimmed();
            const QList<QByteArray> words = line.split(' ');
            if (words.value(0) == "frames" && words.size() >= 3) {
                std::vector<const char *> &frames = reportedFrames[words[1].toInt()]; // until the thread reports others
                frames.clear();
                for (const QByteArray &name : line.mid(words[0].size() + words[1].size() + 2).split('\t'))
                    frames.push_back(m_frameNames.insert(name.toStdString()).first->c_str());
            } else if (words.value(0) == "timer" && words.size() == 3) {
                // A Task.Delay continuation ran: the timer fired on that thread, on the stack it reported.
                const std::int32_t tid = words[2].toInt();
                Seen &t = threads[tid];
                if (t.inTrace)
                    onTimer(t, words[1].toULongLong(), reportedFrames[tid]);
                else
                    t.pending.push_back({Seen::Reported::Timer, words[1].toULongLong(), reportedFrames[tid]});
            } else if (words.value(0) == "limit" && words.size() == 5) {
                // SetMinThreads / SetMaxThreads, as the runtime answered (true: set).
                static const QByteArray kinds[] = {"worker_min", "worker_max", "io_min", "io_max"};
                const auto kind = std::find(std::begin(kinds), std::end(kinds), words[2]);
                if (kind != std::end(kinds))
                    trace::recordAboutAt(words[1].toULongLong(), self, EventType::ThreadLimit, std::uint8_t(kind - std::begin(kinds)),
                                         std::uint16_t(words[3] == "1"), 0, words[4].toULongLong());
            } else if (words.value(0) == "ready") {
                std::lock_guard lock(m_mutex);
                m_ready = true;
                m_changed.notify_all();
            } else if ((words.value(0) == "begin" || words.value(0) == "end") && words.size() == 3) {
                const std::int32_t tid = words[2].toInt();
                Seen &t = threads[tid]; // listed at the next look if /proc has not shown it yet
                const bool begin = words[0] == "begin";
                std::vector<const char *> frames = begin ? reportedFrames[tid] : std::vector<const char *>{};
                if (t.inTrace)
                    onCallback(t, tid, begin, words[1].toULongLong(), frames);
                else
                    t.pending.push_back({begin ? Seen::Reported::Begin : Seen::Reported::End, words[1].toULongLong(), std::move(frames)}); // recorded when its thread joins
            }
        }
        std::deque<bool> commands;
        std::optional<double> rate;
        {
            std::lock_guard lock(m_mutex);
            commands.swap(m_pauseCommands);
            rate = std::exchange(m_newRate, std::nullopt);
        }
        if (rate)
            probe.write(QStringLiteral("rate %1\n").arg(*rate).toUtf8());
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
            fail(QStringLiteral("the real runtime (pid %1) ended: %2").arg(pid).arg(QString::fromLocal8Bit(probe.readAllStandardError().right(800))));
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

} // namespace porthole::scenario
