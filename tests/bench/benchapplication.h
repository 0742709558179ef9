#pragma once

#include <QApplication>

namespace porthole::bench {

// One offscreen QApplication for every benchmark that makes widgets, made before the first of them.
inline QApplication &application()
{
    static int argc = 1;
    static char name[] = "porthole_bench";
    static char *argv[] = {name, nullptr};
    qputenv("QT_QPA_PLATFORM", "offscreen");
    static QApplication app(argc, argv);
    return app;
}

} // namespace porthole::bench
