#pragma once

#include <QSize>
#include <QString>
#include <QTextStream>

namespace porthole::app {

// `porthole replay TRACE`: the scenario's claims re-evaluated from the saved trace alone.
int replayTrace(const QString &path, bool json, bool report, QTextStream &out, QTextStream &err);

struct ExportOptions {
    QString trace;          // the .porthole file
    QString timeline;       // .png, .svg or .pdf
    QString window;         // .png: the whole window, offscreen, with the cursor at atS
    double atS = -1;        // seconds from the first event; < 0: the end
    QString chrome;         // .json
    QString metrics;        // .csv
    QSize size{1600, 900};  // the timeline's (or the window's) size
    double pixelRatio = 1;
    double rangeFromS = -1, rangeToS = -1;
    bool slide = false;     // the timeline styled for a slide
};

// `porthole export TRACE ...`: pictures and files of a saved run, without running it again.
int exportTrace(const ExportOptions &options, QTextStream &out, QTextStream &err);

} // namespace porthole::app
