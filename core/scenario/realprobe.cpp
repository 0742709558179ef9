#include "scenario/realdotnetrun.h"

#include "scenario/scenariofile.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>

// The probes a real runtime runs (core/runtime/dotnet, core/runtime/mono): whether the machine has the runtime,
// building them into the cache folder, and the arguments that give one a scenario's workload.

namespace porthole::scenario {

namespace {

// The probe's source as it travels in the binary.
QString readResource(const QString &name, QByteArray &bytes)
{
    QFile f(name);
    if (!f.open(QIODevice::ReadOnly))
        return QStringLiteral("the probe's source %1 is missing from this build").arg(name);
    bytes = f.readAll();
    return {};
}
} // namespace

QProcessEnvironment RealDotnetRun::probeEnvironment(const QString &home)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DOTNET_NOLOGO"), QStringLiteral("1"));
    env.insert(QStringLiteral("DOTNET_CLI_TELEMETRY_OPTOUT"), QStringLiteral("1"));
    env.insert(QStringLiteral("DOTNET_SKIP_FIRST_TIME_EXPERIENCE"), QStringLiteral("1"));
    if (!env.contains(QStringLiteral("HOME")) && !env.contains(QStringLiteral("DOTNET_CLI_HOME")))
        env.insert(QStringLiteral("DOTNET_CLI_HOME"), home); // the SDK keeps its state there
    return env;
}

QString RealDotnetRun::dotnetPath() { return QStandardPaths::findExecutable(QStringLiteral("dotnet")); }

QString RealDotnetRun::toolMissing(const QString &realRuntime)
{
    if (realRuntime == QLatin1String("mono")) {
        if (QStandardPaths::findExecutable(QStringLiteral("mono")).isEmpty() || QStandardPaths::findExecutable(QStringLiteral("mcs")).isEmpty())
            return QStringLiteral("the real Mono runtime needs `mono` and `mcs` on PATH (Debian: apt install mono-runtime mono-mcs; "
                                  "the README says how)");
        return {};
    }
    if (dotnetPath().isEmpty())
        return QStringLiteral("the real .NET runtime needs the .NET SDK: `dotnet` is not on PATH (the README says how to install it)");
    return {};
}

QString RealDotnetRun::unsupportedFeature(const Scenario &s)
{
    const QString which = QStringLiteral("the real runtime (%1) cannot run this scenario: ").arg(runtimeId(s));
    if (s.sockets < 0 || s.sockets > 5000)
        return which + QStringLiteral("sockets.count must be 0 to 5000 (a connection takes two descriptors in the runtime's process), not %1")
                           .arg(s.sockets);
    if (s.posts.count > 0 || s.posts.threads > 0)
        return which + QStringLiteral("posts are PostQueuedCompletionStatus packets to a completion port; .NET on Linux has no port "
                                      "(remove \"posts\")");
    if (s.fsyncEveryMs > 0)
        return which + QStringLiteral("files.fsync_every_ms is an io_uring fsync; the probe does no file I/O (remove \"files\")");
    return {};
}

// The probe's `run` arguments for the scenario (Program.cs and MonoProbe.cs read the same keys).
QStringList RealDotnetRun::probeArguments(const Scenario &s)
{
    using Pattern = workload::TrafficOptions::Pattern;
    const auto &cb = s.runtime.callback;
    const auto limit = [](std::optional<unsigned> v) { return v ? QString::number(*v) : QString(); };
    const QString traffic = !s.trafficEnabled || s.sockets == 0            ? QStringLiteral("none")
                            : s.traffic.pattern == Pattern::Burst     ? QStringLiteral("burst")
                            : s.traffic.pattern == Pattern::HotSocket ? QStringLiteral("hot")
                                                                      : QStringLiteral("uniform");
    QStringList args = {QStringLiteral("run"),
                        QStringLiteral("sockets=%1").arg(s.sockets),
                        QStringLiteral("traffic=") + traffic,
                        QStringLiteral("rate=%1").arg(s.traffic.messagesPerSecond),
                        QStringLiteral("burst_ms=%1").arg(s.traffic.burstPeriod.count()),
                        QStringLiteral("cpu_us=%1").arg(cb.cpuWork.count()),
                        QStringLiteral("offload=%1").arg(cb.offloadToWorker ? 1 : 0),
                        QStringLiteral("offload_block_ms=%1").arg(cb.offloadBlockFor.count()),
                        QStringLiteral("block_every=%1").arg(cb.blockEvery),
                        QStringLiteral("block_ms=%1").arg(cb.blockFor.count()),
                        QStringLiteral("block=") + (cb.blockKind == workload::CallbackBehavior::Block::Sleep ? QStringLiteral("sleep") : QStringLiteral("wait")),
                        QStringLiteral("timers=%1").arg(s.timers.count),
                        QStringLiteral("timer_ms=%1").arg(s.timers.delayMs),
                        QStringLiteral("seconds=3600")};
    // SetMinThreads / SetMaxThreads: the scenario's worker limits where it sets them, then its changes.
    runtime::ThreadLimits start;
    if (s.runtime.workers.minThreads > 0)
        start.workerMin = s.runtime.workers.minThreads;
    if (s.runtime.workers.maxThreads != runtime::WorkerPoolOptions{}.maxThreads)
        start.workerMax = s.runtime.workers.maxThreads;
    if (!start.empty())
        args << QStringLiteral("limits=%1:%2::").arg(limit(start.workerMin), limit(start.workerMax));
    for (const LimitChange &c : s.limitChanges)
        args << QStringLiteral("change=%1:%2:%3:%4:%5")
                    .arg(c.atS)
                    .arg(limit(c.limits.workerMin), limit(c.limits.workerMax), limit(c.limits.ioMin), limit(c.limits.ioMax));
    return args;
}

namespace {
// One folder per version of the probe's source in the cache: a changed probe is built again.
QString probeFolder(const QString &kind, const QByteArray &source)
{
    const QString hash = QString::fromLatin1(QCryptographicHash::hash(source, QCryptographicHash::Sha1).toHex().left(12));
    QString cache = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation);
    if (cache.isEmpty())
        cache = QDir::tempPath();
    return cache + QStringLiteral("/porthole/%1-probe-").arg(kind) + hash;
}

// Mono's probe: one C# file compiled with `mcs`.
QString buildMonoProbe(QString &exe)
{
    QByteArray source;
    if (QString why = readResource(QStringLiteral(":/mono/MonoProbe.cs"), source); !why.isEmpty())
        return why;
    const QString dir = probeFolder(QStringLiteral("mono"), source);
    exe = dir + QStringLiteral("/MonoProbe.exe");
    if (QFile::exists(exe))
        return {};
    QFile f(dir + QStringLiteral("/MonoProbe.cs"));
    if (!QDir().mkpath(dir) || !f.open(QIODevice::WriteOnly) || f.write(source) != source.size())
        return QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString());
    f.close();
    QProcess build;
    build.setProcessChannelMode(QProcess::MergedChannels);
    build.start(QStandardPaths::findExecutable(QStringLiteral("mcs")),
                {QStringLiteral("-nologo"), QStringLiteral("-out:") + exe + QStringLiteral(".part"), f.fileName()});
    if (!build.waitForFinished(120'000) || build.exitCode() != 0 || !QFile::rename(exe + QStringLiteral(".part"), exe))
        return QStringLiteral("mcs could not build the probe: %1").arg(QString::fromLocal8Bit(build.readAll().right(1500)));
    return {};
}
} // namespace

QString RealDotnetRun::buildProbe(const QString &realRuntime, QString &program)
{
    if (const QString why = toolMissing(realRuntime); !why.isEmpty())
        return why;
    if (realRuntime == QLatin1String("mono"))
        return buildMonoProbe(program);
    const QString dotnet = dotnetPath();
    QByteArray program_, project;
    for (auto [name, bytes] : {std::pair{QStringLiteral(":/dotnet/Program.cs"), &program_},
                               std::pair{QStringLiteral(":/dotnet/ThreadPoolProbe.csproj"), &project}})
        if (QString why = readResource(name, *bytes); !why.isEmpty())
            return why;
    const QString dir = probeFolder(QStringLiteral("dotnet"), program_ + project);
    QString &dll = program;
    dll = dir + QStringLiteral("/out/ThreadPoolProbe.dll");
    if (QFile::exists(dll))
        return {};
    if (!QDir().mkpath(dir + QStringLiteral("/src")))
        return QStringLiteral("cannot create %1 for the probe").arg(dir);
    for (auto [name, bytes] : {std::pair{QStringLiteral("/src/Program.cs"), &program_},
                               std::pair{QStringLiteral("/src/ThreadPoolProbe.csproj"), &project}}) {
        QFile f(dir + name);
        if (!f.open(QIODevice::WriteOnly) || f.write(*bytes) != bytes->size())
            return QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString());
    }
    QProcess build;
    build.setProcessEnvironment(probeEnvironment(dir));
    build.setProcessChannelMode(QProcess::MergedChannels);
    build.start(dotnet, {QStringLiteral("build"), dir + QStringLiteral("/src/ThreadPoolProbe.csproj"), QStringLiteral("-c"), QStringLiteral("Release"),
                         QStringLiteral("-o"), dir + QStringLiteral("/out"), QStringLiteral("--nologo")});
    if (!build.waitForFinished(300'000) || build.exitCode() != 0 || !QFile::exists(dll))
        return QStringLiteral("dotnet build of the probe failed: %1").arg(QString::fromLocal8Bit(build.readAll().right(1500)));
    return {};
}
} // namespace porthole::scenario
