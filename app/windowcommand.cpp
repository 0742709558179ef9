// The window: "porthole", "porthole run X", "porthole compare ...", "porthole FILE".

#include "windowcommand.h"

#include "comparecommand.h"
#include "comparewindow.h"
#include "mainwindow.h"
#include "palette.h"
#include "scenario/pairs.h"
#include "scenario/builtins.h"
#include "trace/pairfile.h"

#include <QFile>
#include <QJsonObject>
#include <QTimer>

namespace porthole::app {

int openWindow(QCoreApplication &app, const WindowOptions &o, QTextStream &err)
{
    const QStringList &args = o.args;
    ui::MainWindow mainWindow;
    if (!o.theme.isEmpty()) {
        const QString &name = o.theme;
        if (name == QLatin1String("light"))
            mainWindow.setTheme(ui::Theme::Light);
        else if (name == QLatin1String("dark"))
            mainWindow.setTheme(ui::Theme::Dark);
        else if (name == QLatin1String("high-contrast"))
            mainWindow.setTheme(ui::Theme::HighContrast);
        else
        {
            err << "error: --theme takes light, dark or high-contrast, not '" << name << "'\nSee 'porthole --help'.\n";
            return 2;
        }
    }
    if (args.value(0) == QLatin1String("compare") || (args.size() == 1 && trace::isPairFile(args[0].toStdString()))) {
        auto *compare = new ui::CompareWindow;
        compare->setAttribute(Qt::WA_DeleteOnClose);
        if (args.value(0) != QLatin1String("compare")) {
            if (const QString why = compare->openPairFile(args[0]); !why.isEmpty()) {
                err << "error: " << why << "\n";
                return 2;
            }
        } else {
            CompareOptions options;
            options.names = args.mid(1);
            options.runtimes = o.runtimes;
            options.durationS = o.durationS;
            scenario::ScenarioPair pair;
            if (const int code = resolvePair(options, pair, err); code != 0)
                return code;
            QTimer::singleShot(0, compare, [compare, pair] { compare->runPair(pair); });
        }
        if (o.presenter)
            compare->showFullScreen();
        else
            compare->showMaximized();
        return app.exec();
    }
    // "porthole FILE": a trace (it starts with "PORTHOLE") replays, anything else is a scenario file.
    if (args.size() == 1 && args[0] != QLatin1String("run")) {
        QFile file(args[0]);
        const bool isTrace = file.open(QIODevice::ReadOnly) && file.read(8) == "PORTHOLE";
        if (isTrace) {
            if (const QString why = mainWindow.openTraceFile(args[0]); !why.isEmpty()) {
                err << "error: " << why << "\n";
                return 2;
            }
            mainWindow.show();
            return app.exec();
        }
    }
    const QString id = args.size() == 1 && args[0] != QLatin1String("run") ? args[0] : args.value(1, QStringLiteral("there-is-no-thread"));
    if (!o.runtime.isEmpty()) { // another runtime than the scenario's: e.g. the real .NET runtime
        const scenario::ScenarioLoad load = scenario::patchedScenario(
            id, QJsonObject{{QStringLiteral("runtime"), o.runtime}});
        if (!load.scenario) {
            for (const QString &e : load.errors)
                err << "error: " << e << "\n";
            return 2;
        }
        mainWindow.selectScenario(id);
        QTimer::singleShot(0, &mainWindow, [&mainWindow, scenario = *load.scenario] { mainWindow.runScenario(scenario); });
    } else if (mainWindow.selectScenario(id)) {
        QTimer::singleShot(0, &mainWindow, &ui::MainWindow::runSelected);
    } else {
        const scenario::ScenarioLoad load = scenario::loadScenario(id); // one's own file
        if (!load.scenario) {
            for (const QString &e : load.errors)
                err << "error: " << e << "\n";
            return 2;
        }
        QTimer::singleShot(0, &mainWindow, [&mainWindow, scenario = *load.scenario] { mainWindow.runScenario(scenario); });
    }
    mainWindow.show();
    if (o.presenter)
        mainWindow.setPresenterMode(true);
    return app.exec();
}

} // namespace porthole::app
