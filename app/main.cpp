#include "headlessdemo.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <iostream>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("porthole"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PORTHOLE_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Porthole: watch asynchronous I/O happen on a real io_uring engine.\n"
        "Until the window arrives, 'porthole' runs the headless demo: one thread, thousands of pending reads."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption sockets(QStringLiteral("sockets"),
                                     QStringLiteral("Sockets with a pending read (1 to 19000, default 10000)."),
                                     QStringLiteral("N"), QStringLiteral("10000"));
    const QCommandLineOption exportTrace(QStringLiteral("export-trace"),
                                         QStringLiteral("Save the trace: F.porthole (Porthole's format) or F.json (Chrome "
                                                        "Trace Event JSON, for Perfetto)."),
                                         QStringLiteral("F"));
    parser.addOptions({sockets, exportTrace});
    parser.process(app);

    bool ok = false;
    const qulonglong count = parser.value(sockets).toULongLong(&ok);
    if (!ok || count < 1 || count > 19000) {
        std::cerr << "error: --sockets takes a whole number from 1 to 19000, not '" << parser.value(sockets).toStdString()
                  << "'\n";
        return 2;
    }
    porthole::app::DemoOptions options;
    options.sockets = count;
    options.exportTrace = parser.value(exportTrace).toStdString();
    return porthole::app::runHeadlessDemo(options, std::cout, std::cerr);
}
