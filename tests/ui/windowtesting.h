#pragma once

// Shared by the window's tests: a built-in scenario started in the window, as a user starts it.

#include "mainwindow.h"
#include "session.h"

#include <QSignalSpy>

namespace porthole::testing {

// Shows the window, picks the scenario and runs it; true once the run started.
inline bool runInWindow(ui::MainWindow &window, const QString &id)
{
    window.show();
    if (!window.selectScenario(id))
        return false;
    QSignalSpy started(&window.session(), &ui::Session::started);
    window.runSelected();
    return started.wait(30000);
}

} // namespace porthole::testing
