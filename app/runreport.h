#pragma once

#include "scenario/claims.h"
#include "scenario/scenario.h"
#include "trace/tracestore.h"

#include <QJsonObject>
#include <QTextStream>

namespace porthole::app {

// What a run showed, computed from its trace alone by the interpreter: a live run and the replay
// of its saved trace produce the same report.
struct RunReport {
    QJsonObject json;
    QList<scenario::ClaimResult> claims;
    scenario::MetricsHistory history;
    bool allPassed = false;
};

RunReport reportOf(const scenario::Scenario &scenario, const trace::Trace &trace);
// The text the command line prints (claims, and with `details` the figures), or the JSON.
void printReport(const RunReport &report, bool json, bool details, QTextStream &out);

} // namespace porthole::app
