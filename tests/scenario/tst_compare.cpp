// Two runs side by side: the run stream between processes, a run in a process of its own obeying the
// window's commands, the built-in pairs, and `porthole compare` as a user runs it (claims of both
// runs together, the comparison's figures against the runs', the saved pair re-opened and replayed).

#include "scenario/builtins.h"
#include "scenario/childrun.h"
#include "scenario/pairs.h"
#include "scenario/runstream.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace porthole;
namespace rs = scenario::runstream;

namespace {
struct Result {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Result runPorthole(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral(PORTHOLE_BINARY), args);
    p.waitForFinished(180000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError()};
}

// What a failed `compare --json` says: each claim that did not hold, its run, what it observed.
QByteArray failedClaims(const Result &r)
{
    QByteArray why = r.err;
    const QJsonArray runs = QJsonDocument::fromJson(r.out).object()[QStringLiteral("runs")].toArray();
    for (const QJsonValue &run : runs)
        for (const QJsonValue &c : run[QStringLiteral("claims")].toArray())
            if (!c[QStringLiteral("passed")].toBool())
                why += QStringLiteral("claim failed: %1: %2 (observed %3)\n")
                           .arg(run[QStringLiteral("label")].toString(), c[QStringLiteral("expression")].toString(),
                                c[QStringLiteral("observed")].toVariant().toString())
                           .toUtf8();
    return why;
}

int countEvents(const trace::Trace &t, trace::EventType type)
{
    return int(std::count_if(t.events.begin(), t.events.end(), [type](const trace::Event &e) { return e.type == type; }));
}
} // namespace

class TestCompare : public QObject
{
    Q_OBJECT

private slots:
    void commandsRoundTrip()
    {
        runtime::ThreadLimits limits;
        limits.workerMin = 12;
        limits.ioMax = 50;
        const auto limitsBack = rs::parseCommand(rs::limitsCommand(limits));
        QVERIFY(limitsBack && limitsBack->kind == rs::Command::Limits);
        QCOMPARE(limitsBack->limits.workerMin, std::optional<unsigned>(12));
        QCOMPARE(limitsBack->limits.workerMax, std::optional<unsigned>());
        QCOMPARE(limitsBack->limits.ioMax, std::optional<unsigned>(50));
        QCOMPARE(rs::parseCommand(rs::pauseCommand())->kind, rs::Command::Pause);
        QCOMPARE(rs::parseCommand(rs::stepCommand())->kind, rs::Command::Step);
        QCOMPARE(rs::parseCommand(rs::rateCommand(250))->value, 250.0);
        QCOMPARE(rs::parseCommand(rs::trafficDuringPauseCommand(true))->value, 1.0);
        for (const char *bad : {"", "fly", "speed", "speed -3", "rate nan", "limits 1 2 3", "limits x - - -", "limits 1 2 3 999999"})
            QVERIFY2(!rs::parseCommand(bad), bad);
    }

    void framesArriveInPieces()
    {
        const std::string stream = rs::frame(rs::Frame::Started, {}) + rs::frame(rs::Frame::Failure, "helper died")
                                   + rs::frame(rs::Frame::Watermark, rs::watermarkPayload(42)) + rs::frame(rs::Frame::End, {});
        rs::FrameReader reader;
        std::vector<std::pair<rs::Frame, std::string>> frames;
        for (char c : stream) { // a byte at a time: a pipe may cut anywhere
            reader.add(&c, 1);
            while (auto f = reader.next())
                frames.push_back(*f);
        }
        QCOMPARE(frames.size(), std::size_t(4));
        QCOMPARE(frames[1].second, std::string("helper died"));
        QCOMPARE(frames[3].first, rs::Frame::End);
        rs::FrameReader garbage;
        garbage.add("hello world, not a stream", 25);
        QVERIFY(!garbage.next());
        QVERIFY(!garbage.error().empty());
    }

    void everyBuiltinPairLoads()
    {
        QVERIFY(scenario::builtinPairIds().size() >= 3);
        for (const QString &id : scenario::builtinPairIds()) {
            const scenario::PairLoad load = scenario::loadBuiltinPair(id);
            QVERIFY2(load.pair, qPrintable(load.errors.join(QLatin1Char('\n'))));
            QVERIFY(!load.pair->title.isEmpty() && !load.pair->summary.isEmpty());
            for (const scenario::PairSide &side : load.pair->sides) {
                QVERIFY(!side.label.isEmpty());
                QVERIFY2(!side.scenario.claims.isEmpty(), qPrintable(id));
            }
            QVERIFY(load.pair->sides[0].label != load.pair->sides[1].label);
        }
        // Thread.Sleep vs Task.Wait: one lesson, the blocking call patched on one side.
        const scenario::PairLoad sleepWait = scenario::loadBuiltinPair(QStringLiteral("sleep-vs-task-wait-pair"));
        QVERIFY(sleepWait.pair->sides[0].scenario.runtime.callback.blockKind == workload::CallbackBehavior::Block::Sleep);
        QVERIFY(sleepWait.pair->sides[1].scenario.runtime.callback.blockKind == workload::CallbackBehavior::Block::SyncOverAsync);
    }

    void badPairsSayWhy()
    {
        const scenario::PairLoad runtime = scenario::pairOfRuntimes(QStringLiteral("blocked-callbacks"),
                                                                     {QStringLiteral("legacy-iocp"), QStringLiteral("nope")});
        QVERIFY(!runtime.pair);
        QVERIFY2(runtime.errors.join(QLatin1Char(' ')).contains(QLatin1String("dotnet7-pollers")), qPrintable(runtime.errors.join(QLatin1Char(' '))));
        QVERIFY(!scenario::loadBuiltinPair(QStringLiteral("no-such-pair")).pair);
        QVERIFY(!scenario::pairOfScenarios(QStringLiteral("there-is-no-thread"), QStringLiteral("no-such-scenario")).pair);
        const Result cli = runPorthole({QStringLiteral("compare"), QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"),
                                     QStringLiteral("--headless")});
        QCOMPARE(cli.exitCode, 2);
        QVERIFY(cli.err.contains("built-in pair"));
        // One scenario under two runtimes: the legacy pool's claims do not hold on .NET 7+ pollers, so exit 1.
        const Result failing = runPorthole({QStringLiteral("compare"), QStringLiteral("blocked-callbacks"), QStringLiteral("--runtimes"),
                                            QStringLiteral("legacy-iocp,dotnet7-pollers"), QStringLiteral("--headless"), QStringLiteral("--no-alone"),
                                            QStringLiteral("--duration"), QStringLiteral("1.5"), QStringLiteral("--json")});
        QCOMPARE(failing.exitCode, 1);
        const QJsonObject both = QJsonDocument::fromJson(failing.out).object();
        QCOMPARE(both[QStringLiteral("all_claims_hold")].toBool(), false);
        QCOMPARE(both[QStringLiteral("runs")].toArray()[1].toObject()[QStringLiteral("runtime")].toString(), QStringLiteral("dotnet7-pollers"));
        const Result trace = runPorthole({QStringLiteral("compare"), QStringLiteral("legacy-vs-pollers-blocked"), QStringLiteral("--headless"),
                                       QStringLiteral("--export-trace"), QStringLiteral("x.json")});
        QCOMPARE(trace.exitCode, 2);
        QVERIFY(trace.err.contains(".porthole"));
    }

    // A run in a process of its own takes the window's commands through its stdin and sends back a
    // trace that records them.
    void childRunObeysPauseAndStop()
    {
        const scenario::ScenarioLoad load = scenario::patchedScenario(QStringLiteral("one-thread-many-sockets"),
                                                                      QJsonObject{{QStringLiteral("sockets"), QJsonObject{{QStringLiteral("count"), 200}}}});
        QVERIFY(load.scenario);
        scenario::ChildRun run(*load.scenario, QStringLiteral(PORTHOLE_BINARY), 60);
        QCOMPARE(run.start(), QString());
        QVERIFY(run.processId() > 0);
        QVERIFY(run.waitUntilDrained(trace::nowNs(), std::chrono::seconds(20))); // the child's watermark passed "now"
        run.pause();
        QTRY_VERIFY_WITH_TIMEOUT(countEvents(run.trace(), trace::EventType::RunControl) >= 1, 20000);
        run.resume();
        run.stop();
        QVERIFY(run.hasEnded());
        QCOMPARE(run.failure(), QString());
        const trace::Trace t = run.trace();
        QVERIFY(!t.threads.empty());
        QVERIFY(!t.scenarioJson.empty());
        QVERIFY(countEvents(t, trace::EventType::OpSubmitted) >= 200); // every socket's receive
        const auto paused = std::find_if(t.events.begin(), t.events.end(), [](const trace::Event &e) {
            return e.type == trace::EventType::RunControl && e.small == std::uint8_t(trace::RunAction::Paused);
        });
        QVERIFY(paused != t.events.end());
        QVERIFY(std::is_sorted(t.events.begin(), t.events.end(), [](const trace::Event &a, const trace::Event &b) { return a.timeNs < b.timeNs; }));
    }

    void childRunThatCannotStartSaysWhy()
    {
        const scenario::ScenarioLoad load = scenario::loadScenario(QStringLiteral("there-is-no-thread"));
        scenario::ChildRun missing(*load.scenario, QStringLiteral("/nonexistent/porthole"));
        const QString why = missing.start();
        QVERIFY2(why.contains(QLatin1String("/nonexistent/porthole")), qPrintable(why));
    }

    // `porthole compare` as a user runs it: both runs' claims hold together, the comparison's figures
    // are the runs' own, each run alone is measured, and the saved pair replays with the same claims.
    // As long as the pair's own lessons run (6 s). The pair's callbacks block 1.2 s, not 1 s: two workers
    // blocked a second each dequeue a second apart, in step with the gate's 500 ms ticks, and whether a
    // tick found them starving then depended on the gate's phase (under load: 2 workers in 6 s, 2 runs of 12).
    void headlessPairHoldsAndReplays()
    {
        QTemporaryDir dir;
        const QString pair = dir.filePath(QStringLiteral("pair.porthole"));
        const QString picture = dir.filePath(QStringLiteral("pair.png"));
        const Result r = runPorthole({QStringLiteral("compare"), QStringLiteral("legacy-vs-pollers-blocked"), QStringLiteral("--headless"),
                                   QStringLiteral("--duration"), QStringLiteral("6"), QStringLiteral("--json"), QStringLiteral("--export-trace"),
                                   pair, QStringLiteral("--export-timeline"), picture, QStringLiteral("--size"), QStringLiteral("1280x720")});
        QVERIFY2(r.exitCode == 0, failedClaims(r).constData());
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QVERIFY(o[QStringLiteral("all_claims_hold")].toBool());
        const QJsonArray runs = o[QStringLiteral("runs")].toArray();
        QCOMPARE(runs.size(), 2);
        const QJsonObject comparison = o[QStringLiteral("comparison")].toObject();
        for (int i = 0; i < 2; ++i) {
            const QJsonObject run = runs[i].toObject();
            const QJsonObject figures = comparison[i == 0 ? QStringLiteral("a") : QStringLiteral("b")].toObject();
            QCOMPARE(figures[QStringLiteral("label")].toString(), run[QStringLiteral("label")].toString());
            for (const QJsonValue &c : run[QStringLiteral("claims")].toArray())
                QVERIFY2(c[QStringLiteral("passed")].toBool(), qPrintable(c[QStringLiteral("name")].toString()));
            QCOMPARE(figures[QStringLiteral("claims_passed")].toInt(), run[QStringLiteral("claims")].toArray().size());
            QCOMPARE(figures[QStringLiteral("max_threads")].toDouble(), run[QStringLiteral("max_threads")].toObject()[QStringLiteral("total")].toDouble());
            QVERIFY(std::abs(figures[QStringLiteral("completions_per_s")].toDouble() - run[QStringLiteral("completions_per_s")].toDouble()) < 0.01);
            QVERIFY(figures[QStringLiteral("max_resident_mib")].toDouble() > 1); // each process's own, observed
            QVERIFY(std::abs(figures[QStringLiteral("start_s")].toDouble()) < 2); // started together
            const QJsonObject alone = comparison[QStringLiteral("disturbance")].toObject()[i == 0 ? QStringLiteral("a") : QStringLiteral("b")].toObject();
            QVERIFY(alone[QStringLiteral("completions_per_s_alone")].toDouble() > 0);
            // The same rate to a tenth; the figures' own copy is already rounded (to 0.01), so rounding it
            // again may land on the other tenth (TSan run: 3.6 against 3.65 -> 3.7).
            QVERIFY(std::abs(alone[QStringLiteral("completions_per_s_together")].toDouble()
                             - figures[QStringLiteral("completions_per_s")].toDouble()) <= 0.051);
        }
        // Each run is a process of its own: the legacy pool's I/O threads are not in the pollers' count.
        QCOMPARE(runs[1].toObject()[QStringLiteral("max_threads")].toObject()[QStringLiteral("io")].toDouble(), 0.0);
        QVERIFY(runs[0].toObject()[QStringLiteral("max_threads")].toObject()[QStringLiteral("io")].toDouble() >= 4);
        QVERIFY(comparison[QStringLiteral("disturbance")].toObject().contains(QStringLiteral("exceeds_10_percent")));
        QCOMPARE(QImage(picture).size(), QSize(1280, 720));

        const Result replay = runPorthole({QStringLiteral("replay"), pair, QStringLiteral("--json")});
        QVERIFY2(replay.exitCode == 0, replay.err.constData());
        const QJsonObject again = QJsonDocument::fromJson(replay.out).object();
        for (int i = 0; i < 2; ++i) {
            const QJsonArray before = runs[i].toObject()[QStringLiteral("claims")].toArray();
            const QJsonArray after = again[QStringLiteral("runs")].toArray()[i].toObject()[QStringLiteral("claims")].toArray();
            QCOMPARE(after, before);
        }
        QCOMPARE(again[QStringLiteral("comparison")].toObject()[QStringLiteral("disturbance")], comparison[QStringLiteral("disturbance")]);
        const Result exported = runPorthole({QStringLiteral("export"), pair, QStringLiteral("--timeline"), dir.filePath(QStringLiteral("again.svg"))});
        QVERIFY2(exported.exitCode == 0, exported.err.constData());
        const Result chrome = runPorthole({QStringLiteral("export"), pair, QStringLiteral("--chrome"), dir.filePath(QStringLiteral("x.json"))});
        QCOMPARE(chrome.exitCode, 2);
        QVERIFY(chrome.err.contains("two runs"));
    }
};

QTEST_GUILESS_MAIN(TestCompare)
#include "tst_compare.moc"
