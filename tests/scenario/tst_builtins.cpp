// Every built-in scenario loads, runs headless on the real engine, and all its claims hold.

#include "engine/descriptorlimit.h"
#include "scenario/builtins.h"
#include "scenario/runner.h"

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
        QThread::msleep(qulonglong(load.scenario->durationS * 1000));
        runner.stop();
        for (const ClaimResult &claim : runner.evaluateClaims())
            QVERIFY2(claim.passed, qPrintable(QStringLiteral("%1: %2 [%3] observed %4")
                                                  .arg(id, claim.name, claim.expression).arg(claim.observed)));
    }
};

QTEST_GUILESS_MAIN(TestBuiltins)
#include "tst_builtins.moc"
