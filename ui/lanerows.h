#pragma once

#include "model/modelstate.h"

#include <QString>

#include <map>
#include <vector>

namespace porthole::ui {

// One row of the timeline's lanes: a thread's lane, or the collapsed group of Porthole's own threads.
struct LaneRow {
    int thread = -1;     // the trace's thread index; -1: a group's count row (drawn empty)
    bool dimmed = false; // Porthole's own: drawn faint, they are not the lesson
    QString label;
    int role = -1;       // a count row of this trace::ThreadRole's threads: a click folds or unfolds them
    int count = 0;       // a count row's threads
    bool folded = false; // a count row whose lanes are folded into it: it draws their states stacked by count
};

// Which roles' threads are folded into their count row. A role with more than FoldAbove threads is
// folded until the user unfolds it; one with fewer than GroupFrom has no count row.
struct LaneFolding {
    static constexpr int GroupFrom = 8;
    static constexpr int FoldAbove = 24;
    std::map<int, bool> folded; // by role: what the user chose
    bool isFolded(int role, std::size_t threads) const
    {
        const auto it = folded.find(role);
        return it != folded.end() ? it->second : threads > std::size_t(FoldAbove);
    }
};

// The rows for these threads: the lesson's threads grouped by role (those that run callbacks first),
// each numbered within its name in creation order (".NET ThreadPool IO #7 · tid 1234"); then
// Porthole's own threads, as one collapsed row or, when shown, dimmed lanes of their own.
// Roles with GroupFrom threads or more get a count row ("▾ .NET ThreadPool IO: 40 threads") above
// their lanes, which a click folds.
std::vector<LaneRow> laneRowsFor(const std::vector<model::ThreadView> &threads, bool showPortholeThreads,
                                 const LaneFolding &folding = {});

// The order the lanes, the machine view's cards and the callstacks list threads in, so that one thread
// sits at the same place in each: the roles that run callbacks first, then by name with numbers as
// numbers ("poster 2" before "poster 10", whichever started first), then as they appeared.
bool listedBefore(const model::ThreadView &a, const model::ThreadView &b);

} // namespace porthole::ui
