// The walkthrough's rules: steps, conditions, predict-then-reveal, remembered progress. (That every
// built-in walkthrough's conditions come true in a real run is tested in tst_builtins.)

#include "scenario/builtins.h"
#include "scenario/runner.h"
#include "scenario/walkthrough.h"

#include <QStandardPaths>
#include <QElapsedTimer>
#include <QTest>
#include <QThread>

using namespace porthole::scenario;

namespace {

Scenario twoSteps()
{
    Scenario s;
    s.id = QStringLiteral("walkthrough-test");
    WalkthroughStep read;
    read.narration = QStringLiteral("Read me");
    WalkthroughStep watch;
    watch.narration = QStringLiteral("Watch");
    watch.pauseWhen = QStringLiteral("max(io_threads) >= 4");
    watch.question = {QStringLiteral("How many?"), {QStringLiteral("Two"), QStringLiteral("Four")}, 1, QStringLiteral("Because.")};
    s.walkthrough = {read, watch};
    return s;
}

MetricsHistory historyOfIoThreads(std::initializer_list<double> counts)
{
    MetricsHistory h;
    for (double c : counts) {
        MetricsSample s;
        s.timeS = double(h.size()) * 0.05;
        s[porthole::trace::Metric::IoThreads] = c;
        h.append(s);
    }
    return h;
}

} // namespace

class TestWalkthrough : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void stepsWithoutConditionAreRead()
    {
        Walkthrough w(twoSteps());
        QCOMPARE(w.stepCount(), 2);
        QVERIFY(w.phase() == Walkthrough::Phase::Reading);
        QVERIFY(!w.update(historyOfIoThreads({9}))); // nothing to watch for
        w.back();
        QCOMPARE(w.currentIndex(), 0); // clamped
    }

    void conditionReachedOnceItHolds()
    {
        Walkthrough w(twoSteps());
        w.next();
        QVERIFY(w.phase() == Walkthrough::Phase::Watching);
        QVERIFY(!w.update(historyOfIoThreads({2, 3})));
        QCOMPARE(w.observed(), 3.0);
        QVERIFY(w.update(historyOfIoThreads({2, 3, 4})));
        QVERIFY(w.phase() == Walkthrough::Phase::Reached);
        QVERIFY(!w.update(historyOfIoThreads({2, 3, 4, 5}))); // reported once
        w.goTo(1);                                            // starts over
        QVERIFY(w.phase() == Walkthrough::Phase::Watching);
    }

    void predictionRevealedOnlyWhenTheRunShowsIt()
    {
        Walkthrough w(twoSteps());
        w.next();
        w.choose(0);
        QVERIFY(!w.revealed()); // picked, but the run has not shown it yet
        QVERIFY(w.verdict().isEmpty());
        w.update(historyOfIoThreads({4}));
        QVERIFY(w.revealed());
        QVERIFY(!w.predictionHeld());
        QVERIFY(w.verdict().contains(QStringLiteral("Four")));
        QVERIFY(w.verdict().contains(QStringLiteral("Because.")));
        w.choose(1);
        QVERIFY(w.predictionHeld());
        QVERIFY(w.verdict().contains(QStringLiteral("held")));
        w.choose(7); // not a choice: ignored
        QCOMPARE(w.chosen(), 1);
    }

    // The built-in "Blocked callbacks": step 2 waits for the fourth I/O thread of a real run.
    void realRunReachesTheStepCondition()
    {
        const ScenarioLoad load = loadScenario(QStringLiteral("blocked-callbacks"));
        QVERIFY(load.scenario);
        Walkthrough w(*load.scenario);
        w.next();
        QCOMPARE(w.current().pauseWhen, QStringLiteral("max(io_threads) >= 4"));
        w.choose(1);
        Runner runner(*load.scenario);
        QCOMPARE(runner.start(), QString());
        bool reached = false;
        double before = 0;
        QElapsedTimer clock;
        clock.start();
        while (!reached && clock.elapsed() < 15000) {
            before = w.observed();
            QThread::msleep(20);
            reached = w.update(runner.history());
        }
        QVERIFY(reached);
        runner.pause(); // what the panel does
        QVERIFY(before < 4);
        QVERIFY(w.observed() >= 4);
        double most = 0;
        for (const MetricsSample &s : runner.history())
            most = std::max(most, s[porthole::trace::Metric::IoThreads]);
        QVERIFY(most >= 4);
        QVERIFY(w.revealed() && w.predictionHeld());
        runner.stop();
    }

    void progressIsRemembered()
    {
        WalkthroughProgress::saveStep(QStringLiteral("walkthrough-test"), 2);
        WalkthroughProgress::saveChoice(QStringLiteral("walkthrough-test"), 2, 1);
        QCOMPARE(WalkthroughProgress::savedStep(QStringLiteral("walkthrough-test")), 2);
        QCOMPARE(WalkthroughProgress::savedChoice(QStringLiteral("walkthrough-test"), 2), 1);
        QCOMPARE(WalkthroughProgress::savedChoice(QStringLiteral("walkthrough-test"), 0), -1);
        QCOMPARE(WalkthroughProgress::savedStep(QStringLiteral("never-opened")), 0);
    }
};

QTEST_GUILESS_MAIN(TestWalkthrough)
#include "tst_walkthrough.moc"
