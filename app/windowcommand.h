#pragma once

#include <QCoreApplication>
#include <QStringList>
#include <QTextStream>

namespace porthole::app {

struct WindowOptions {
    QStringList args;      // the positional arguments: [run] SCENARIO|FILE, compare ..., or a trace / pair file
    QString theme;         // light, dark or high-contrast; empty: as last used
    bool presenter = false;
    QStringList runtimes;  // compare: one scenario under two runtimes
    double durationS = -1; // compare: < 0: the scenarios' own
    QString runtime;       // run: instead of the scenario's (e.g. dotnet-real)
};

// Opens the window on what the arguments name and runs the event loop. Exit codes as the commands: 2 for bad input.
int openWindow(QCoreApplication &app, const WindowOptions &options, QTextStream &err);

} // namespace porthole::app
