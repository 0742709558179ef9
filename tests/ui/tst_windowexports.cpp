// The window's exports, the walkthrough panel on a real run, and presenter mode (offscreen).

#include "callstackview.h"
#include "engine/descriptorlimit.h"
#include "highlightframe.h"
#include "machineview.h"
#include "mainwindow.h"
#include "palette.h"
#include "scenario/walkthrough.h"
#include "session.h"
#include "timelineexport.h"
#include "timelineview.h"
#include "walkthroughpanel.h"
#include "windowtesting.h"

#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

#include <set>

using namespace porthole;

namespace {

// A short real run in the window, stopped: the legacy pool with work offloaded to workers.
void runAndStop(ui::MainWindow &window, const QString &id, std::uint64_t callbacks)
{
    QVERIFY(window.selectScenario(id));
    QSignalSpy started(&window.session(), &ui::Session::started);
    window.runSelected();
    QVERIFY(started.wait(30000));
    QTRY_VERIFY_WITH_TIMEOUT(window.session().cursorState().callbacks > callbacks, 20000);
    window.session().stop();
}

bool sameState(const model::ModelState &a, const model::ModelState &b)
{
    if (a.eventIndex != b.eventIndex || a.timeNs != b.timeNs || a.dequeued != b.dequeued || a.callbacks != b.callbacks
        || a.pendingOps != b.pendingOps || a.cqReady != b.cqReady || a.portQueue != b.portQueue || a.threads.size() != b.threads.size())
        return false;
    for (std::size_t i = 0; i < a.threads.size(); ++i)
        if (a.threads[i].state != b.threads[i].state || a.threads[i].stack != b.threads[i].stack || a.threads[i].alive != b.threads[i].alive)
            return false;
    return a.sockets == b.sockets;
}

} // namespace

namespace {
// While held for a prediction, the run adds no thread: the answer is not drawn before the question.
void settleAndCheckNoThreadAdded(ui::MainWindow &window)
{
    // Counted once the pause itself is in the state the window shows (everything before it is too).
    QTRY_VERIFY_WITH_TIMEOUT(!window.session().cursorState().pauses.empty(), 10000);
    const std::size_t before = window.session().cursorState().lessonThreads();
    QTest::qWait(700); // longer than the gate's 500 ms period: a thread would have come
    QCOMPARE(window.session().cursorState().lessonThreads(), before);
}
} // namespace

class TestWindowExports : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        engine::raiseDescriptorLimit();
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void exportsAreValidFiles()
    {
        QTemporaryDir dir;
        ui::MainWindow window;
        window.resize(1200, 800);
        window.show();
        runAndStop(window, QStringLiteral("offload-to-workers"), 30);

        // The whole window, as on screen.
        const QString png = dir.filePath(QStringLiteral("window.png"));
        QCOMPARE(window.exportWindowPng(png), QString());
        QImage picture(png);
        QVERIFY(!picture.isNull());
        QCOMPARE(picture.size(), window.grab().size());
        QVERIFY(window.exportWindowPng(dir.filePath(QStringLiteral("window.jpg"))).contains(QStringLiteral(".png")));

        // A chosen range of the timeline: PNG at the size asked, SVG that parses, PDF with a page.
        const QString title = QStringLiteral("Range — Porthole");
        const ui::TimelinePicture range{QSize(800, 500), title, 0.2, 0.9, 1};
        QCOMPARE(ui::exportTimeline(window.session(), dir.filePath(QStringLiteral("t.png")), range), QString());
        QCOMPARE(QImage(dir.filePath(QStringLiteral("t.png"))).size(), QSize(800, 500));
        ui::TimelinePicture highDpi = range;
        highDpi.pixelRatio = 2;
        QCOMPARE(ui::exportTimeline(window.session(), dir.filePath(QStringLiteral("t2.png")), highDpi), QString());
        QCOMPARE(QImage(dir.filePath(QStringLiteral("t2.png"))).size(), QSize(1600, 1000)); // the same layout, twice the pixels
        QCOMPARE(ui::exportTimeline(window.session(), dir.filePath(QStringLiteral("t.svg")), range), QString());
        QFile svg(dir.filePath(QStringLiteral("t.svg")));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&svg);
        while (!xml.atEnd())
            xml.readNext();
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QCOMPARE(ui::exportTimeline(window.session(), dir.filePath(QStringLiteral("t.pdf")), range), QString());
        QFile pdf(dir.filePath(QStringLiteral("t.pdf")));
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        const QByteArray pdfBytes = pdf.readAll();
        QVERIFY(pdfBytes.startsWith("%PDF"));
        QVERIFY(pdfBytes.contains("/Type /Page"));

        // For a slide: a title font of 28 px or more at 1080, i.e. capitals at least 20 px of ink high
        // (a plain export's: about 10).
        const auto titleHeight = [](const QImage &image) { // the first run of rows with dark pixels
            int top = -1;
            for (int y = 0; y < image.height() / 4; ++y) {
                bool dark = false;
                for (int x = image.width() / 4; x < image.width() * 3 / 4 && !dark; ++x)
                    dark = image.pixelColor(x, y).lightness() < 100;
                if (dark && top < 0)
                    top = y;
                else if (!dark && top >= 0)
                    return y - top;
            }
            return 0;
        };
        ui::TimelinePicture slide{QSize(1920, 1080), QStringLiteral("Offload — Porthole"), -1, -1, 1, true};
        QCOMPARE(ui::exportTimeline(window.session(), dir.filePath(QStringLiteral("slide.png")), slide), QString());
        slide.slide = false;
        QCOMPARE(ui::exportTimeline(window.session(), dir.filePath(QStringLiteral("plain.png")), slide), QString());
        const int slideTitle = titleHeight(QImage(dir.filePath(QStringLiteral("slide.png"))));
        const int plainTitle = titleHeight(QImage(dir.filePath(QStringLiteral("plain.png"))));
        QVERIFY2(slideTitle >= 20 && slideTitle > plainTitle,
                 qPrintable(QStringLiteral("title %1 px on the slide, %2 px plain").arg(slideTitle).arg(plainTitle)));

        // Chrome Trace JSON: parses, and names every thread of the run.
        const QString json = dir.filePath(QStringLiteral("run.json"));
        QCOMPARE(window.saveTraceFile(json), QString());
        QFile jsonFile(json);
        QVERIFY(jsonFile.open(QIODevice::ReadOnly));
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(jsonFile.readAll(), &error);
        QVERIFY2(!doc.isNull(), qPrintable(error.errorString()));
        std::set<qint64> named;
        for (const QJsonValue &e : doc.object().value(QStringLiteral("traceEvents")).toArray())
            if (e[QStringLiteral("ph")].toString() == QLatin1String("M") && e[QStringLiteral("name")].toString() == QLatin1String("thread_name"))
                named.insert(e[QStringLiteral("tid")].toInteger());
        const trace::Trace recorded = window.session().trace();
        QVERIFY(!recorded.threads.empty());
        for (const trace::ThreadInfo &t : recorded.threads)
            QVERIFY2(named.count(qint64(t.index)), qPrintable(QString::fromStdString(t.name))); // tid: the thread's index

        // Metrics: a header, then one row per sample, every row as wide as the header.
        const QString csv = dir.filePath(QStringLiteral("metrics.csv"));
        QCOMPARE(window.exportMetricsCsv(csv), QString());
        QFile csvFile(csv);
        QVERIFY(csvFile.open(QIODevice::ReadOnly | QIODevice::Text));
        const QStringList rows = QString::fromUtf8(csvFile.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(rows.size(), window.session().metricsHistory().size() + 1);
        QVERIFY(rows[0].startsWith(QStringLiteral("time_s,")));
        QVERIFY(rows[0].contains(QStringLiteral("callbacks")));
        for (const QString &row : rows)
            QCOMPARE(row.count(QLatin1Char(',')), rows[0].count(QLatin1Char(',')));

        // Bad names and nothing to save get a clear message, never a file.
        QVERIFY(window.saveTraceFile(dir.filePath(QStringLiteral("run.txt"))).contains(QStringLiteral(".porthole")));
        QVERIFY(window.openTraceFile(dir.filePath(QStringLiteral("missing.porthole"))).contains(QStringLiteral("missing.porthole")));
        QVERIFY(window.openTraceFile(csv).contains(QStringLiteral("metrics.csv"))); // not a trace
    }

    // Porthole's own format: re-opened, it shows the same state at the same cursor, and steps back.
    void savedTraceReopensToTheSameState()
    {
        QTemporaryDir dir;
        ui::MainWindow window;
        window.show();
        runAndStop(window, QStringLiteral("many-threads-one-port"), 10);
        const QString path = dir.filePath(QStringLiteral("run.porthole"));
        QCOMPARE(window.saveTraceFile(path), QString());
        const std::size_t events = window.session().model().eventCount();
        const std::size_t cursor = window.session().model().nextDequeue(events / 2);
        window.session().setCursorIndex(cursor);
        const model::ModelState before = window.session().cursorState();

        ui::MainWindow replay;
        replay.show();
        QCOMPARE(replay.openTraceFile(path), QString());
        QVERIFY(replay.session().isReplay());
        QCOMPARE(replay.session().model().eventCount(), events);
        replay.session().setCursorIndex(cursor);
        QVERIFY(sameState(replay.session().cursorState(), before));
        QVERIFY(before.dequeued > 0);
        replay.session().stepBack(); // one completion back
        QCOMPARE(replay.session().cursorState().dequeued + 1, before.dequeued);
        // The trace is the only truth: the replay has the run's metrics and claims, the same as live.
        QCOMPARE(window.exportMetricsCsv(dir.filePath(QStringLiteral("live.csv"))), QString());
        QCOMPARE(replay.exportMetricsCsv(dir.filePath(QStringLiteral("replay.csv"))), QString());
        QFile live(dir.filePath(QStringLiteral("live.csv"))), replayed(dir.filePath(QStringLiteral("replay.csv")));
        QVERIFY(live.open(QIODevice::ReadOnly) && replayed.open(QIODevice::ReadOnly));
        const QByteArray liveCsv = live.readAll();
        QVERIFY(liveCsv.count('\n') > 10);
        QCOMPARE(replayed.readAll(), liveCsv);
        const QList<scenario::ClaimResult> liveClaims = window.session().claims(), replayClaims = replay.session().claims();
        QVERIFY(!liveClaims.isEmpty());
        QCOMPARE(replayClaims.size(), liveClaims.size());
        for (qsizetype i = 0; i < liveClaims.size(); ++i) {
            QCOMPARE(replayClaims[i].name, liveClaims[i].name);
            QCOMPARE(replayClaims[i].passed, liveClaims[i].passed);
            QCOMPARE(replayClaims[i].observed, liveClaims[i].observed);
        }
    }

    // "Blocked callbacks", step 2 waits for the fourth I/O thread: the panel pauses the real run there.
    void walkthroughPausesTheRunWhenTheStepConditionHolds()
    {
        ui::MainWindow window;
        QVERIFY(testing::runInWindow(window, QStringLiteral("blocked-callbacks")));
        ui::WalkthroughPanel &panel = *window.walkthroughPanel();
        QCOMPARE(panel.walkthrough().currentIndex(), 0);
        QCOMPARE(window.machineView()->highlight(), QStringLiteral("callstacks")); // framed over the tabs, not in this view
        panel.next();
        QCOMPARE(panel.walkthrough().current().pauseWhen, QStringLiteral("max(io_threads) >= 4"));
        // Step 2 is about the timeline: the frame is drawn over it.
        const auto *frame = window.findChild<ui::HighlightFrame *>();
        QVERIFY(frame && frame->target() == window.timelineView() && frame->isVisible());
        // A question before the run has shown its answer: the run holds at the step's start until the
        // learner predicts.
        QTRY_VERIFY_WITH_TIMEOUT(window.session().isPaused(), 5000);
        QVERIFY(panel.heldForPrediction());
        settleAndCheckNoThreadAdded(window);
        panel.choose(1);
        QVERIFY(!panel.heldForPrediction());
        QVERIFY(!window.session().isPaused());
        QVERIFY(!panel.walkthrough().revealed()); // not before the run shows it
        QTRY_VERIFY_WITH_TIMEOUT(window.session().isPaused(), 15000);
        QVERIFY(panel.pausedTheRun());
        QVERIFY(panel.walkthrough().phase() == scenario::Walkthrough::Phase::Reached);
        QVERIFY(panel.walkthrough().observed() >= 4);
        QVERIFY(panel.walkthrough().revealed() && panel.walkthrough().predictionHeld());
        if (const QString shots = qEnvironmentVariable("PORTHOLE_TEST_SHOTS"); !shots.isEmpty()) // to look at it
            window.grab().save(shots + QStringLiteral("/walkthrough-revealed.png"));
        QCOMPARE(scenario::WalkthroughProgress::savedStep(QStringLiteral("blocked-callbacks")), 1);
        panel.next(); // goes on
        QVERIFY(!window.session().isPaused());
        QCOMPARE(window.machineView()->highlight(), QStringLiteral("threads"));
        window.session().stop();

        // Remembered, not imposed: the next launch starts at step 1 and offers the step this learner reached.
        ui::MainWindow later;
        QVERIFY(testing::runInWindow(later, QStringLiteral("blocked-callbacks")));
        QCOMPARE(later.walkthroughPanel()->walkthrough().currentIndex(), 0);
        QCOMPARE(later.walkthroughPanel()->resumeOffered(), 2);
        later.walkthroughPanel()->resumeSaved();
        QCOMPARE(later.walkthroughPanel()->walkthrough().currentIndex(), 2);
        later.session().stop();
    }

    void presenterModeThemesAndSpotlight()
    {
        ui::MainWindow window;
        window.resize(1200, 800);
        window.show();
        runAndStop(window, QStringLiteral("many-threads-one-port"), 5);

        window.setTheme(ui::Theme::Dark);
        const QImage dark = window.machineView()->grab().toImage();
        QCOMPARE(dark.pixelColor(2, 2), ui::Palette::background());
        QVERIFY(ui::Palette::background().lightness() < 60);
        window.setTheme(ui::Theme::HighContrast);
        QCOMPARE(window.machineView()->grab().toImage().pixelColor(2, 2), QColor(Qt::black));
        window.setTheme(ui::Theme::Light);
        QVERIFY(window.machineView()->grab().toImage().pixelColor(2, 2).lightness() > 200);

        const qreal before = window.machineView()->font().pointSizeF();
        window.setPresenterMode(true);
        QVERIFY(window.presenterMode());
        QVERIFY(window.machineView()->font().pointSizeF() >= before * 1.1 - 0.01 && window.machineView()->font().pointSizeF() <= before * 1.6 + 0.01); // as large as the screen allows
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QTest::keyClick(&window, Qt::Key_Escape); // leaves presenter mode (a run would not be stopped yet)
        QVERIFY(!window.presenterMode());
        QCOMPARE(window.machineView()->font().pointSizeF(), before);

        // A click on a thread's card spotlights that thread; a second click turns it off.
        ui::MachineView *machine = window.machineView();
        window.session().setCursorIndex(window.session().model().eventCount() / 2); // the threads alive then
        machine->grab(); // paint: the cards are where the last paint put them
        QPoint card(-1, -1);
        for (int y = 0; y < machine->height() && card.x() < 0; y += 5)
            for (int x = machine->width() / 2; x < machine->width(); x += 5)
                if (machine->threadAt(QPointF(x, y)) >= 0) {
                    card = QPoint(x, y);
                    break;
                }
        QVERIFY(card.x() >= 0);
        const int thread = machine->threadAt(card);
        QTest::mouseClick(machine, Qt::LeftButton, {}, card);
        QCOMPARE(window.session().spotlight(), thread);
        // The callstacks open that thread and fold the others.
        const QTreeWidgetItem *current = window.callstackView()->currentItem();
        QVERIFY(current && current->isExpanded());
        const auto &threads = window.session().cursorState().threads;
        QVERIFY(current->toolTip(0).contains(QString::number(threads[std::size_t(thread)].osThreadId))); // its node (merged with its twins)
        QTest::mouseClick(machine, Qt::LeftButton, {}, card);
        QCOMPARE(window.session().spotlight(), -1);
    }
};

QTEST_MAIN(TestWindowExports)
#include "tst_windowexports.moc"
