#pragma once

#include "scenario/scenario.h"

#include <QString>
#include <QStringList>
#include <optional>

namespace porthole::scenario {

inline constexpr qint64 MaxScenarioFileBytes = 1 << 20;

struct ScenarioLoad {
    std::optional<Scenario> scenario;
    QStringList errors; // each names the file, the line where known, the field and the allowed values
};

// Reads and validates a scenario file (or a built-in, ":/scenarios/ID.json").
ScenarioLoad loadScenarioFile(const QString &path);
ScenarioLoad parseScenario(const QByteArray &json, const QString &sourceName);
// The scenario as a file again (every field written out): to save a modified copy.
QByteArray scenarioToJson(const Scenario &scenario);
// Writes it to path; empty on success, else what went wrong (and nothing half-written is left).
QString saveScenarioFile(const Scenario &scenario, const QString &path);

// The real runtimes a scenario can name: "dotnet-real" (CoreCLR via `dotnet`), "mono-real" (Mono).
QStringList realRuntimeIds();
// The scenario's "runtime" as its file names it: a model's name, or a real runtime's id.
QString runtimeId(const Scenario &scenario);
// What the window and reports call it: the model's name, or e.g. "dotnet-real (CoreCLR, observed)".
QString runtimeLabel(const Scenario &scenario);

} // namespace porthole::scenario
