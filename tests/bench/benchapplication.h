#pragma once

#include <QApplication>

#include <memory>

namespace porthole::bench {

inline std::unique_ptr<QApplication> &applicationHolder()
{
    static std::unique_ptr<QApplication> app;
    return app;
}

// One offscreen QApplication for every benchmark that makes widgets, made before the first of them.
inline QApplication &application()
{
    static int argc = 1;
    static char name[] = "porthole_bench";
    static char *argv[] = {name, nullptr};
    std::unique_ptr<QApplication> &app = applicationHolder();
    if (!app) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
        app = std::make_unique<QApplication>(argc, argv);
    }
    return *app;
}

// Before main returns: a QApplication destroyed among the exit handlers runs Qt's post routines
// after Qt's own statics are gone (a segfault at exit).
inline void destroyApplication() { applicationHolder().reset(); }

} // namespace porthole::bench
