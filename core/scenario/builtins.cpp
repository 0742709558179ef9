#include "scenario/builtins.h"

#include <QFileInfo>

namespace porthole::scenario {

QStringList builtinScenarioIds()
{
    return {QStringLiteral("there-is-no-thread"),     QStringLiteral("one-thread-many-sockets"),
            QStringLiteral("many-threads-one-port"),  QStringLiteral("concurrency-value"),
            QStringLiteral("blocked-callbacks"),      QStringLiteral("offload-to-workers"),
            QStringLiteral("task-delay-goes-to-workers"), QStringLiteral("post-queued-completion-status"),
            QStringLiteral("thread-per-socket"),      QStringLiteral("dotnet7-pollers"),
            QStringLiteral("dotnet-on-linux"),        QStringLiteral("when-there-is-a-thread"),
            QStringLiteral("sleep-vs-task-wait"),     QStringLiteral("two-pools"),
            QStringLiteral("threads-retire"),         QStringLiteral("looks-like-polling"),
            QStringLiteral("set-min-threads"),        QStringLiteral("real-dotnet")};
}

QString builtinScenarioPath(const QString &id) { return QStringLiteral(":/scenarios/%1.json").arg(id); }

ScenarioLoad loadScenario(const QString &idOrPath)
{
    if (builtinScenarioIds().contains(idOrPath))
        return loadScenarioFile(builtinScenarioPath(idOrPath));
    if (!QFileInfo::exists(idOrPath) && !idOrPath.contains(QLatin1Char('/')) && !idOrPath.endsWith(QLatin1String(".json"))) {
        ScenarioLoad load;
        load.errors << QStringLiteral("%1: not a built-in scenario and no such file; the built-ins are: %2")
                           .arg(idOrPath, builtinScenarioIds().join(QStringLiteral(", ")));
        return load;
    }
    return loadScenarioFile(idOrPath);
}

} // namespace porthole::scenario
