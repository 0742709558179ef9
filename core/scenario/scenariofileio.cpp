// The file side of scenarios: writing one as JSON (and saving a copy), and reading one from disk with
// its limits (regular files only, at most MaxScenarioFileBytes). Parsing is in scenariofile.cpp.

#include "scenario/scenariofile.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace porthole::scenario {

namespace {
QJsonArray limitChangesJson(const QList<LimitChange> &changes)
{
    QJsonArray list;
    for (const LimitChange &c : changes) {
        QJsonObject o{{QStringLiteral("at_s"), c.atS}};
        const std::pair<const char *, const std::optional<unsigned> *> fields[] = {
            {"worker_min", &c.limits.workerMin}, {"worker_max", &c.limits.workerMax}, {"io_min", &c.limits.ioMin}, {"io_max", &c.limits.ioMax}};
        for (const auto &[name, value] : fields)
            if (*value)
                o[QLatin1String(name)] = int(**value);
        list.append(o);
    }
    return list;
}
} // namespace


QByteArray scenarioToJson(const Scenario &s)
{
    const auto &rt = s.runtime;
    const auto &cb = rt.callback;
    const char *pattern = !s.trafficEnabled ? "none"
                          : s.traffic.pattern == workload::TrafficOptions::Pattern::Burst ? "burst"
                          : s.traffic.pattern == workload::TrafficOptions::Pattern::HotSocket ? "hot_socket"
                                                                                              : "uniform";
    QJsonObject root{
        {QStringLiteral("id"), s.id},
        {QStringLiteral("title"), s.title},
        {QStringLiteral("summary"), s.summary},
        {QStringLiteral("runtime"), runtimeId(s)},
        {QStringLiteral("port_concurrency"), int(rt.portConcurrency)},
        {QStringLiteral("duration_s"), s.durationS},
        {QStringLiteral("threads"), QJsonObject{{QStringLiteral("io_min"), int(rt.ioMinThreads)}, {QStringLiteral("io_max"), int(rt.ioMaxThreads)},
                                               {QStringLiteral("io_start"), int(rt.ioStartThreads)},
                                               {QStringLiteral("worker_min"), int(rt.workers.minThreads)},
                                               {QStringLiteral("worker_max"), int(rt.workers.maxThreads)}, {QStringLiteral("pollers"), int(rt.pollers)},
                                               {QStringLiteral("changes"), limitChangesJson(s.limitChanges)}}},
        {QStringLiteral("sockets"), QJsonObject{{QStringLiteral("count"), s.sockets}, {QStringLiteral("transport"), QStringLiteral("socketpair")}}},
        {QStringLiteral("traffic"), QJsonObject{{QStringLiteral("pattern"), QLatin1String(pattern)},
                                               {QStringLiteral("messages_per_second"), s.traffic.messagesPerSecond},
                                               {QStringLiteral("message_bytes"), int(s.traffic.messageBytes)},
                                               {QStringLiteral("burst_period_ms"), qint64(s.traffic.burstPeriod.count())}}},
        {QStringLiteral("callback"), QJsonObject{{QStringLiteral("cpu_us"), qint64(cb.cpuWork.count())}, {QStringLiteral("block_every"), int(cb.blockEvery)},
                                                {QStringLiteral("block_ms"), qint64(cb.blockFor.count())},
                                                {QStringLiteral("block_kind"), cb.blockKind == workload::CallbackBehavior::Block::Sleep
                                                                                   ? QStringLiteral("sleep") : QStringLiteral("sync_over_async")},
                                                {QStringLiteral("offload"), cb.offloadToWorker},
                                                {QStringLiteral("offload_block_ms"), qint64(cb.offloadBlockFor.count())}}},
        {QStringLiteral("timers"), QJsonObject{{QStringLiteral("count"), s.timers.count}, {QStringLiteral("delay_ms"), s.timers.delayMs}}},
        {QStringLiteral("posts"), s.posts.threads > 0 // a flood has no count nor interval
                                      ? QJsonObject{{QStringLiteral("threads"), s.posts.threads}, {QStringLiteral("key"), double(s.posts.key)},
                                                    {QStringLiteral("bytes"), double(s.posts.bytes)}}
                                      : QJsonObject{{QStringLiteral("count"), s.posts.count}, {QStringLiteral("key"), double(s.posts.key)},
                                                    {QStringLiteral("bytes"), double(s.posts.bytes)},
                                                    {QStringLiteral("interval_ms"), s.posts.intervalMs}}},
        {QStringLiteral("files"), QJsonObject{{QStringLiteral("fsync_every_ms"), s.fsyncEveryMs}}},
    };
    QJsonArray claims;
    for (const Claim &c : s.claims)
        claims.append(QJsonObject{{QStringLiteral("name"), c.name}, {QStringLiteral("expression"), c.expression}, {QStringLiteral("basis"), c.basis}});
    root[QStringLiteral("claims")] = claims;
    QJsonArray steps;
    for (const WalkthroughStep &w : s.walkthrough) {
        QJsonObject step{{QStringLiteral("narration"), w.narration}, {QStringLiteral("highlight"), w.highlight}};
        if (!w.pauseWhen.isEmpty())
            step[QStringLiteral("pause_when")] = w.pauseWhen;
        if (!w.question.prompt.isEmpty())
            step[QStringLiteral("question")] = QJsonObject{{QStringLiteral("prompt"), w.question.prompt},
                                                            {QStringLiteral("choices"), QJsonArray::fromStringList(w.question.choices)},
                                                            {QStringLiteral("answer"), w.question.answer},
                                                            {QStringLiteral("explanation"), w.question.explanation}};
        if (!w.sources.isEmpty())
            step[QStringLiteral("sources")] = QJsonArray::fromStringList(w.sources);
        steps.append(step);
    }
    root[QStringLiteral("walkthrough")] = steps;
    if (!s.sources.isEmpty())
        root[QStringLiteral("sources")] = QJsonArray::fromStringList(s.sources);
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

QString saveScenarioFile(const Scenario &scenario, const QString &path)
{
    QSaveFile file(path); // written in full, then renamed over the target: nothing half-written
    if (!file.open(QIODevice::WriteOnly))
        return QStringLiteral("%1: cannot be written: %2").arg(path, file.errorString());
    file.write(scenarioToJson(scenario));
    if (!file.commit())
        return QStringLiteral("%1: cannot be written: %2").arg(path, file.errorString());
    return {};
}

ScenarioLoad loadScenarioFile(const QString &path)
{
    ScenarioLoad load;
    const QFileInfo info(path);
    if (!info.exists()) {
        load.errors << (info.isSymLink() ? QStringLiteral("%1: is a symlink to nothing (or a symlink loop)").arg(path)
                                         : QStringLiteral("%1: no such file").arg(path));
        return load;
    }
    if (info.isDir()) {
        load.errors << QStringLiteral("%1: is a directory, not a scenario file").arg(path);
        return load;
    }
    // A FIFO or a device has no size to check and may never end (or never start): refused.
    if (!info.isFile()) {
        load.errors << QStringLiteral("%1: is not a regular file (a device, a FIFO or a socket); scenario files are regular files").arg(path);
        return load;
    }
    if (info.size() > MaxScenarioFileBytes) {
        load.errors << QStringLiteral("%1: is %2 bytes; scenario files are at most %3 bytes").arg(path).arg(info.size()).arg(MaxScenarioFileBytes);
        return load;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        load.errors << QStringLiteral("%1: cannot be read: %2").arg(path, file.errorString());
        return load;
    }
    // Read with a cap: the file may have grown since it was measured.
    const QByteArray bytes = file.read(MaxScenarioFileBytes + 1);
    if (bytes.size() > MaxScenarioFileBytes) {
        load.errors << QStringLiteral("%1: is more than %2 bytes; scenario files are at most %2 bytes").arg(path).arg(MaxScenarioFileBytes);
        return load;
    }
    return parseScenario(bytes, path);
}

QStringList realRuntimeIds() { return {QStringLiteral("dotnet-real"), QStringLiteral("mono-real")}; }

QString runtimeId(const Scenario &s)
{
    return s.realRuntime.isEmpty() ? QString::fromLatin1(runtime::runtimeKindName(s.runtime.kind).data()) : s.realRuntime + QStringLiteral("-real");
}

QString runtimeLabel(const Scenario &s)
{
    if (s.realRuntime == QLatin1String("dotnet"))
        return QStringLiteral("dotnet-real (CoreCLR, observed)");
    if (s.realRuntime == QLatin1String("mono"))
        return QStringLiteral("mono-real (Mono, observed)");
    return runtimeId(s);
}

} // namespace porthole::scenario
