// Every state on screen was observed: a thread that recorded nothing is "not observed", never "running",
// and the running time the lanes show can never exceed the CPU time the process really used.

#include "engine/descriptorlimit.h"
#include "model/statemodel.h"
#include "scenario/builtins.h"
#include "scenario/runner.h"

#include <QTest>
#include <QThread>

#include <sys/resource.h>

using namespace porthole;

namespace {
double cpuSeconds()
{
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}
} // namespace

class TestObserved : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { engine::raiseDescriptorLimit(); }

    void runningTimeNeverExceedsCpuTime()
    {
        const scenario::ScenarioLoad load = scenario::loadScenario(QStringLiteral("blocked-callbacks"));
        QVERIFY(load.scenario);
        scenario::Runner runner(*load.scenario);
        const double cpuBefore = cpuSeconds();
        QCOMPARE(runner.start(), QString());
        QTRY_VERIFY_WITH_TIMEOUT(runner.history().size() >= 40, 20000); // 2 s of samples
        runner.stop();
        const double cpu = cpuSeconds() - cpuBefore;

        const trace::Trace t = runner.trace();
        model::StateModel model;
        model.reset(t.threads);
        model.append(t.events);
        double runningS = 0, notObservedS = 0;
        for (const model::TimelineLane &lane : model.timeline().lanes())
            for (const model::LaneBox &i : lane.visible(model.firstTimeNs(), model.lastTimeNs(), 0)) {
                const double s = double(i.end - i.start) / 1e9;
                runningS += i.state == std::uint8_t(trace::ThreadState::Running) ? s : 0;
                notObservedS += i.state == std::uint8_t(trace::ThreadState::NotObserved) ? s : 0;
            }
        qInfo("lanes show %.3f s running; the process used %.3f s of CPU; %.3f s not observed", runningS, cpu, notObservedS);
        QVERIFY2(runningS <= cpu * 1.1 + 0.02, qPrintable(QStringLiteral("%1 s running on screen, %2 s of CPU").arg(runningS).arg(cpu)));

        // The gates, the driver and the sampler record their sleeps between ticks: none is running the whole run.
        const double runS = double(model.lastTimeNs() - model.firstTimeNs()) / 1e9;
        for (std::size_t i = 0; i < t.threads.size(); ++i) {
            if (t.threads[i].role != trace::ThreadRole::Gate && t.threads[i].role != trace::ThreadRole::Porthole)
                continue;
            double running = 0;
            for (const model::LaneBox &in : model.timeline().lanes()[i].visible(model.firstTimeNs(), model.lastTimeNs(), 0))
                running += in.state == std::uint8_t(trace::ThreadState::Running) ? double(in.end - in.start) / 1e9 : 0;
            QVERIFY2(running < runS * 0.5, qPrintable(QStringLiteral("%1 drawn running %2 s of %3 s").arg(QString::fromStdString(t.threads[i].name)).arg(running).arg(runS)));
        }
    }
};

QTEST_GUILESS_MAIN(TestObserved)
#include "tst_observed.moc"
