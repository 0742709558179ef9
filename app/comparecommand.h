#pragma once

#include <QSize>
#include <QString>
#include <QStringList>
#include <QTextStream>

namespace porthole::scenario {
struct ScenarioPair;
}

namespace porthole::app {

struct CompareOptions {
    QStringList names;        // a built-in pair's id, or two scenarios (ids or files), or one with `runtimes`
    QStringList runtimes;     // --runtimes R1,R2
    double durationS = -1;    // < 0: the pair's own
    bool json = false;
    bool report = false;
    bool alone = true;        // also run each alone, to measure how much running together disturbs them
    QString exportTrace;      // F.porthole: the pair, re-opens side by side
    QString exportTimeline;   // F.png|svg|pdf: both runs on one time axis
    QSize timelineSize{1600, 900};
    double pixelRatio = 1;
    double rangeFromS = -1, rangeToS = -1;
    bool slide = false;
};

// The pair the names say, or the errors (each printed as "error: ..."). Exit 2 on error.
int resolvePair(const CompareOptions &options, scenario::ScenarioPair &pair, QTextStream &err);
// `porthole compare ... --headless`: both runs at once, each in a process of its own; exit 0 when every
// claim of both holds, 1 when one fails, 2 for bad input, 3 when a run cannot be trusted.
int compareHeadless(const CompareOptions &options, QTextStream &out, QTextStream &err);

} // namespace porthole::app
