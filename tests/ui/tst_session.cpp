// The window's logic without the window, on real runs: threads appear, pause holds every
// dequeue, step moves exactly one completion, scrubbing rebuilds the state at the cursor.

#include "engine/descriptorlimit.h"
#include "framepacer.h"
#include "machineview.h"
#include "scenario/builtins.h"
#include "scenario/runsource.h"
#include "session.h"

#include <QPaintEvent>
#include <QSignalSpy>
#include <QTest>

#include <cerrno>

#include <sys/resource.h>
#include <unistd.h>

using namespace porthole;
using namespace porthole::ui;

namespace {
scenario::Scenario load(const QString &id)
{
    auto loaded = scenario::loadScenario(id);
    return *loaded.scenario;
}

std::size_t aliveWithRole(const model::ModelState &s, trace::ThreadRole role)
{
    std::size_t n = 0;
    for (const auto &t : s.threads)
        n += t.alive && t.role == role;
    return n;
}

bool startAndWait(Session &session, const QString &id)
{
    QSignalSpy started(&session, &Session::started);
    session.start(load(id));
    return started.wait(30000) && started.first().first().toString().isEmpty();
}

// Waits on the collector's watermark until the model holds everything recorded before now (the live
// view otherwise stays SettleNs behind).
void settle(Session &session)
{
    QVERIFY(session.pullThrough(porthole::trace::nowNs()));
}

class PaintCounter : public QObject
{
public:
    int paints = 0;
    bool eventFilter(QObject *, QEvent *event) override
    {
        paints += event->type() == QEvent::Paint;
        return false;
    }
};
} // namespace

class TestSession : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { engine::raiseDescriptorLimit(); }

    void startingShowsTheThreads()
    {
        Session session;
        QVERIFY(startAndWait(session, QStringLiteral("dotnet7-pollers")));
        QTRY_VERIFY_WITH_TIMEOUT(aliveWithRole(session.cursorState(), trace::ThreadRole::Poller) >= 1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(session.cursorState().dequeued > 0, 10000);
        QCOMPARE(session.cursorState().sockets.size(), std::size_t(1000));
        session.stop();
        QVERIFY(!session.isRunning());
    }

    void pauseHoldsAndStepMovesOneCompletion()
    {
        Session session;
        QVERIFY(startAndWait(session, QStringLiteral("there-is-no-thread")));
        QTRY_VERIFY_WITH_TIMEOUT(session.cursorState().dequeued > 0, 10000);
        session.pause();
        QTRY_VERIFY_WITH_TIMEOUT(!session.cursorState().pauses.empty(), 10000); // the driver recorded it
        QTest::qWait(400);
        settle(session);
        // Nothing starts while paused (a packet already on its way may be dequeued: its thread then holds).
        QCOMPARE(session.cursorState().pauses.back().callbacksStarted, std::uint64_t(0));
        session.step(); // no completion waits: the step sends one message and lets it through
        QTRY_COMPARE_WITH_TIMEOUT(session.cursorState().pauses.back().callbacksStarted, std::uint64_t(1), 10000);
        QTest::qWait(300);
        settle(session);
        QCOMPARE(session.cursorState().pauses.back().callbacksStarted, std::uint64_t(1)); // exactly one
        QCOMPARE(session.cursorState().pauses.back().steps, std::uint64_t(1));
        const std::uint64_t held = session.cursorState().dequeued;
        session.resume();
        QTRY_VERIFY_WITH_TIMEOUT(session.cursorState().dequeued > held, 10000); // it goes on
    }

    // The run's threads give way to the window's (scenario::giveWayToTheWindow): each one the trace
    // names, the run's own and Porthole's, runs at nice +RunNice; the window's thread keeps its own.
    void theRunGivesWayToTheWindow()
    {
        const int windowNice = ::getpriority(PRIO_PROCESS, pid_t(::gettid()));
        Session session;
        QVERIFY(startAndWait(session, QStringLiteral("there-is-no-thread")));
        QTRY_VERIFY_WITH_TIMEOUT(session.cursorState().dequeued > 0, 10000);
        std::size_t checked = 0;
        for (const model::ThreadView &thread : session.cursorState().threads) {
            if (!thread.alive || thread.osThreadId <= 0)
                continue;
            errno = 0;
            const int nice = ::getpriority(PRIO_PROCESS, id_t(thread.osThreadId));
            QCOMPARE(errno, 0);
            QVERIFY2(nice == std::min(19, windowNice + scenario::RunNice), thread.name.c_str());
            ++checked;
        }
        QVERIFY(checked >= 2); // the loop's thread and Porthole's driver at least
        QCOMPARE(::getpriority(PRIO_PROCESS, pid_t(::gettid())), windowNice);
    }

    void scrubbingRebuildsTheState()
    {
        Session session;
        QVERIFY(startAndWait(session, QStringLiteral("there-is-no-thread")));
        QTRY_VERIFY_WITH_TIMEOUT(session.cursorState().dequeued > 20, 10000);
        session.stop();
        const model::StateModel &model = session.model();
        const std::size_t middle = model.nextDequeue(model.eventCount() / 2);
        session.setCursorIndex(middle);
        QVERIFY(!session.isFollowingLive());
        QCOMPARE(session.cursorState().eventIndex, middle);
        QCOMPARE(session.cursorState().dequeued, model.stateAt(middle).dequeued);
        QVERIFY(session.cursorState().dequeued < model.latest().dequeued);
        const std::uint64_t here = session.cursorState().dequeued;
        session.stepBack();
        QCOMPARE(session.cursorState().dequeued, here - 1);
        session.step();
        QCOMPARE(session.cursorState().dequeued, here);
    }

    void aLoadedTraceReplays()
    {
        Session live;
        QVERIFY(startAndWait(live, QStringLiteral("there-is-no-thread")));
        QTRY_VERIFY_WITH_TIMEOUT(live.cursorState().dequeued > 5, 10000);
        live.stop();
        trace::Trace trace;
        trace.events = live.model().events().copy(0, live.model().eventCount());
        Session replay;
        replay.loadTrace(trace);
        QCOMPARE(replay.cursorState().dequeued, live.cursorState().dequeued);
        replay.setCursorIndex(0);
        QCOMPARE(replay.cursorState().dequeued, std::uint64_t(0));
    }

    // A trace is loaded in one append, faster than the spill writer writes: the old chunks it had not
    // reached by then are spilled afterwards, though nothing more is appended, not kept in memory.
    void aLoadedTraceSpillsWhatTheWriterHadNotReached()
    {
        using trace::EventLog;
        const std::size_t chunks = EventLog::DefaultChunksInMemory + 3 * EventLog::MaxQueuedSpills;
        trace::Trace loaded;
        loaded.threads = {{0, 1, trace::ThreadRole::EventLoop, "loop"}};
        loaded.events.reserve(chunks * EventLog::ChunkEvents);
        for (std::size_t i = 0; i < chunks * EventLog::ChunkEvents; ++i) {
            const auto state = i % 2 ? trace::ThreadState::Running : trace::ThreadState::WaitingInPort;
            loaded.events.push_back({1000 + i, 0, trace::EventType::ThreadState, std::uint8_t(state), 0, 0, 0});
        }
        Session replay;
        replay.loadTrace(loaded);
        loaded = {};
        if (replay.model().events().spillFailed())
            QSKIP("no temporary file could be made here (TMPDIR)");
        QTRY_VERIFY_WITH_TIMEOUT(!replay.model().events().spillsPending(), 60000);
        QCOMPARE(replay.model().events().spilledChunks(), chunks - EventLog::DefaultChunksInMemory);
        QCOMPARE(replay.model().eventCount(), chunks * EventLog::ChunkEvents);
        QCOMPARE(replay.model().events().back().timeNs, 1000 + chunks * EventLog::ChunkEvents - 1);
    }

    // A flood makes more events a frame than one slice (Session::FoldSlice): the frame timer folds them
    // a slice at a time within its budget, and the model holds exactly the run's events, in its order.
    void aFloodIsFoldedInSlicesWithNothingLost()
    {
        Session session;
        QSignalSpy started(&session, &Session::started);
        session.start(load(QStringLiteral(PORTHOLE_FLOOD)));
        QVERIFY(started.wait(30000));
        QVERIFY(started.first().first().toString().isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(session.model().eventCount() > 4 * Session::FoldSlice, 60000);
        const std::size_t held = session.model().eventCount();
        const trace::Trace run = session.trace(); // the runner's: everything recorded so far
        session.stop();
        QVERIFY(run.events.size() >= held);
        const std::vector<trace::Event> folded = session.model().events().copy(0, held);
        for (std::size_t i = 0; i < held; ++i) {
            const trace::Event &a = folded[i], &b = run.events[i];
            if (a.timeNs != b.timeNs || a.thread != b.thread || a.type != b.type || a.id != b.id || a.value != b.value)
                QFAIL(qPrintable(QStringLiteral("event %1 of %2 differs from the run's").arg(i).arg(held)));
        }
    }

    // A frame's fold gets what the rest of the frame (the views' work: the GUI thread's CPU time from
    // the end of a fold to the next tick) leaves of FramePacer::TargetMs, judged by the largest rest of
    // the last frames, within the pacer's bounds.
    void aFramesFoldGetsWhatTheViewsLeave()
    {
        FramePacer pacer;
        QCOMPARE(pacer.foldBudgetMs(), FramePacer::MaxFoldMs);
        constexpr std::int64_t Ms = 1'000'000;
        std::int64_t cpu = 0;
        const auto frame = [&](std::int64_t foldMs, std::int64_t restMs) { // a tick, a fold, the views
            pacer.frameStarted(cpu);
            cpu += foldMs * Ms;
            pacer.foldEnded(cpu);
            cpu += restMs * Ms;
        };
        frame(3, 10);
        pacer.frameStarted(cpu);
        QCOMPARE(pacer.foldBudgetMs(), FramePacer::TargetMs - 10);
        pacer.frameStarted(cpu + 50 * Ms); // a tick with no fold since the last: nothing measured
        QCOMPARE(pacer.foldBudgetMs(), FramePacer::TargetMs - 10);
        frame(2, 20); // heavier views than a frame has: the fold still moves
        pacer.frameStarted(cpu);
        QCOMPARE(pacer.foldBudgetMs(), FramePacer::MinFoldMs);
        for (std::size_t i = 0; i + 1 < FramePacer::Remembered; ++i)
            frame(8, 1);
        pacer.frameStarted(cpu);
        QCOMPARE(pacer.foldBudgetMs(), FramePacer::MinFoldMs); // the heavy frame is still remembered
        frame(8, 1);
        pacer.frameStarted(cpu);
        QCOMPARE(pacer.foldBudgetMs(), FramePacer::MaxFoldMs); // forgotten: light views leave the most
    }

    // The machine view moves its flights on at frame rate: a live run paints it about once a frame,
    // never as fast as the event loop can go (it did: ten paints a frame, a core spent on painting).
    void theMachineViewPaintsAboutOnceAFrame()
    {
        Session session;
        MachineView view(session);
        view.resize(900, 420);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        PaintCounter counter;
        view.installEventFilter(&counter);
        QSignalSpy frames(&session, &Session::frame);
        QVERIFY(startAndWait(session, QStringLiteral(PORTHOLE_FLOOD)));
        QTRY_VERIFY_WITH_TIMEOUT(frames.count() >= 60, 60000);
        session.stop();
        const int paints = counter.paints, framed = int(frames.count());
        QVERIFY2(paints > 0, "the view was never painted");
        // A frame paints it once; when frames come slower than the flights' tick (a loaded machine),
        // the tick paints it once between them.
        QVERIFY2(paints <= 2 * framed + 4, qPrintable(QStringLiteral("%1 paints in %2 frames").arg(paints).arg(framed)));
    }
};

QTEST_MAIN(TestSession)
#include "tst_session.moc"
