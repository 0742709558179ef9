#include "scenario/pairs.h"

#include "scenario/builtins.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

namespace porthole::scenario {

namespace {

QJsonObject merged(QJsonObject base, const QJsonObject &patch)
{
    for (auto it = patch.begin(); it != patch.end(); ++it) {
        if (it.value().isObject() && base.value(it.key()).isObject())
            base[it.key()] = merged(base.value(it.key()).toObject(), it.value().toObject());
        else
            base[it.key()] = it.value();
    }
    return base;
}

QString defaultLabel(const Scenario &s) { return QStringLiteral("%1 (%2)").arg(s.title, runtimeLabel(s)); }

} // namespace

QStringList builtinPairIds()
{
    return {QStringLiteral("thread-per-socket-vs-one-thread"), QStringLiteral("legacy-vs-pollers-blocked"),
            QStringLiteral("sleep-vs-task-wait-pair"), QStringLiteral("model-vs-real-sleep"),
            QStringLiteral("model-vs-real-task-wait")};
}

ScenarioLoad patchedScenario(const QString &idOrPath, const QJsonObject &patch)
{
    const ScenarioLoad plain = loadScenario(idOrPath);
    if (!plain.scenario || patch.isEmpty())
        return plain;
    const QString path = builtinScenarioIds().contains(idOrPath) ? builtinScenarioPath(idOrPath) : idOrPath;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {std::nullopt, {QStringLiteral("%1: cannot read: %2").arg(path, file.errorString())}};
    const QJsonObject object = merged(QJsonDocument::fromJson(file.read(MaxScenarioFileBytes)).object(), patch);
    return parseScenario(QJsonDocument(object).toJson(), path + QStringLiteral(" (changed for the comparison)"));
}

PairLoad loadBuiltinPair(const QString &id)
{
    if (!builtinPairIds().contains(id))
        return {std::nullopt, {QStringLiteral("%1: not a built-in pair; the pairs are: %2").arg(id, builtinPairIds().join(QStringLiteral(", ")))}};
    const QString path = QStringLiteral(":/scenarios/pairs/%1.json").arg(id);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {std::nullopt, {QStringLiteral("%1: cannot read: %2").arg(path, file.errorString())}};
    QJsonParseError parseError{};
    const QJsonObject o = QJsonDocument::fromJson(file.readAll(), &parseError).object();
    const QJsonArray runs = o.value(QStringLiteral("runs")).toArray();
    if (parseError.error != QJsonParseError::NoError || runs.size() != 2)
        return {std::nullopt, {QStringLiteral("%1: a pair is an object with \"runs\": two runs").arg(path)}};
    ScenarioPair pair;
    pair.id = id;
    pair.title = o.value(QStringLiteral("title")).toString();
    pair.summary = o.value(QStringLiteral("summary")).toString();
    pair.durationS = o.value(QStringLiteral("duration_s")).toDouble(5);
    PairLoad load;
    for (int i = 0; i < 2; ++i) {
        const QJsonObject run = runs[i].toObject();
        ScenarioLoad side = patchedScenario(run.value(QStringLiteral("scenario")).toString(), run.value(QStringLiteral("patch")).toObject());
        if (!side.scenario) {
            load.errors << side.errors;
            continue;
        }
        pair.sides[i] = {*side.scenario, run.value(QStringLiteral("label")).toString(defaultLabel(*side.scenario))};
    }
    if (load.errors.isEmpty())
        load.pair = pair;
    return load;
}

PairLoad pairOfScenarios(const QString &a, const QString &b)
{
    PairLoad load;
    ScenarioPair pair;
    const QString names[2] = {a, b};
    for (int i = 0; i < 2; ++i) {
        const ScenarioLoad side = loadScenario(names[i]);
        if (!side.scenario) {
            load.errors << side.errors;
            continue;
        }
        pair.sides[i] = {*side.scenario, defaultLabel(*side.scenario)};
    }
    if (!load.errors.isEmpty())
        return load;
    pair.title = QStringLiteral("%1 vs %2").arg(pair.sides[0].scenario.title, pair.sides[1].scenario.title);
    pair.durationS = std::max(pair.sides[0].scenario.durationS, pair.sides[1].scenario.durationS);
    if (pair.sides[0].label == pair.sides[1].label)
        for (int i = 0; i < 2; ++i)
            pair.sides[i].label = QStringLiteral("%1: %2").arg(QChar(u'A' + i)).arg(pair.sides[i].label);
    load.pair = pair;
    return load;
}

PairLoad pairOfRuntimes(const QString &scenario, const QStringList &runtimes)
{
    if (runtimes.size() != 2)
        return {std::nullopt, {QStringLiteral("--runtimes takes two runtimes separated by a comma, e.g. legacy-iocp,dotnet7-pollers")}};
    PairLoad load;
    ScenarioPair pair;
    for (int i = 0; i < 2; ++i) {
        const ScenarioLoad side = patchedScenario(scenario, QJsonObject{{QStringLiteral("runtime"), runtimes[i]}});
        if (!side.scenario) {
            load.errors << side.errors;
            continue;
        }
        pair.sides[i] = {*side.scenario, runtimeLabel(*side.scenario)};
    }
    if (!load.errors.isEmpty())
        return load;
    pair.title = QStringLiteral("%1: %2 vs %3").arg(pair.sides[0].scenario.title, pair.sides[0].label, pair.sides[1].label);
    pair.durationS = pair.sides[0].scenario.durationS;
    load.pair = pair;
    return load;
}

} // namespace porthole::scenario
