// Two runs side by side in the window, each a process of its own: one time origin, zoom and pan and
// the cursor move both, the table names both, and the saved pair re-opens the same.

#include "comparewindow.h"
#include "scenario/pairs.h"
#include "session.h"
#include "timelineview.h"

#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace porthole;
using namespace porthole::ui;

namespace {
// The cursor's moment in the other session: the last event at or before t.
void verifyCursorAt(Session &session, std::uint64_t t)
{
    const auto &events = session.model().events();
    QVERIFY(!events.empty());
    QVERIFY(session.cursorTimeNs() <= t || session.cursorIndex() <= 1);
    if (session.cursorIndex() < events.size())
        QVERIFY(events[session.cursorIndex()].timeNs >= t);
}
} // namespace

class TestCompareWindow : public QObject
{
    Q_OBJECT

private slots:
    void liveSideBySideThenReopened()
    {
        scenario::PairLoad load = scenario::pairOfRuntimes(QStringLiteral("blocked-callbacks"),
                                                           {QStringLiteral("legacy-iocp"), QStringLiteral("dotnet7-pollers")});
        QVERIFY(load.pair);
        CompareWindow window;
        window.setProgram(QStringLiteral(PORTHOLE_BINARY));
        window.resize(1280, 720);
        window.show();
        window.runPair(*load.pair);
        QTRY_VERIFY_WITH_TIMEOUT(window.session(0).isRunning() && window.session(1).isRunning(), 30000);
        // Both count seconds from one origin: the moment they were started together.
        QCOMPARE(window.session(0).timeline().originNs(), window.session(1).timeline().originNs());
        // Two seconds of both runs, waited for on each child's watermark.
        const std::uint64_t until = window.session(0).timeline().originNs() + 2'000'000'000ull;
        QTRY_VERIFY_WITH_TIMEOUT(trace::nowNs() > until + 200'000'000ull, 10000);
        for (int i = 0; i < 2; ++i)
            QVERIFY(window.session(i).pullThrough(until));
        QVERIFY(window.session(0).model().events().back().timeNs >= until - 100'000'000ull);
        QVERIFY(window.session(1).model().events().back().timeNs >= until - 100'000'000ull);
        // Each run's own threads: the legacy pool has I/O threads, the pollers none.
        const auto ioThreads = [](const Session &s) {
            int n = 0;
            for (const auto &t : s.cursorState().threads)
                n += t.alive && t.role == trace::ThreadRole::IoCompletion;
            return n;
        };
        QVERIFY(ioThreads(window.session(0)) >= 1);
        QCOMPARE(ioThreads(window.session(1)), 0);

        // The cursor put on A at 1.5 s shows B at 1.5 s too.
        const std::uint64_t at = window.session(0).timeline().originNs() + 1'500'000'000ull;
        window.session(0).setCursorTime(at);
        QVERIFY(!window.session(1).isFollowingLive());
        verifyCursorAt(window.session(1), window.session(0).cursorTimeNs());
        // Zoom and pan on one timeline move the other.
        window.timeline(0)->setVisibleRange(0.5, 1.75);
        QCOMPARE(window.timeline(1)->visibleFromS(), 0.5);
        QCOMPARE(window.timeline(1)->visibleToS(), 1.75);
        window.timeline(1)->pan(0.5);
        QCOMPARE(window.timeline(0)->visibleFromS(), window.timeline(1)->visibleFromS());
        window.refreshSummary();
        QCOMPARE(window.summary()->horizontalHeaderItem(0)->text(), QStringLiteral("A: legacy-iocp"));
        QCOMPARE(window.summary()->horizontalHeaderItem(1)->text(), QStringLiteral("B: dotnet7-pollers"));
        QVERIFY(window.summary()->rowCount() >= 7);

        // Each alone, as long as they ran together: the change is measured, not assumed.
        QSignalSpy measured(&window, &CompareWindow::measuredAlone);
        window.measureAlone();
        QVERIFY(measured.wait(60000));
        QVERIFY(measured.first().first().toDouble() >= 0);
        const QJsonObject disturbance = QJsonDocument::fromJson(window.disturbanceJson().toUtf8()).object()[QStringLiteral("disturbance")].toObject();
        for (const QString &side : {QStringLiteral("a"), QStringLiteral("b")})
            QVERIFY(disturbance[side].toObject()[QStringLiteral("completions_per_s_alone")].toDouble() > 0);

        window.stop();
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("pair.porthole"));
        QCOMPARE(window.savePairFile(path), QString());
        const std::size_t eventsA = window.session(0).model().eventCount(), eventsB = window.session(1).model().eventCount();

        CompareWindow reopened;
        reopened.resize(1280, 720);
        reopened.show();
        QCOMPARE(reopened.openPairFile(path), QString());
        QCOMPARE(reopened.session(0).model().eventCount(), eventsA);
        QCOMPARE(reopened.session(1).model().eventCount(), eventsB);
        QCOMPARE(reopened.label(1), QStringLiteral("dotnet7-pollers"));
        QCOMPARE(reopened.disturbanceJson(), window.disturbanceJson()); // the measurement travels with the pair
        QCOMPARE(reopened.session(0).timeline().originNs(), reopened.session(1).timeline().originNs());
        reopened.session(1).setCursorTime(reopened.session(1).timeline().originNs() + 1'000'000'000ull);
        verifyCursorAt(reopened.session(0), reopened.session(1).cursorTimeNs());
        QCOMPARE(reopened.exportTimelinePicture(dir.filePath(QStringLiteral("pair.png")), QSize(1280, 720)), QString());
        QCOMPARE(QImage(dir.filePath(QStringLiteral("pair.png"))).size(), QSize(1280, 720));
        QVERIFY(!reopened.openPairFile(dir.filePath(QStringLiteral("missing.porthole"))).isEmpty());
    }
};

QTEST_MAIN(TestCompareWindow)
#include "tst_comparewindow.moc"
