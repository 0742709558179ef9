#pragma once

#include <QSize>
#include <QString>
#include <QTextStream>

namespace porthole::app {

struct RunOptions {
    QString scenario;         // a built-in id or a file
    QString runtime;          // --runtime: instead of the scenario's (e.g. dotnet-real)
    double durationS = -1;    // < 0: the scenario's own
    double speed = 1;         // slow-motion factor
    bool report = false;
    bool json = false;
    QString exportTrace;      // .porthole or .json
    QString exportTimeline;   // .png, .svg or .pdf
    QSize timelineSize{1600, 900};
    double rangeFromS = -1;   // the timeline's range; < 0: the whole run
    double rangeToS = -1;
    QString exportMetrics;    // .csv
    double pixelRatio = 1;    // the PNG timeline: 2 for high DPI
    double pauseAtS = -1;     // < 0: no pause
    double pauseForS = 1;
    bool slide = false;       // the timeline styled for a slide
    bool stream = false;      // the run stream on stdout, commands on stdin (a run watched by another Porthole)
};

// Exit codes: 0 fine, 1 a claim failed, 2 bad input.
int listScenarios(QTextStream &out);
int checkScenario(const QString &path, QTextStream &out, QTextStream &err);
int runScenarioHeadless(const RunOptions &options, QTextStream &out, QTextStream &err);

} // namespace porthole::app
