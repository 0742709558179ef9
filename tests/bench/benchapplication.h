#pragma once

#include <QApplication>
#include <QElapsedTimer>

#include "framepacer.h"

#include <memory>

namespace porthole::bench {

// Counts the wall time the GUI thread spends handling events (the outermost ones: timers, posted
// events, painting), which is all the work a frame does; waiting for events is not counted. And the
// part of it the thread ran on a processor: the rest it waited for one, or for another thread.
class BenchApplication : public QApplication
{
public:
    using QApplication::QApplication;

    bool notify(QObject *receiver, QEvent *event) override
    {
        if (m_depth > 0)
            return QApplication::notify(receiver, event);
        ++m_depth;
        QElapsedTimer handling;
        handling.start();
        const qint64 cpuStart = ui::FramePacer::threadCpuNs();
        const bool handled = QApplication::notify(receiver, event);
        m_busyNs += handling.nsecsElapsed();
        m_busyCpuNs += ui::FramePacer::threadCpuNs() - cpuStart;
        --m_depth;
        return handled;
    }
    qint64 busyNs() const { return m_busyNs; } // of the outermost events handled to the end so far
    qint64 busyCpuNs() const { return m_busyCpuNs; }

private:
    int m_depth = 0;
    qint64 m_busyNs = 0;
    qint64 m_busyCpuNs = 0;
};

inline std::unique_ptr<BenchApplication> &applicationHolder()
{
    static std::unique_ptr<BenchApplication> app;
    return app;
}

// One offscreen QApplication for every benchmark that makes widgets, made before the first of them.
inline BenchApplication &application()
{
    static int argc = 1;
    static char name[] = "porthole_bench";
    static char *argv[] = {name, nullptr};
    std::unique_ptr<BenchApplication> &app = applicationHolder();
    if (!app) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
        app = std::make_unique<BenchApplication>(argc, argv);
    }
    return *app;
}

// Before main returns: a QApplication destroyed among the exit handlers runs Qt's post routines
// after Qt's own statics are gone (a segfault at exit).
inline void destroyApplication() { applicationHolder().reset(); }

} // namespace porthole::bench
