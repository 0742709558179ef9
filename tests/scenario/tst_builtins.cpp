// Every built-in scenario loads, runs headless on the real engine, and all its claims hold.

#include "engine/descriptorlimit.h"
#include "scenario/builtins.h"
#include "scenario/runner.h"
#include "scenario/walkthrough.h"

#include <QElapsedTimer>

#include <QTest>
#include <QThread>

using namespace porthole::scenario;

class TestBuiltins : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { porthole::engine::raiseDescriptorLimit(); }

    void everyBuiltinLoads()
    {
        QVERIFY(builtinScenarioIds().size() >= 12);
        for (const QString &id : builtinScenarioIds()) {
            const ScenarioLoad load = loadScenario(id);
            QVERIFY2(load.scenario, qPrintable(load.errors.join(QLatin1Char('\n'))));
            QCOMPARE(load.scenario->id, id);
            QVERIFY2(load.scenario->walkthrough.size() >= 3 && load.scenario->walkthrough.size() <= 8, qPrintable(id));
            QVERIFY2(!load.scenario->claims.isEmpty(), qPrintable(id));
        }
    }

    // Where safe, parameters change while running: the traffic rate.
    void trafficRateChangesWhileRunning()
    {
        const ScenarioLoad load = parseScenario("{\"id\": \"quiet\", \"sockets\": {\"count\": 20}, "
                                                "\"traffic\": {\"messages_per_second\": 0}}", QStringLiteral("quiet.json"));
        QVERIFY(load.scenario);
        Runner runner(*load.scenario);
        QCOMPARE(runner.start(), QString());
        QThread::msleep(300);
        QCOMPARE(runner.runtime()->counters().callbacks.load(), std::uint64_t(0)); // silence: no traffic
        runner.setMessagesPerSecond(2000);
        QTRY_VERIFY_WITH_TIMEOUT(runner.runtime()->counters().callbacks.load() > 0, 10000);
        runner.stop();
    }

    void claimsHoldOnARealRun_data()
    {
        QTest::addColumn<QString>("id");
        for (const QString &id : builtinScenarioIds())
            QTest::newRow(qPrintable(id)) << id;
    }

    void claimsHoldOnARealRun()
    {
        QFETCH(QString, id);
        const ScenarioLoad load = loadScenario(id);
        QVERIFY(load.scenario);
        Runner runner(*load.scenario);
        const QString why = runner.start();
        QVERIFY2(why.isEmpty(), qPrintable(why));
        // Meanwhile a learner follows the walkthrough: every step's condition must come true in the
        // run, in order (a step without one is read and left at once).
        Walkthrough walkthrough(*load.scenario);
        QList<int> reachedAt; // step index, for each condition that held
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < qint64(load.scenario->durationS * 1000)) {
            QThread::msleep(20);
            if (walkthrough.update(runner.history())) {
                reachedAt.append(walkthrough.currentIndex());
                QVERIFY(walkthrough.phase() == Walkthrough::Phase::Reached);
            }
            if (walkthrough.phase() != Walkthrough::Phase::Watching && !walkthrough.atEnd())
                walkthrough.next();
        }
        runner.stop();
        walkthrough.update(runner.history()); // the last sample
        QList<int> withCondition;
        for (int i = 0; i < load.scenario->walkthrough.size(); ++i)
            if (!load.scenario->walkthrough[i].pauseWhen.isEmpty())
                withCondition.append(i);
        if (walkthrough.phase() == Walkthrough::Phase::Reached && reachedAt.value(reachedAt.size() - 1, -1) != walkthrough.currentIndex())
            reachedAt.append(walkthrough.currentIndex());
        QVERIFY2(walkthrough.atEnd(), qPrintable(QStringLiteral("%1: the walkthrough stopped at step %2: %3 (observed %4)")
                                                     .arg(id).arg(walkthrough.currentIndex() + 1)
                                                     .arg(walkthrough.current().pauseWhen).arg(walkthrough.observed())));
        QCOMPARE(reachedAt, withCondition);
        for (const ClaimResult &claim : runner.evaluateClaims())
            QVERIFY2(claim.passed, qPrintable(QStringLiteral("%1: %2 [%3] observed %4")
                                                  .arg(id, claim.name, claim.expression).arg(claim.observed)));
    }
};

QTEST_GUILESS_MAIN(TestBuiltins)
#include "tst_builtins.moc"
