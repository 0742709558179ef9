// Pause is a freeze: while paused, no built-in lesson adds a thread or starts a callback, the threads
// held are recorded "held by pause", and a step lets exactly one callback through.

#include "engine/descriptorlimit.h"
#include "model/interpreter.h"
#include "scenario/builtins.h"
#include "scenario/runner.h"

#include <QTest>

#include <bit>

using namespace porthole;

namespace {
// Events recorded from `fromNs` on that are in the trace: the collector's watermark, not a sleep.
void waitForTraceThrough(const scenario::Runner &runner, std::uint64_t timeNs)
{
    QVERIFY(runner.waitUntilDrained(timeNs, std::chrono::seconds(20)));
}

std::uint64_t heldByPauseEvents(const trace::Trace &t)
{
    std::uint64_t n = 0;
    for (const trace::Event &e : t.events)
        n += e.type == trace::EventType::ThreadState && e.small == std::uint8_t(trace::ThreadState::HeldByPause);
    return n;
}
} // namespace

class TestPause : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { engine::raiseDescriptorLimit(); }

    // A window whose reader is behind holds a flood's posters, as the trace's collector does: once told,
    // each poster makes at most the post it was in, and is recorded blocked; told no longer, they go on.
    void aReaderBehindHoldsTheFlood()
    {
        const scenario::ScenarioLoad load = scenario::loadScenario(QStringLiteral(PORTHOLE_FLOOD));
        QVERIFY(load.scenario);
        scenario::Runner runner(*load.scenario);
        QCOMPARE(runner.start(), QString());
        const auto postsAfter = [&runner](std::uint64_t fromNs) {
            std::size_t n = 0;
            for (const trace::Event &e : runner.eventsSince(0, 0))
                n += e.type == trace::EventType::Post && e.timeNs >= fromNs;
            return n;
        };
        QTRY_VERIFY_WITH_TIMEOUT(postsAfter(0) > 1000, 20000);
        runner.setReaderBehind(true);
        const std::uint64_t held = trace::nowNs();
        waitForTraceThrough(runner, held + 200'000'000); // 200 ms of the run, by the collector's watermark
        // A millisecond's margin: events are stamped with the CPU's counter, converted to the steady clock.
        const std::size_t late = postsAfter(held + 1'000'000);
        QVERIFY2(late <= std::size_t(load.scenario->posts.threads), qPrintable(QStringLiteral("%1 posts after").arg(late)));
        // Held, each poster said it was blocked (it sleeps): the views draw no running thread there.
        const auto posterStates = [&runner] {
            model::Interpreter interpreter;
            interpreter.apply(runner.eventsSince(0, 0));
            const std::vector<trace::ThreadInfo> names = runner.threads();
            std::vector<trace::ThreadState> states;
            for (const model::ThreadView &t : interpreter.state().threads)
                if (t.alive && t.index < names.size() && names[t.index].name.rfind("poster", 0) == 0)
                    states.push_back(t.state);
            return states;
        };
        QCOMPARE(posterStates(), std::vector<trace::ThreadState>(load.scenario->posts.threads, trace::ThreadState::Blocked));
        runner.setReaderBehind(false);
        const std::uint64_t released = trace::nowNs();
        QTRY_VERIFY_WITH_TIMEOUT(postsAfter(released) > 1000, 20000);
        runner.stop();
    }

    void everyBuiltinFreezes_data()
    {
        QTest::addColumn<QString>("id");
        for (const QString &id : scenario::builtinScenarioIds())
            QTest::newRow(qPrintable(id)) << id;
    }

    void everyBuiltinFreezes()
    {
        QFETCH(QString, id);
        const scenario::ScenarioLoad load = scenario::loadScenario(id);
        QVERIFY(load.scenario);
        scenario::Runner runner(*load.scenario);
        runner.schedulePause(0.6, 1.0);
        QCOMPARE(runner.start(), QString());
        QTRY_VERIFY_WITH_TIMEOUT([&] {
            const auto pauses = runner.pauses();
            return pauses.size() == 1 && !pauses[0].open;
        }(), 30000);
        runner.stop();

        model::Interpreter interpreter;
        const trace::Trace t = runner.trace();
        interpreter.apply(t.events);
        const std::vector<model::PauseSpan> &pauses = interpreter.state().pauses;
        QCOMPARE(pauses.size(), std::size_t(1));
        QVERIFY2(pauses[0].atS >= 0.6 && pauses[0].forS >= 0.9, qPrintable(QStringLiteral("%1 s for %2 s").arg(pauses[0].atS).arg(pauses[0].forS)));
        QCOMPARE(pauses[0].threadsAdded, std::uint64_t(0));
        QCOMPARE(pauses[0].callbacksStarted, std::uint64_t(0));
        QCOMPARE(pauses[0].steps, std::uint64_t(0));
    }

    // The lesson's threads wait at the pause, drawn as held; a step lets one callback start.
    void stepLetsOneCallbackThrough()
    {
        const scenario::ScenarioLoad load = scenario::loadScenario(QStringLiteral("one-thread-many-sockets"));
        QVERIFY(load.scenario);
        scenario::Runner runner(*load.scenario);
        runner.setTrafficDuringPause(true); // completions keep arriving: a step has one to take
        QCOMPARE(runner.start(), QString());
        QTRY_VERIFY_WITH_TIMEOUT(runner.history().size() >= 4, 20000);
        runner.pause();
        QTRY_VERIFY_WITH_TIMEOUT(runner.pauses().size() == 1, 20000);
        runner.step();
        QTRY_VERIFY_WITH_TIMEOUT(!runner.pauses().empty() && runner.pauses().back().steps == 1, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(runner.pauses().back().callbacksStarted == 1, 20000);
        // Everything recorded in the next 300 ms is in the trace: still one callback, the loop held again.
        const trace::Trace before = runner.trace();
        waitForTraceThrough(runner, before.events.empty() ? 0 : before.events.back().timeNs + 300'000'000);
        QCOMPARE(runner.pauses().back().callbacksStarted, std::uint64_t(1));
        QCOMPARE(runner.pauses().back().threadsAdded, std::uint64_t(0));
        runner.resume();
        QTRY_VERIFY_WITH_TIMEOUT(!runner.pauses().back().open, 20000);
        runner.stop();
        QVERIFY2(heldByPauseEvents(runner.trace()) >= 2, "the io_uring loop was not recorded as held by the pause");
    }
};

QTEST_GUILESS_MAIN(TestPause)
#include "tst_pause.moc"
