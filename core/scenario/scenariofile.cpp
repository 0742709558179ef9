#include "scenario/scenariofile.h"

#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <utility>
#include <vector>

#include "engine/descriptorlimit.h"
#include "scenario/claims.h"
#include "scenario/fieldreader_p.h"

#include <QFile>
#include <QSaveFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace porthole::scenario {

namespace {

QStringList runtimeNames()
{
    QStringList names;
    for (int k = 0; k <= int(runtime::RuntimeKind::ThreadPerSocket); ++k)
        names << QString::fromLatin1(runtime::runtimeKindName(runtime::RuntimeKind(k)).data());
    return names;
}

const QStringList Highlights = {QStringLiteral("sockets"), QStringLiteral("queue"), QStringLiteral("threads"),
                                QStringLiteral("callstacks"), QStringLiteral("timeline"), QStringLiteral("claims")};

} // namespace

namespace {
// JSON lets a key repeat and QJsonDocument keeps the last: in a scenario that hides a mistake. Finds
// the first key that repeats within one object, with its line (0: none).
std::pair<QString, int> firstDuplicateKey(const QByteArray &json)
{
    std::vector<QSet<QByteArray>> objects; // the keys of each object open around the cursor
    std::vector<bool> isObject;            // each open bracket: an object, or an array
    int line = 1;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (c == '\n')
            ++line;
        if (c == '{' || c == '[') {
            isObject.push_back(c == '{');
            objects.emplace_back();
        } else if ((c == '}' || c == ']') && !isObject.empty()) {
            isObject.pop_back();
            objects.pop_back();
        } else if (c == '"') {
            QByteArray text;
            for (++i; i < json.size() && json[i] != '"'; ++i) {
                if (json[i] == '\\' && i + 1 < json.size())
                    text += json[i++];
                text += json[i];
            }
            qsizetype next = i + 1;
            while (next < json.size() && (json[next] == ' ' || json[next] == '\t' || json[next] == '\r' || json[next] == '\n'))
                ++next;
            const bool isKey = next < json.size() && json[next] == ':' && !isObject.empty() && isObject.back();
            if (isKey && objects.back().contains(text))
                return {QString::fromUtf8(text), line};
            if (isKey)
                objects.back().insert(text);
        }
    }
    return {{}, 0};
}

bool hasControlCharacters(const QString &text)
{
    return std::any_of(text.begin(), text.end(), [](QChar c) { return c.unicode() < 0x20 || c.unicode() == 0x7f; });
}
} // namespace

ScenarioLoad parseScenario(const QByteArray &json, const QString &source)
{
    ScenarioLoad load;
    if (json.trimmed().isEmpty()) {
        load.errors << QStringLiteral("%1: the file is empty; a scenario is a JSON object (see scenarios/README.md)").arg(source);
        return load;
    }
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        const int line = int(json.left(parseError.offset).count('\n')) + 1;
        load.errors << QStringLiteral("%1:%2: not valid JSON: %3").arg(source).arg(line).arg(parseError.errorString());
        return load;
    }
    if (!doc.isObject()) {
        load.errors << QStringLiteral("%1: the top level must be an object { ... }, not %2")
                           .arg(source, doc.isArray() ? QStringLiteral("an array") : QStringLiteral("a value"));
        return load;
    }
    if (const auto [key, line] = firstDuplicateKey(json); line > 0) {
        load.errors << QStringLiteral("%1:%2: the key \"%3\" appears twice in one object; keep one").arg(source).arg(line).arg(key);
        return load;
    }
    FieldReader r(json, source, load.errors);
    const QJsonObject root = doc.object();
    r.rejectUnknown(root, {}, {QStringLiteral("id"), QStringLiteral("title"), QStringLiteral("summary"), QStringLiteral("runtime"),
                               QStringLiteral("port_concurrency"), QStringLiteral("threads"), QStringLiteral("sockets"),
                               QStringLiteral("traffic"), QStringLiteral("callback"), QStringLiteral("timers"),
                               QStringLiteral("posts"), QStringLiteral("files"), QStringLiteral("duration_s"), QStringLiteral("claims"),
                               QStringLiteral("walkthrough"), QStringLiteral("sources")});
    Scenario s;
    s.sourcePath = source;
    s.id = r.string(root, {}, QStringLiteral("id"), {}, true);
    static const QRegularExpression IdPattern(QStringLiteral("^[a-z0-9][a-z0-9-]{0,63}$"));
    if (root.contains(QStringLiteral("id")) && root.value(QStringLiteral("id")).isString() && !IdPattern.match(s.id).hasMatch())
        r.error(QStringLiteral("id"), QStringLiteral("use 1 to 64 lowercase letters, digits and '-' (starting with a letter or digit), e.g. my-lesson"));
    s.title = r.string(root, {}, QStringLiteral("title"), s.id);
    s.summary = r.string(root, {}, QStringLiteral("summary"), {});
    for (const auto &[field, text] : {std::pair{QStringLiteral("title"), s.title}, std::pair{QStringLiteral("summary"), s.summary}})
        if (hasControlCharacters(text) || text.contains(QLatin1Char('<')))
            r.error(field, QStringLiteral("plain text on one line: no control characters, no HTML tags"));
    const QString runtimeName = r.choice(root, {}, QStringLiteral("runtime"), QStringLiteral("raw-uring"),
                                         runtimeNames() << realRuntimeIds());
    if (realRuntimeIds().contains(runtimeName)) { // a real pool (CoreCLR, Mono), compared with Porthole's model of it
        s.realRuntime = runtimeName.section(QLatin1Char('-'), 0, 0);
        s.runtime.kind = runtime::RuntimeKind::DotNetLinux;
    } else {
        s.runtime.kind = runtime::runtimeKindFromName(runtimeName.toStdString()).value_or(runtime::RuntimeKind::RawUring);
    }
    s.runtime.portConcurrency = unsigned(r.number(root, {}, QStringLiteral("port_concurrency"), 0, 0, 1024));
    s.durationS = r.number(root, {}, QStringLiteral("duration_s"), 5, 0.1, 3600, false);

    const QJsonObject threads = r.object(root, {}, QStringLiteral("threads"));
    r.rejectUnknown(threads, QStringLiteral("threads"), {QStringLiteral("io_min"), QStringLiteral("io_max"), QStringLiteral("worker_min"),
                                                         QStringLiteral("worker_max"), QStringLiteral("pollers"), QStringLiteral("io_start"),
                                                         QStringLiteral("changes")});
    s.runtime.ioMinThreads = unsigned(r.number(threads, QStringLiteral("threads"), QStringLiteral("io_min"), 0, 0, 1000));
    s.runtime.ioMaxThreads = unsigned(r.number(threads, QStringLiteral("threads"), QStringLiteral("io_max"), 1000, 1, 1000));
    s.runtime.ioStartThreads = unsigned(r.number(threads, QStringLiteral("threads"), QStringLiteral("io_start"), 1, 1, 1000));
    s.runtime.workers.minThreads = unsigned(r.number(threads, QStringLiteral("threads"), QStringLiteral("worker_min"), 0, 0, 1000));
    s.runtime.workers.maxThreads = unsigned(r.number(threads, QStringLiteral("threads"), QStringLiteral("worker_max"), 32767, 1, 32767));
    s.runtime.pollers = unsigned(r.number(threads, QStringLiteral("threads"), QStringLiteral("pollers"), 0, 0, 64));
    // A minimum above its maximum is a mistake, not something to clamp in silence.
    if (s.runtime.ioMinThreads > s.runtime.ioMaxThreads)
        r.error(QStringLiteral("threads.io_min"), QStringLiteral("%1 is above io_max (%2)").arg(s.runtime.ioMinThreads).arg(s.runtime.ioMaxThreads));
    if (s.runtime.ioStartThreads > s.runtime.ioMaxThreads)
        r.error(QStringLiteral("threads.io_start"), QStringLiteral("%1 is above io_max (%2)").arg(s.runtime.ioStartThreads).arg(s.runtime.ioMaxThreads));
    if (s.runtime.workers.minThreads > s.runtime.workers.maxThreads)
        r.error(QStringLiteral("threads.worker_min"),
                QStringLiteral("%1 is above worker_max (%2)").arg(s.runtime.workers.minThreads).arg(s.runtime.workers.maxThreads));

    // threads.changes: SetMinThreads / SetMaxThreads while running, e.g. {"at_s": 3, "worker_min": 12}.
    const QJsonArray changes = r.array(threads, QStringLiteral("threads"), QStringLiteral("changes"));
    for (qsizetype i = 0; i < changes.size() && i < 100; ++i) {
        const QString path = QStringLiteral("threads.changes[%1]").arg(i);
        if (!changes[i].isObject()) {
            r.error(path, QStringLiteral("must be an object {\"at_s\": 3, \"worker_min\": 12}"));
            continue;
        }
        const QJsonObject c = changes[i].toObject();
        const QStringList fields = {QStringLiteral("worker_min"), QStringLiteral("worker_max"), QStringLiteral("io_min"), QStringLiteral("io_max")};
        r.rejectUnknown(c, path, QStringList{QStringLiteral("at_s")} + fields);
        LimitChange change;
        change.atS = r.number(c, path, QStringLiteral("at_s"), 0, 0, 3600, false);
        std::optional<unsigned> *targets[] = {&change.limits.workerMin, &change.limits.workerMax, &change.limits.ioMin, &change.limits.ioMax};
        for (int f = 0; f < 4; ++f)
            if (c.contains(fields[f]))
                *targets[f] = unsigned(r.number(c, path, fields[f], 1, 1, f < 2 ? 32767 : 1000));
        if (change.limits.empty())
            r.error(path, QStringLiteral("changes nothing: give worker_min, worker_max, io_min or io_max"));
        s.limitChanges << change;
    }
    if (changes.size() > 100)
        r.error(QStringLiteral("threads.changes"), QStringLiteral("at most 100 changes"));

    const QJsonObject sockets = r.object(root, {}, QStringLiteral("sockets"));
    r.rejectUnknown(sockets, QStringLiteral("sockets"), {QStringLiteral("count"), QStringLiteral("transport")});
    s.sockets = int(r.number(sockets, QStringLiteral("sockets"), QStringLiteral("count"), 100, 0, 19000));
    r.choice(sockets, QStringLiteral("sockets"), QStringLiteral("transport"), QStringLiteral("socketpair"), {QStringLiteral("socketpair")});
    if (s.sockets > 0) {
        engine::raiseDescriptorLimit();
        const std::string why = engine::checkDescriptorBudget(std::uint64_t(s.sockets) + 64, std::to_string(s.sockets) + " sockets");
        if (!why.empty())
            r.error(QStringLiteral("sockets.count"), QString::fromStdString(why));
    }

    const QJsonObject traffic = r.object(root, {}, QStringLiteral("traffic"));
    r.rejectUnknown(traffic, QStringLiteral("traffic"), {QStringLiteral("pattern"), QStringLiteral("messages_per_second"),
                                                         QStringLiteral("message_bytes"), QStringLiteral("burst_period_ms")});
    const QString pattern = r.choice(traffic, QStringLiteral("traffic"), QStringLiteral("pattern"), QStringLiteral("uniform"),
                                     {QStringLiteral("none"), QStringLiteral("uniform"), QStringLiteral("burst"), QStringLiteral("hot_socket")});
    s.trafficEnabled = pattern != QLatin1String("none");
    s.traffic.pattern = pattern == QLatin1String("burst") ? workload::TrafficOptions::Pattern::Burst
                        : pattern == QLatin1String("hot_socket") ? workload::TrafficOptions::Pattern::HotSocket
                                                                 : workload::TrafficOptions::Pattern::Uniform;
    s.traffic.messagesPerSecond = r.number(traffic, QStringLiteral("traffic"), QStringLiteral("messages_per_second"), 1000, 0, 1e6, false);
    s.traffic.messageBytes = std::uint32_t(r.number(traffic, QStringLiteral("traffic"), QStringLiteral("message_bytes"), 16, 1, 65536));
    s.traffic.burstPeriod = std::chrono::milliseconds(
        qint64(r.number(traffic, QStringLiteral("traffic"), QStringLiteral("burst_period_ms"), 1000, 10, 600000)));

    const QJsonObject callback = r.object(root, {}, QStringLiteral("callback"));
    r.rejectUnknown(callback, QStringLiteral("callback"), {QStringLiteral("cpu_us"), QStringLiteral("block_every"), QStringLiteral("block_ms"),
                                                           QStringLiteral("block_kind"), QStringLiteral("offload"),
                                                           QStringLiteral("offload_block_ms")});
    auto &cb = s.runtime.callback;
    cb.cpuWork = std::chrono::microseconds(qint64(r.number(callback, QStringLiteral("callback"), QStringLiteral("cpu_us"), 0, 0, 1e6)));
    cb.blockEvery = unsigned(r.number(callback, QStringLiteral("callback"), QStringLiteral("block_every"), 0, 0, 1e6));
    cb.blockFor = std::chrono::milliseconds(qint64(r.number(callback, QStringLiteral("callback"), QStringLiteral("block_ms"), 0, 0, 60000)));
    cb.blockKind = r.choice(callback, QStringLiteral("callback"), QStringLiteral("block_kind"), QStringLiteral("sleep"),
                            {QStringLiteral("sleep"), QStringLiteral("sync_over_async")}) == QLatin1String("sleep")
                       ? workload::CallbackBehavior::Block::Sleep
                       : workload::CallbackBehavior::Block::SyncOverAsync;
    cb.offloadToWorker = r.boolean(callback, QStringLiteral("callback"), QStringLiteral("offload"), false);
    cb.offloadBlockFor = std::chrono::milliseconds(
        qint64(r.number(callback, QStringLiteral("callback"), QStringLiteral("offload_block_ms"), 0, 0, 60000)));
    if (cb.offloadBlockFor.count() > 0 && !cb.offloadToWorker)
        r.error(QStringLiteral("callback.offload_block_ms"), QStringLiteral("needs \"offload\": true (it is how long each work item sleeps)"));

    const QJsonObject timers = r.object(root, {}, QStringLiteral("timers"));
    r.rejectUnknown(timers, QStringLiteral("timers"), {QStringLiteral("count"), QStringLiteral("delay_ms")});
    s.timers.count = int(r.number(timers, QStringLiteral("timers"), QStringLiteral("count"), 0, 0, 100000));
    s.timers.delayMs = int(r.number(timers, QStringLiteral("timers"), QStringLiteral("delay_ms"), 100, 0, 600000));

    const QJsonObject posts = r.object(root, {}, QStringLiteral("posts"));
    r.rejectUnknown(posts, QStringLiteral("posts"),
                    {QStringLiteral("count"), QStringLiteral("key"), QStringLiteral("bytes"), QStringLiteral("interval_ms"), QStringLiteral("threads")});
    s.posts.count = int(r.number(posts, QStringLiteral("posts"), QStringLiteral("count"), 0, 0, 100000));
    s.posts.key = quint64(r.number(posts, QStringLiteral("posts"), QStringLiteral("key"), 0xBEEF, 0, 4294967295.0));
    s.posts.bytes = quint32(r.number(posts, QStringLiteral("posts"), QStringLiteral("bytes"), 0, 0, 4294967295.0));
    s.posts.intervalMs = int(r.number(posts, QStringLiteral("posts"), QStringLiteral("interval_ms"), 100, 1, 600000));
    s.posts.threads = int(r.number(posts, QStringLiteral("posts"), QStringLiteral("threads"), 0, 0, 8));
    if (s.posts.threads > 0 && (posts.contains(QStringLiteral("count")) || posts.contains(QStringLiteral("interval_ms"))))
        r.error(QStringLiteral("posts.threads"), QStringLiteral("floods the port until the run ends: leave out \"count\" and \"interval_ms\""));
    if (s.posts.threads > 0 && !runtime::needsPortFor(s.runtime.kind))
        r.error(QStringLiteral("posts.threads"), QStringLiteral("posts go to a completion port, and this runtime has none"));

    const QJsonObject files = r.object(root, {}, QStringLiteral("files"));
    r.rejectUnknown(files, QStringLiteral("files"), {QStringLiteral("fsync_every_ms")});
    s.fsyncEveryMs = int(r.number(files, QStringLiteral("files"), QStringLiteral("fsync_every_ms"), 0, 0, 600000));
    if (s.fsyncEveryMs > 0 && !runtime::needsPortFor(s.runtime.kind))
        r.error(QStringLiteral("files.fsync_every_ms"), QStringLiteral("file operations go through the completion port; runtime '%1' "
                                                                        "has none (use legacy-iocp, dotnet7-pollers or raw-uring)").arg(runtimeName));
    if (s.posts.count > 0 && !runtime::needsPortFor(s.runtime.kind))
        r.error(QStringLiteral("posts.count"), QStringLiteral("posts need a completion port; runtime '%1' has none (use legacy-iocp, "
                                                              "dotnet7-pollers or raw-uring)").arg(runtimeName));

    const QJsonArray claims = r.array(root, {}, QStringLiteral("claims"));
    for (qsizetype i = 0; i < claims.size(); ++i) {
        const QString path = QStringLiteral("claims[%1]").arg(i);
        if (!claims[i].isObject()) {
            r.error(path, QStringLiteral("must be an object {\"name\": ..., \"expression\": ...}"));
            continue;
        }
        const QJsonObject c = claims[i].toObject();
        r.rejectUnknown(c, path, {QStringLiteral("name"), QStringLiteral("expression"), QStringLiteral("basis")});
        Claim claim{r.string(c, path, QStringLiteral("name"), {}, true), r.string(c, path, QStringLiteral("expression"), {}, true),
                    r.choice(c, path, QStringLiteral("basis"), QStringLiteral("runtime-model"), claimBases())};
        const ClaimParse parsed = parseClaim(claim.expression);
        if (!parsed.claim)
            r.error(path + QStringLiteral(".expression"), parsed.error);
        s.claims << claim;
    }

    const QJsonArray steps = r.array(root, {}, QStringLiteral("walkthrough"));
    for (qsizetype i = 0; i < steps.size(); ++i) {
        const QString path = QStringLiteral("walkthrough[%1]").arg(i);
        if (!steps[i].isObject()) {
            r.error(path, QStringLiteral("must be an object {\"narration\": ...}"));
            continue;
        }
        const QJsonObject o = steps[i].toObject();
        r.rejectUnknown(o, path, {QStringLiteral("narration"), QStringLiteral("pause_when"), QStringLiteral("question"), QStringLiteral("highlight"),
                                  QStringLiteral("sources")});
        WalkthroughStep step;
        step.narration = r.string(o, path, QStringLiteral("narration"), {}, true);
        step.pauseWhen = r.string(o, path, QStringLiteral("pause_when"), {});
        if (!step.pauseWhen.isEmpty())
            if (const ClaimParse parsed = parseClaim(step.pauseWhen); !parsed.claim)
                r.error(path + QStringLiteral(".pause_when"), parsed.error);
        step.highlight = r.choice(o, path, QStringLiteral("highlight"), QStringLiteral("threads"), Highlights);
        const QJsonObject q = r.object(o, path, QStringLiteral("question"));
        if (o.contains(QStringLiteral("question")) && o.value(QStringLiteral("question")).isObject() && q.isEmpty())
            r.error(path + QStringLiteral(".question"), QStringLiteral("is empty: give prompt, choices (two or more strings) and answer"));
        if (!q.isEmpty()) {
            const QString qpath = path + QStringLiteral(".question");
            r.rejectUnknown(q, qpath, {QStringLiteral("prompt"), QStringLiteral("choices"), QStringLiteral("answer"), QStringLiteral("explanation")});
            step.question.prompt = r.string(q, qpath, QStringLiteral("prompt"), {}, true);
            for (const QJsonValue &choice : r.array(q, qpath, QStringLiteral("choices"))) {
                if (!choice.isString() || choice.toString().trimmed().isEmpty())
                    r.error(qpath + QStringLiteral(".choices"), QStringLiteral("each choice is a non-empty string"));
                step.question.choices << choice.toString();
            }
            if (step.question.choices.size() < 2)
                r.error(qpath + QStringLiteral(".choices"), QStringLiteral("give at least two choices"));
            step.question.answer = int(r.number(q, qpath, QStringLiteral("answer"), 0, 0, std::max<qsizetype>(0, step.question.choices.size() - 1)));
            step.question.explanation = r.string(q, qpath, QStringLiteral("explanation"), {});
        }
        step.sources = r.sources(o, path);
        s.walkthrough << step;
    }
    s.sources = r.sources(root, {});
    if (load.errors.isEmpty())
        load.scenario = s;
    return load;
}

QStringList missingSources(const Scenario &scenario)
{
    QStringList missing;
    if (scenario.sources.isEmpty())
        missing << QStringLiteral("sources");
    for (qsizetype i = 0; i < scenario.walkthrough.size(); ++i)
        if (!scenario.walkthrough[i].question.prompt.isEmpty() && scenario.walkthrough[i].sources.isEmpty())
            missing << QStringLiteral("walkthrough[%1].sources").arg(i);
    return missing;
}

} // namespace porthole::scenario
