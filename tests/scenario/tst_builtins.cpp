// Every built-in scenario loads, runs headless on the real engine, and all its claims hold.

#include "engine/descriptorlimit.h"
#include "scenario/builtins.h"
#include "runtime/runtime.h"
#include "scenario/realdotnetrun.h"
#include "scenario/runner.h"
#include "scenario/walkthrough.h"
#include "trace/tracefile.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QElapsedTimer>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>

#include <QTest>
#include <QThread>

using namespace porthole::scenario;

namespace {
// "void porthole::runtime::WorkerPool::workerLoop(porthole::trace::ThreadReason)" ->
// "porthole::runtime::WorkerPool::workerLoop(": the name a symbol table lists (for a lambda, the
// function it is in).
QString qualifiedName(const std::string &functionName)
{
    QString name = QString::fromStdString(functionName);
    name = name.left(name.indexOf(QLatin1Char('(')));
    name = name.mid(name.lastIndexOf(QLatin1Char(' ')) + 1) + QLatin1Char('(');
    // The compiler writes {anonymous}; the demangler (anonymous namespace).
    return name.replace(QStringLiteral("{anonymous}"), QStringLiteral("(anonymous namespace)"));
}
} // namespace

class TestBuiltins : public QObject
{
    Q_OBJECT

    QSet<QString> m_nativeNames; // every native frame name the built-ins' runs recorded

private slots:
    void initTestCase() { porthole::engine::raiseDescriptorLimit(); }

    // Each claim of a built-in says what makes it true (FACTS §8), in its file, not by default.
    // Every built-in lesson says where its facts come from: the lesson, and each step with a question.
    void everyBuiltinCitesItsSources()
    {
        for (const QString &id : porthole::scenario::builtinScenarioIds()) {
            const porthole::scenario::ScenarioLoad load = porthole::scenario::loadScenario(id);
            QVERIFY2(load.scenario, qPrintable(id));
            const QStringList missing = porthole::scenario::missingSources(*load.scenario);
            QVERIFY2(missing.isEmpty(), qPrintable(id + QStringLiteral(": no ") + missing.join(QStringLiteral(", "))));
        }
    }

    void everyBuiltinClaimHasABasis()
    {
        using namespace porthole::scenario;
        for (const QString &id : builtinScenarioIds()) {
            QFile file(builtinScenarioPath(id));
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QJsonArray claims = QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("claims")).toArray();
            QVERIFY2(!claims.isEmpty(), qPrintable(id));
            for (const QJsonValue &c : claims)
                QVERIFY2(claimBases().contains(c.toObject().value(QStringLiteral("basis")).toString()),
                         qPrintable(id + QStringLiteral(": ") + c.toObject().value(QStringLiteral("name")).toString()));
        }
        // A basis that is none of the three is refused with the allowed words.
        QTemporaryDir dir;
        QFile bad(dir.filePath(QStringLiteral("bad.json")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write(R"({"id": "bad-basis", "title": "t", "runtime": "raw-uring",
                      "claims": [{"name": "n", "expression": "callbacks >= 0", "basis": "magic"}]})");
        bad.close();
        const ScenarioLoad load = loadScenario(bad.fileName());
        QVERIFY(!load.scenario);
        QVERIFY2(load.errors.join(QLatin1Char(' ')).contains(QStringLiteral("kernel, porthole, runtime-model")), qPrintable(load.errors.join(QLatin1Char(' '))));
    }

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
        if (!load.scenario->realRuntime.isEmpty() && !porthole::scenario::RealDotnetRun::toolMissing(load.scenario->realRuntime).isEmpty())
            QSKIP(qPrintable(porthole::scenario::RealDotnetRun::toolMissing(load.scenario->realRuntime)));
        const std::unique_ptr<porthole::scenario::RunSource> source = porthole::scenario::makeRunSource(*load.scenario);
        porthole::scenario::RunSource &runner = *source;
        auto *engine = dynamic_cast<Runner *>(source.get());
        // The metrics so far, as the window folds them (the real runtime's run folds its trace here).
        const auto history = [&] {
            return engine ? engine->history() : porthole::model::metricsOf(runner.eventsSince(0, Runner::SettleNs));
        };
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
            if (walkthrough.update(history())) {
                reachedAt.append(walkthrough.currentIndex());
                QVERIFY(walkthrough.phase() == Walkthrough::Phase::Reached);
            }
            if (walkthrough.phase() != Walkthrough::Phase::Watching && !walkthrough.atEnd())
                walkthrough.next();
        }
        runner.stop();
        // The last sample; a step it completes (a slow machine, a sanitizer) lets the learner go on, as during the run.
        const auto last = engine ? engine->history() : porthole::model::metricsOf(runner.trace().events);
        if (walkthrough.update(last))
            reachedAt.append(walkthrough.currentIndex());
        while (walkthrough.phase() != Walkthrough::Phase::Watching && !walkthrough.atEnd()) {
            walkthrough.next();
            if (walkthrough.update(last))
                reachedAt.append(walkthrough.currentIndex());
        }
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
        const QList<ClaimResult> live = engine ? engine->evaluateClaims()
                                               : evaluateClaims(load.scenario->claims, porthole::model::metricsOf(runner.trace().events));
        for (const ClaimResult &claim : live)
            QVERIFY2(claim.passed, qPrintable(QStringLiteral("%1: %2 [%3] observed %4")
                                                  .arg(id, claim.name, claim.expression).arg(claim.observed)));

        // Replay equals live: the saved trace alone, re-opened, gives the same claims (it carries the scenario).
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("run.porthole")).toStdString();
        const porthole::trace::Trace recorded = runner.trace();
        QCOMPARE(porthole::trace::saveTrace(recorded, path), std::string());
        const porthole::trace::TraceLoadResult reopened = porthole::trace::loadTrace(path);
        QVERIFY2(reopened.trace, reopened.error.c_str());
        const ScenarioLoad replayed = parseScenario(QByteArray::fromStdString(reopened.trace->scenarioJson), QStringLiteral("trace"));
        QVERIFY2(replayed.scenario, qPrintable(replayed.errors.join(QLatin1Char('\n'))));
        QCOMPARE(replayed.scenario->id, id);
        QCOMPARE(replayed.scenario->walkthrough.size(), load.scenario->walkthrough.size());
        const QList<ClaimResult> again = evaluateClaims(replayed.scenario->claims, porthole::model::metricsOf(reopened.trace->events));
        QCOMPARE(again.size(), live.size());
        for (qsizetype i = 0; i < live.size(); ++i) {
            QCOMPARE(again[i].name, live[i].name);
            QCOMPARE(again[i].passed, live[i].passed);
            QCOMPARE(again[i].observed, live[i].observed);
        }
        // A model's frames are pushed by Porthole's functions; a real runtime's are the names it reported.
        for (const porthole::trace::Event &e : reopened.trace->events)
            if (e.type == porthole::trace::EventType::StackPush && load.scenario->realRuntime.isEmpty())
                m_nativeNames.insert(qualifiedName(std::string(reopened.trace->string(e.id))));
    }

    // Every native name a run showed is the function that pushed the frame: a symbol of this binary
    // (which links the same libraries as the app).
    void nativeNamesAreSymbols()
    {
        if (m_nativeNames.isEmpty())
            QSKIP("run with the built-ins' runs (claimsHoldOnARealRun) first");
        QProcess nm;
        nm.start(QStringLiteral("nm"), {QStringLiteral("-C"), QStringLiteral("--defined-only"), QCoreApplication::applicationFilePath()});
        if (!nm.waitForFinished(60000) || nm.exitCode() != 0)
            QSKIP("nm (binutils) is not available");
        const QString symbols = QString::fromLocal8Bit(nm.readAllStandardOutput());
        QVERIFY(m_nativeNames.size() >= 10);
        for (const QString &name : std::as_const(m_nativeNames)) {
            QVERIFY2(name.startsWith(QLatin1String("porthole::")), qPrintable(name));
            QVERIFY2(symbols.contains(QLatin1Char(' ') + name), qPrintable(name + QStringLiteral(" is not a symbol of the binary")));
        }
    }
};

QTEST_GUILESS_MAIN(TestBuiltins)
#include "tst_builtins.moc"
