#pragma once

#include "scenario/scenariofile.h"

#include <QStringList>

namespace porthole::scenario {

QStringList builtinScenarioIds(); // in teaching order
QString builtinScenarioPath(const QString &id); // ":/scenarios/ID.json"
// An id of a built-in, or a path to a file of one's own.
ScenarioLoad loadScenario(const QString &idOrPath);

} // namespace porthole::scenario
