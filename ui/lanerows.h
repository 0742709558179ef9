#pragma once

#include "model/modelstate.h"

#include <QString>

#include <vector>

namespace porthole::ui {

// One row of the timeline's lanes: a thread's lane, or the collapsed group of Porthole's own threads.
struct LaneRow {
    int thread = -1;     // the trace's thread index; -1: the collapsed group row (drawn empty)
    bool dimmed = false; // Porthole's own: drawn faint, they are not the lesson
    QString label;
};

// The rows for these threads: the lesson's threads grouped by role (those that run callbacks first),
// each numbered within its name in creation order (".NET ThreadPool IO #7 · tid 1234"); then
// Porthole's own threads, as one collapsed row or, when shown, dimmed lanes of their own.
std::vector<LaneRow> laneRowsFor(const std::vector<model::ThreadView> &threads, bool showPortholeThreads);

} // namespace porthole::ui
