// Ground truth from a second real runtime: Mono 6.8 (Debian's mono-runtime), whose pool is the .NET
// Framework-era one (ThreadPoolWorkQueue, _ThreadPoolWaitCallback). The frames the legacy model shows on
// a worker are compared with Mono's own, and `mono-real` runs a scenario on Mono, observed from outside.
// Skips without `mono` and `mcs`.

#include "realcases.h"
#include "model/interpreter.h"
#include "scenario/pairs.h"
#include "scenario/realdotnetrun.h"

#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTest>

using namespace porthole;
using runtime::FrameId;

class TestRealMono : public QObject
{
    Q_OBJECT

    QString m_probe;

    QStringList runProbe(const QStringList &args)
    {
        QProcess probe;
        probe.start(QStandardPaths::findExecutable(QStringLiteral("mono")), QStringList{m_probe} + args);
        if (!probe.waitForFinished(120'000) || probe.exitCode() != 0)
            return {};
        return QString::fromUtf8(probe.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    }

private slots:
    void initTestCase()
    {
        if (const QString why = scenario::RealDotnetRun::toolMissing(QStringLiteral("mono")); !why.isEmpty())
            QSKIP(qPrintable(why));
        const QString why = scenario::RealDotnetRun::buildProbe(QStringLiteral("mono"), m_probe);
        QVERIFY2(why.isEmpty(), qPrintable(why));
    }

    // A work item on Mono: its managed stack begins where the legacy (.NET Framework) model's worker begins,
    // _ThreadPoolWaitCallback.PerformWaitCallback > ThreadPoolWorkQueue.Dispatch (no Thread.StartCallback: the
    // thread starts in native code), on a thread Mono names "Thread Pool Worker".
    void workItemFramesMatchMono()
    {
        const QStringList lines = runProbe({QStringLiteral("workitem-stack")});
        const QString stack = lines.filter(QRegularExpression(QStringLiteral("^stack "))).value(0);
        QVERIFY2(!stack.isEmpty(), qPrintable(lines.join(QLatin1Char('\n'))));
        QVERIFY2(lines.value(0).startsWith(QLatin1String("runtime Mono ")), qPrintable(lines.value(0)));
        const QStringList real = testing::namesToDispatch(testing::reportedFrames(stack)),
                          model = testing::namesToDispatch(testing::modelWorkItemFrames(true));
        qInfo("a work item's frames to Dispatch: legacy model %s; %s %s", qPrintable(model.join(QLatin1String(" > "))),
              qPrintable(lines.value(0).mid(8)), qPrintable(real.join(QLatin1String(" > "))));
        QCOMPARE(real, model);
        QCOMPARE(model.size(), 2);
        QVERIFY(lines.contains(QStringLiteral("on Thread Pool Wor True"))); // the kernel keeps 15 bytes of the name
    }

    // mono-real: forty socket callbacks that wait on a task, on Mono, observed. Its I/O selector is one
    // thread; every callback runs on a pool worker, on the stack Mono reported (the worker's frames first).
    void monoRealRunIsObserved()
    {
        const scenario::ScenarioLoad load = scenario::patchedScenario(QStringLiteral("real-dotnet"),
                                                                      QJsonObject{{QStringLiteral("runtime"), QStringLiteral("mono-real")}});
        QVERIFY2(load.scenario, qPrintable(load.errors.join(QStringLiteral("; "))));
        QCOMPARE(load.scenario->realRuntime, QStringLiteral("mono"));
        scenario::RealDotnetRun real(*load.scenario);
        QCOMPARE(real.start(), QString());
        const std::uint64_t until = trace::nowNs() + 3'000'000'000ull;
        QTRY_VERIFY_WITH_TIMEOUT(trace::nowNs() > until, 10000);
        QVERIFY(real.waitUntilDrained(until, std::chrono::seconds(10)));
        real.stop();
        QCOMPARE(real.failure(), QString());
        QVERIFY2(real.runtimeVersion().startsWith(QLatin1String("Mono ")), qPrintable(real.runtimeVersion()));
        const trace::Trace r = real.trace();
        QCOMPARE(scenario::observedRuntimeVersion(r.threads), real.runtimeVersion());
        int eventLoops = 0, workers = 0, callbacks = 0, onWorkers = 0;
        for (const trace::ThreadInfo &info : r.threads) {
            eventLoops += info.role == trace::ThreadRole::EventLoop;
            workers += info.role == trace::ThreadRole::Worker;
        }
        for (const trace::Event &e : r.events)
            if (e.type == trace::EventType::CallbackBegin) {
                ++callbacks;
                onWorkers += r.threads[e.thread].role == trace::ThreadRole::Worker;
            }
        qInfo("%s: %d workers, %d callbacks begun in 3 s, %d on workers, %d I/O selector", qPrintable(real.runtimeVersion()), workers,
              callbacks, onWorkers, eventLoops);
        QCOMPARE(eventLoops, 1);
        QVERIFY(workers >= 2);
        QVERIFY(callbacks >= 2);
        QCOMPARE(onWorkers, callbacks);
        const std::vector<std::uint16_t> worker = {std::uint16_t(FrameId::PerformWaitCallback), std::uint16_t(FrameId::Dispatch)};
        int stacks = 0;
        for (const std::vector<std::uint16_t> &stack : testing::stacksAtCallbacks(r)) {
            QVERIFY2(stack.size() > 2 && std::equal(worker.begin(), worker.end(), stack.begin()), "not PerformWaitCallback > Dispatch");
            QCOMPARE(stack.back(), std::uint16_t(FrameId::ReportedFrame));
            ++stacks;
        }
        QCOMPARE(stacks, callbacks);
    }
};

QTEST_GUILESS_MAIN(TestRealMono)
#include "tst_realmono.moc"
