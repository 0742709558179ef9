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

} // namespace porthole::scenario
