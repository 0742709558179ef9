// The window offscreen: the legacy model's callstacks as a debugger would show them.

#include "callstackview.h"
#include "lanerows.h"
#include "scenario/builtins.h"
#include "walkthroughpanel.h"
#include "palette.h"
#include "engine/descriptorlimit.h"
#include "machineview.h"
#include "mainwindow.h"
#include "runtime/frames.h"
#include "session.h"
#include "timelineview.h"
#include "trace/tracefile.h"
#include "windowtesting.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QScreen>
#include <QApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <algorithm>
#include <map>
#include <QTabBar>
#include <QTest>

using namespace porthole;

namespace {
bool treeContains(const QTreeWidget *tree, const QString &text)
{
    for (int i = 0; i < tree->topLevelItemCount(); ++i) {
        const QTreeWidgetItem *thread = tree->topLevelItem(i);
        for (int f = 0; f < thread->childCount(); ++f)
            if (thread->child(f)->text(0).contains(text))
                return true;
    }
    return false;
}

// The first event index just after a push of `frame` on a thread of `role`.
std::size_t afterPush(const model::StateModel &model, runtime::FrameId frame, trace::ThreadRole role)
{
    const auto &events = model.events();
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (events[i].type != trace::EventType::StackPush || events[i].aux != std::uint16_t(frame))
            continue;
        const auto state = model.stateAt(i + 1);
        if (state.threads[events[i].thread].role == role)
            return i + 1;
    }
    return 0;
}
} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { engine::raiseDescriptorLimit(); }

    void legacyStacksShowPerformIoAndDispatch()
    {
        ui::MainWindow window;
        QVERIFY(testing::runInWindow(window, QStringLiteral("offload-to-workers")));
        QTRY_VERIFY_WITH_TIMEOUT(window.session().cursorState().callbacks > 20, 20000);
        window.session().stop();
        const model::StateModel &model = window.session().model();

        const std::size_t io = afterPush(model, runtime::FrameId::PerformIOCompletionCallback, trace::ThreadRole::IoCompletion);
        QVERIFY(io > 0);
        window.session().setCursorIndex(io);
        QVERIFY(treeContains(window.callstackView(), QStringLiteral("_IOCompletionCallback.PerformIOCompletionCallback")));

        const std::size_t worker = afterPush(model, runtime::FrameId::Dispatch, trace::ThreadRole::Worker);
        QVERIFY(worker > 0);
        window.session().setCursorIndex(worker);
        QVERIFY(treeContains(window.callstackView(), QStringLiteral("ThreadPoolWorkQueue.Dispatch")));

        // Names show whole: the namespaces go first (the full name is the tooltip).
        QVERIFY(treeContains(window.callstackView(), QStringLiteral("ThreadPoolWorkQueue.Dispatch()")));
        QVERIFY(!treeContains(window.callstackView(), QStringLiteral("System.Threading.ThreadPoolWorkQueue")));

        window.callstackView()->setNativeNames(true);
        QVERIFY(treeContains(window.callstackView(), QStringLiteral("WorkerPool::workerLoop(")));

        // Range measure from the start of the run to the cursor: the completions between them.
        window.timelineView()->setMark(0);
        const QString measured = window.timelineView()->measureText();
        QVERIFY2(measured.contains(QStringLiteral("· %1 completions").arg(window.session().cursorState().dequeued)), qPrintable(measured));
    }

    // "One thread, thousands of sockets" counts one thread: Porthole's own (driver, sampler) are counted apart.
    void theLessonsThreadsAreCountedApartFromPortholes()
    {
        ui::MainWindow window;
        QVERIFY(testing::runInWindow(window, QStringLiteral("one-thread-many-sockets")));
        QTRY_VERIFY_WITH_TIMEOUT(window.session().cursorState().callbacks > 0, 20000);
        window.session().stop();
        window.session().setCursorIndex(window.session().model().eventCount() / 2); // mid-run: every thread alive
        (void)window.grab();
        const QString headline = window.machineView()->threadsHeadline();
        QVERIFY2(headline.startsWith(QStringLiteral("Threads: 1")), qPrintable(headline));
        QVERIFY2(headline.contains(QStringLiteral("of Porthole's own")), qPrintable(headline));
        QCOMPARE(window.session().cursorState().lessonThreads(), std::size_t(1));
    }

    // A scenario file run from the command line or File ▸ Open: the toolbar names it and shows its rate,
    // not the default scenario's.
    void theToolbarShowsTheFileThatRuns()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("mine.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"id": "mine", "title": "My own run", "runtime": "raw-uring", "sockets": {"count": 10},
                      "traffic": {"pattern": "uniform", "messages_per_second": 1234}, "duration_s": 1})");
        file.close();
        const scenario::ScenarioLoad load = scenario::loadScenario(path);
        QVERIFY2(load.scenario, qPrintable(load.errors.join(QLatin1Char('\n'))));
        ui::MainWindow window;
        window.runScenario(*load.scenario);
        auto *picker = window.findChild<QComboBox *>();
        auto *rate = window.findChild<QDoubleSpinBox *>();
        QVERIFY(picker && rate);
        QCOMPARE(picker->currentText(), QStringLiteral("My own run (mine.json)"));
        QCOMPARE(rate->value(), 1234.0);
        // Started (its setup thread done) before it is started again.
        QTRY_VERIFY_WITH_TIMEOUT(!window.session().isStarting() && window.session().isRunning(), 20000);
        window.runScenario(*load.scenario); // again: the same entry, not a second one
        QCOMPARE(picker->findText(QStringLiteral("My own run (mine.json)")), picker->currentIndex());
        QCOMPARE(picker->count(), picker->findText(QStringLiteral("My own run (mine.json)")) + 1);
        QTRY_VERIFY_WITH_TIMEOUT(!window.session().isStarting() && window.session().isRunning(), 20000);
        window.session().stop();
    }

    // The arrow keys step the run even when a tab bar has focus (they used to switch the tabs).
    void runKeysWorkWhateverHasFocus()
    {
        ui::MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.openTraceFile(QStringLiteral(PORTHOLE_SAMPLE_TRACE)), QString());
        window.session().setCursorIndex(0);
        auto *tabs = window.findChild<QTabBar *>();
        QVERIFY(tabs);
        tabs->setFocus();
        const int tab = tabs->currentIndex();
        QTest::keyClick(tabs, Qt::Key_Right);
        QCOMPARE(tabs->currentIndex(), tab);                       // the tabs did not move...
        QVERIFY(window.session().cursorIndex() > 0);               // ...the cursor did: one completion on
        const std::size_t after = window.session().cursorIndex();
        QTest::keyClick(tabs, Qt::Key_Left);
        QVERIFY(window.session().cursorIndex() < after);
    }

    // Like Parallel Stacks: blocked I/O threads with one stack are one node "N threads · …".
    void identicalStacksMerge()
    {
        ui::MainWindow window;
        QVERIFY(testing::runInWindow(window, QStringLiteral("blocked-callbacks")));
        QTRY_VERIFY_WITH_TIMEOUT(window.session().cursorState().aliveByRole[std::size_t(trace::ThreadRole::IoCompletion)] >= 6, 20000);
        window.session().stop();
        window.session().setCursorIndex(window.session().model().eventCount() * 3 / 4); // every thread alive
        std::size_t alive = 0;
        const auto &state = window.session().cursorState();
        for (const model::ThreadView &t : state.threads)
            alive += t.alive;
        const QTreeWidget *tree = window.callstackView();
        bool merged = false;
        for (int i = 0; i < tree->topLevelItemCount(); ++i)
            merged = merged || tree->topLevelItem(i)->text(0).contains(QRegularExpression(QStringLiteral("^[0-9]+ threads · .NET ThreadPool IO")));
        QVERIFY2(merged, "no merged node of I/O threads");
        QVERIFY2(std::size_t(tree->topLevelItemCount()) < alive,
                 qPrintable(QStringLiteral("%1 nodes for %2 threads").arg(tree->topLevelItemCount()).arg(alive)));
    }

    // Lanes: the lesson's threads grouped by role and numbered; Porthole's own one collapsed row, last.
    void laneRowsPutTheLessonFirst()
    {
        // Thread i gets the i-th role and name, and tid firstTid + i.
        const auto threadViews = [](const std::vector<trace::ThreadRole> &roles, const std::vector<const char *> &names, int firstTid) {
            std::vector<model::ThreadView> views(roles.size());
            for (std::size_t i = 0; i < views.size(); ++i) {
                views[i].index = std::uint32_t(i);
                views[i].role = roles[i];
                views[i].name = names[i];
                views[i].osThreadId = std::int32_t(firstTid + int(i));
            }
            return views;
        };
        const std::vector<model::ThreadView> threads =
            threadViews({trace::ThreadRole::Porthole, trace::ThreadRole::IoCompletion, trace::ThreadRole::Gate,
                         trace::ThreadRole::IoCompletion, trace::ThreadRole::Porthole},
                        {"porthole: setup", ".NET ThreadPool IO", ".NET ThreadPool Gate", ".NET ThreadPool IO", "porthole: sampler"}, 100);
        const std::vector<ui::LaneRow> rows = ui::laneRowsFor(threads, false);
        QCOMPARE(rows.size(), std::size_t(4));
        QCOMPARE(rows[0].label, QStringLiteral(".NET ThreadPool IO #1 · tid 101"));
        QCOMPARE(rows[1].label, QStringLiteral(".NET ThreadPool IO #2 · tid 103"));
        QCOMPARE(rows[2].label, QStringLiteral(".NET ThreadPool Gate · tid 102"));
        QCOMPARE(rows[3].thread, -1);
        QVERIFY(rows[3].label.contains(QStringLiteral("Porthole's own: 2 threads")));
        const std::vector<ui::LaneRow> shown = ui::laneRowsFor(threads, true);
        QCOMPARE(shown.size(), std::size_t(5));
        QVERIFY(shown[3].dimmed && shown[4].dimmed);

        // Forty I/O threads: a count row, folded until unfolded (the threads chart counts them by state).
        const std::vector<model::ThreadView> many = threadViews(std::vector<trace::ThreadRole>(40, trace::ThreadRole::IoCompletion),
                                                                std::vector<const char *>(40, ".NET ThreadPool IO"), 1000);
        const std::vector<ui::LaneRow> folded = ui::laneRowsFor(many, false);
        QCOMPARE(folded.size(), std::size_t(1));
        QCOMPARE(folded[0].count, 40);
        QVERIFY(folded[0].folded && folded[0].label.startsWith(QStringLiteral("▸")));
        ui::LaneFolding open;
        open.folded[int(trace::ThreadRole::IoCompletion)] = false;
        const std::vector<ui::LaneRow> unfolded = ui::laneRowsFor(many, false, open);
        QCOMPARE(unfolded.size(), std::size_t(41));
        QCOMPARE(unfolded[40].label, QStringLiteral(".NET ThreadPool IO #40 · tid 1039"));

        // Within a role by name, numbers as numbers, whichever thread started first.
        const std::vector<model::ThreadView> posters =
            threadViews(std::vector<trace::ThreadRole>(3, trace::ThreadRole::Other), {"poster 10", "poster 2", "poster 1"}, 200);
        const std::vector<ui::LaneRow> byName = ui::laneRowsFor(posters, false);
        QCOMPARE(byName.size(), std::size_t(3));
        QCOMPARE(byName[0].label, QStringLiteral("poster 1 · tid 202"));
        QCOMPARE(byName[1].label, QStringLiteral("poster 2 · tid 201"));
        QCOMPARE(byName[2].label, QStringLiteral("poster 10 · tid 200"));
    }

    // One thread sits at the same place in every panel: the lanes, the machine view's cards and the
    // callstacks list "poster 1" before "poster 2", though poster 2 started first (as listedBefore says).
    void everyPanelListsThreadsInOneOrder()
    {
        trace::Trace trace;
        const std::vector<std::pair<trace::ThreadRole, const char *>> threads = {
            {trace::ThreadRole::Other, "poster 2"}, {trace::ThreadRole::EventLoop, "event loop"}, {trace::ThreadRole::Other, "poster 1"}};
        for (std::uint32_t i = 0; i < threads.size(); ++i) {
            trace.threads.push_back({i, std::int32_t(300 + i), threads[i].first, threads[i].second});
            trace.events.push_back({1000 + i, i, trace::EventType::ThreadCreated, std::uint8_t(threads[i].first), 0, 0, 300 + i});
            trace.events.push_back({2000 + i, i, trace::EventType::ThreadState, std::uint8_t(trace::ThreadState::Blocked), 0, 0, 0});
        }
        ui::MainWindow window;
        window.resize(1400, 900);
        window.show();
        window.session().loadTrace(trace, QStringLiteral("posters"));
        const std::vector<int> expected = {1, 2, 0}; // event loop, poster 1, poster 2
        std::vector<int> lanes;
        for (const ui::LaneRow &row : ui::laneRowsFor(window.session().cursorState().threads, false))
            if (row.thread >= 0)
                lanes.push_back(row.thread);
        QCOMPARE(lanes, expected);
        // The cards, read as they are laid out: left to right, then down.
        ui::MachineView *machine = window.machineView();
        machine->grab();
        std::vector<int> cards;
        for (int y = 0; y < machine->height(); y += 4)
            for (int x = 0; x < machine->width(); x += 4)
                if (const int t = machine->threadAt(QPointF(x, y)); t >= 0 && std::find(cards.begin(), cards.end(), t) == cards.end())
                    cards.push_back(t);
        QCOMPARE(cards, expected);
        const QTreeWidget *tree = window.callstackView();
        QTRY_VERIFY(tree->topLevelItemCount() >= 3);
        std::vector<int> stacks;
        for (int i = 0; i < tree->topLevelItemCount(); ++i)
            for (int t = 0; t < 3; ++t)
                if (tree->topLevelItem(i)->text(0).contains(QStringLiteral("tid %1").arg(300 + t)))
                    stacks.push_back(t);
        QCOMPARE(stacks, expected);
    }

    // Level of detail: zoomed out, the io_uring loop's lane draws each state's share of the time as the trace
    // has it (however busy this machine made the loop), in the states' own colours; never a colour no state has.
    void lanesShowProportionsZoomedOut()
    {
        ui::MainWindow window;
        window.resize(1400, 900);
        QVERIFY(testing::runInWindow(window, QStringLiteral("one-thread-many-sockets")));
        QTRY_VERIFY_WITH_TIMEOUT(window.session().cursorState().callbacks > 300, 20000);
        window.session().stop();
        ui::TimelineView *timeline = window.timelineView();
        timeline->showWholeRun();
        const QImage image = timeline->grab().toImage();
        const QRect lanes = timeline->lanesArea();
        const int y = timeline->rowCenterY(0); // the first row: the loop
        const int x0 = lanes.left() + 2, x1 = lanes.right() - 120; // left of the callbacks label

        // The share of its time the loop spent waiting, from the trace (what the pixels must say).
        const model::StateModel &model = window.session().model();
        int loop = -1;
        for (const model::ThreadView &t : window.session().cursorState().threads)
            loop = t.role == trace::ThreadRole::EventLoop && loop < 0 ? int(t.index) : loop;
        QVERIFY(loop >= 0);
        const double fromS = double(x0 - lanes.left()) / lanes.width() * (timeline->visibleToS() - timeline->visibleFromS()) + timeline->visibleFromS();
        const double toS = double(x1 - lanes.left()) / lanes.width() * (timeline->visibleToS() - timeline->visibleFromS()) + timeline->visibleFromS();
        const auto &data = window.session().timeline();
        double waitingNs = 0, runningNs = 0;
        for (const model::LaneBox &b : data.lanes()[std::size_t(loop)].visible(data.originNs() + std::uint64_t(fromS * 1e9),
                                                                                 std::min(model.lastTimeNs(), data.originNs() + std::uint64_t(toS * 1e9)), 0)) {
            waitingNs += b.state == std::uint8_t(trace::ThreadState::WaitingInPort) ? double(b.end - b.start) : 0;
            runningNs += b.state == std::uint8_t(trace::ThreadState::Running) ? double(b.end - b.start) : 0;
        }
        QVERIFY(waitingNs + runningNs > 0);

        // Each pixel of the row's middle, by the state whose colour it has (plain, or under its pattern).
        const auto near = [](QColor a, QColor b) {
            return std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) + std::abs(a.blue() - b.blue()) < 24;
        };
        const auto shaded = [](QColor c) { return QColor(c.red() * 165 / 255, c.green() * 165 / 255, c.blue() * 165 / 255); };
        int waiting = 0, running = 0, mixedColour = 0;
        for (int x = x0; x < x1; ++x)
            for (int dy = -3; dy <= 3; ++dy) {
                const QColor c = image.pixelColor(x, y + dy);
                const QColor w = ui::Palette::threadState(std::uint8_t(trace::ThreadState::WaitingInPort));
                const QColor r = ui::Palette::threadState(std::uint8_t(trace::ThreadState::Running));
                waiting += near(c, w) || near(c, shaded(w));
                running += near(c, r) || near(c, shaded(r));
                mixedColour += near(c, QColor(0xCC, 0x79, 0xA7));
            }
        const double drawn = double(waiting) / std::max(1, waiting + running), traced = waitingNs / (waitingNs + runningNs);
        qInfo("the loop waits %.0f%% of its time in the trace; %.0f%% of its pixels say so", traced * 100, drawn * 100);
        QVERIFY2(std::abs(drawn - traced) < 0.15, qPrintable(QStringLiteral("drawn %1, traced %2").arg(drawn).arg(traced)));
        QCOMPARE(mixedColour, 0);
    }

    // The walkthrough panel keeps its width: no step of any built-in lesson (long .NET names, long choices)
    // asks for more room than the panel's own minimum.
    void walkthroughPanelKeepsItsWidth()
    {
        ui::MainWindow window;
        window.show();
        ui::WalkthroughPanel *panel = window.walkthroughPanel();
        const int minimum = panel->minimumWidth();
        for (const QString &id : scenario::builtinScenarioIds()) {
            QFile file(scenario::builtinScenarioPath(id));
            QVERIFY(file.open(QIODevice::ReadOnly));
            trace::Trace t;
            t.scenarioJson = file.readAll().toStdString(); // a trace carries its scenario, walkthrough and all
            window.session().loadTrace(t, id);
            panel->restart();
            QVERIFY2(panel->walkthrough().stepCount() > 0, qPrintable(id));
            for (int step = 0; step < panel->walkthrough().stepCount(); ++step) {
                QApplication::processEvents();
                QVERIFY2(panel->minimumSizeHint().width() <= minimum + 2,
                         qPrintable(QStringLiteral("%1 step %2 asks for %3 px").arg(id).arg(step + 1).arg(panel->minimumSizeHint().width())));
                panel->next();
            }
        }
    }

    // A replay of a run without a walkthrough gives the panel's room to the views; one with a walkthrough
    // brings the panel back.
    void theWalkthroughPanelShowsOnlyForARunThatHasOne()
    {
        ui::MainWindow window;
        window.show();
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QFile lesson(scenario::builtinScenarioPath(QStringLiteral("there-is-no-thread")));
        QVERIFY(lesson.open(QIODevice::ReadOnly));
        const QJsonObject withSteps = QJsonDocument::fromJson(lesson.readAll()).object();
        QJsonObject withoutSteps = withSteps;
        withoutSteps.remove(QStringLiteral("walkthrough"));
        const auto replay = [&](const QJsonObject &scenarioJson, const QString &name) {
            trace::Trace t;
            t.scenarioJson = QJsonDocument(scenarioJson).toJson().toStdString();
            const QString path = dir.filePath(name + QStringLiteral(".porthole"));
            QCOMPARE(QString::fromStdString(trace::saveTrace(t, path.toStdString())), QString());
            QCOMPARE(window.openTraceFile(path), QString());
        };
        replay(withoutSteps, QStringLiteral("without"));
        QVERIFY(window.session().scenario().walkthrough.isEmpty());
        QVERIFY(!window.walkthroughPanel()->isVisibleTo(&window));
        replay(withSteps, QStringLiteral("with"));
        QVERIFY(!window.session().scenario().walkthrough.isEmpty());
        QVERIFY(window.walkthroughPanel()->isVisibleTo(&window));
    }

    // Presenter mode (larger text) still fits a 1280x720 projector.
    void presenterModeFitsAProjector()
    {
        ui::MainWindow window;
        window.show();
        window.setPresenterMode(true);
        const QSize smallest = window.minimumSizeHint().expandedTo(window.minimumSize());
        QVERIFY2(smallest.width() <= 1280 && smallest.height() <= 720,
                 qPrintable(QStringLiteral("the smallest presenter layout is %1x%2").arg(smallest.width()).arg(smallest.height())));
        window.setPresenterMode(false);
    }

    // The window fits a 1280x720 projector (its smallest layout), and opens within the screen it is on.
    void fitsTheScreen()
    {
        ui::MainWindow window;
        window.show();
        const QSize smallest = window.minimumSizeHint().expandedTo(window.minimumSize());
        QVERIFY2(smallest.width() <= 1216 && smallest.height() <= 684,
                 qPrintable(QStringLiteral("the smallest layout is %1x%2").arg(smallest.width()).arg(smallest.height())));
        const QRect room = window.screen()->availableGeometry();
        if (room.width() >= smallest.width() && room.height() >= smallest.height())
            QVERIFY2(window.width() <= room.width() && window.height() <= room.height(),
                     qPrintable(QStringLiteral("%1x%2 on %3x%4").arg(window.width()).arg(window.height()).arg(room.width()).arg(room.height())));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
