#pragma once

#include "scenario/scenariofile.h"

#include <QJsonObject>
#include <QStringList>

#include <array>

namespace porthole::scenario {

// Two runs to compare side by side (`porthole compare`): each a scenario, possibly changed by a
// patch of its file's fields (another runtime, another socket count, claims that fit the change).
struct PairSide {
    Scenario scenario;
    QString label; // what the window and the JSON call this run
};

struct ScenarioPair {
    QString id;    // a built-in pair's id; empty for a pair made on the command line
    QString title;
    QString summary;
    double durationS = 5;
    std::array<PairSide, 2> sides;
};

struct PairLoad {
    std::optional<ScenarioPair> pair;
    QStringList errors; // each names the file or the pair, the field and the allowed values
};

QStringList builtinPairIds(); // in the picker's order
PairLoad loadBuiltinPair(const QString &id);
// `porthole compare A B`: two scenarios (built-in ids or files).
PairLoad pairOfScenarios(const QString &a, const QString &b);
// `porthole compare SCENARIO --runtimes R1,R2`: one scenario under two runtimes.
PairLoad pairOfRuntimes(const QString &scenario, const QStringList &runtimes);
// A scenario (built-in id or file) with some of its file's fields replaced: objects merge, the rest is replaced.
ScenarioLoad patchedScenario(const QString &idOrPath, const QJsonObject &patch);

} // namespace porthole::scenario
