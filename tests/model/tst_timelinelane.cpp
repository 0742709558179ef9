#include "model/statemodel.h"
#include "model/timeline.h"

#include <QTest>

using namespace porthole::model;

class TestTimelineLane : public QObject
{
    Q_OBJECT

private slots:
    void visibleRangeByBinarySearch()
    {
        TimelineLane lane;
        for (std::uint64_t i = 0; i < 1000; ++i)
            lane.setState(i * 100, std::uint8_t(i % 2)); // 1,000 boxes of 100 ns
        lane.close(100000);
        const auto boxes = lane.visible(50050, 50350, 1);
        QCOMPARE(boxes.size(), std::size_t(4)); // 500..503, clipped to the range
        QCOMPARE(boxes.front().start, std::uint64_t(50050));
        QCOMPARE(boxes.back().end, std::uint64_t(50350));
    }

    // An interval is 16 bytes (its length and state share a word): hours-long ones keep their exact ends.
    void longIntervalsKeepTheirEnds()
    {
        static_assert(sizeof(Interval) == 16);
        TimelineLane lane;
        const std::uint64_t start = 1'700'000'000'000'000'000ull, hours = 3 * 3600 * 1'000'000'000ull;
        lane.setState(start, std::uint8_t(porthole::trace::ThreadState::Parked));
        lane.setState(start + hours, std::uint8_t(porthole::trace::ThreadState::Running));
        lane.close(start + hours + 7);
        const auto boxes = lane.visible(start, start + hours + 7, 1);
        QCOMPARE(boxes.size(), std::size_t(2));
        QCOMPARE(boxes[0].end, start + hours);
        QCOMPARE(boxes[0].state, std::uint8_t(porthole::trace::ThreadState::Parked));
        QCOMPARE(boxes[1].end - boxes[1].start, std::uint64_t(7));
    }

    void narrowBoxesFoldIntoOne()
    {
        TimelineLane lane;
        for (std::uint64_t i = 0; i < 100000; ++i)
            lane.setState(i * 10, std::uint8_t(i % 3)); // a million ns of 10 ns boxes
        lane.setState(1'000'000, 1);
        lane.close(2'000'000); // then one wide box
        // 2 px at 1 ms / 1000 px = 2,000 ns: every 10 ns box is too narrow to draw on its own.
        const auto boxes = lane.visible(0, 2'000'000, 2000);
        QVERIFY2(boxes.size() <= 2, qPrintable(QString::number(boxes.size())));
        QCOMPARE(boxes.front().state, Interval::Mixed);
        QCOMPARE(boxes.back().state, std::uint8_t(1));
        QCOMPARE(boxes.back().end - boxes.back().start, std::uint64_t(1'000'000));
        // Zoomed in, nothing folds.
        QCOMPARE(lane.visible(0, 95, 1).size(), std::size_t(10));
    }

    // A folded box says how the thread spent its time: a loop that waits 95% of it reads as waiting.
    void foldedBoxesKeepTheStatesShares()
    {
        TimelineLane lane;
        const auto waiting = std::uint8_t(porthole::trace::ThreadState::WaitingInPort);
        const auto running = std::uint8_t(porthole::trace::ThreadState::Running);
        for (std::uint64_t i = 0; i < 10000; ++i) {
            lane.setState(i * 100, waiting);     // 95 ns waiting
            lane.setState(i * 100 + 95, running); // 5 ns running
        }
        lane.close(1'000'000);
        for (const std::uint64_t minWidth : {1000ull, 7777ull, 100'000ull, 1'000'000ull}) {
            const auto boxes = lane.visible(0, 1'000'000, minWidth);
            QVERIFY(!boxes.empty());
            for (const LaneBox &b : boxes) {
                QCOMPARE(b.state, Interval::Mixed);
                QVERIFY2(std::abs(b.share[waiting] - 0.95f) < 0.02f, qPrintable(QString::number(b.share[waiting])));
                QVERIFY2(std::abs(b.share[running] - 0.05f) < 0.02f, qPrintable(QString::number(b.share[running])));
            }
        }
        // Zoomed in far enough, every box is one state again.
        for (const LaneBox &b : lane.visible(500'000, 500'200, 1))
            QVERIFY(b.state == waiting || b.state == running);
    }

    // A wide box right after narrow ones keeps its own state and extent.
    void wideBoxAfterNarrowOnesStaysWhole()
    {
        TimelineLane lane;
        lane.setState(0, 0);
        lane.setState(10, 1);          // 10 ns
        lane.setState(20, 2);          // then 1 ms blocked
        lane.setState(1'000'020, 0);
        lane.close(1'000'030);
        const auto boxes = lane.visible(0, 1'000'030, 1000);
        QCOMPARE(boxes.size(), std::size_t(3));
        QCOMPARE(boxes[1].state, std::uint8_t(2));
        QCOMPARE(boxes[1].start, std::uint64_t(20));
        QCOMPARE(boxes[1].end, std::uint64_t(1'000'020));
    }

    void seriesBuiltFromEvents()
    {
        using porthole::trace::Event;
        using porthole::trace::EventType;
        porthole::model::StateModel model; // the interpreter drives the timeline
        constexpr std::uint64_t ms = 1'000'000;
        model.reset({});
        model.append({{100 * ms, 0, EventType::ThreadCreated, 0, 0, 0, 0}, // 100 ms apart: the counts by state keep 50 ms
                     {200 * ms, 1, EventType::ThreadCreated, 0, 0, 0, 0},
                     {300 * ms, 0, EventType::OpSubmitted, 0, 1, 1, 0},
                     {400 * ms, 0, EventType::OpCompleted, 0, 1, 1, 0},
                     {500 * ms, 1, EventType::ThreadExited, 0, 0, 0, 0}});
        const TimelineData &data = model.timeline();
        QCOMPARE(data.threadCount().value, (std::vector<double>{1, 2, 1}));
        QCOMPARE(data.pendingOps().value, (std::vector<double>{1, 0}));
        QCOMPARE(data.lanes().size(), std::size_t(2));
        // A new thread has recorded no state: it is counted "not observed", never "running".
        const auto notObserved = std::uint8_t(porthole::trace::ThreadState::NotObserved);
        QCOMPARE(data.threadsInState(notObserved).value, (std::vector<double>{1, 2, 1})); // counted by state
        QVERIFY(data.threadsInState(std::uint8_t(porthole::trace::ThreadState::Running)).value.empty());
    }

    // Within one millisecond the graphs keep one point: the largest value.
    void seriesFoldBelowAMillisecond()
    {
        Series s;
        for (int i = 0; i < 1000; ++i)
            s.add(1.0 + i * 1e-7, double(i % 10));
        s.add(1.01, 3);
        // The millisecond's peak (9), where it ended (999 % 10 = 9: no extra point), then the next value.
        QCOMPARE(s.timeS.size(), std::size_t(2));
        QCOMPARE(s.value.front(), 9.0);
        QCOMPARE(s.value.back(), 3.0);
        QCOMPARE(s.maxValue, 9.0);
        // A spike that falls back within the millisecond: the peak and the fall are both kept.
        Series spike;
        spike.add(2.0, 1);
        spike.add(2.0001, 0);
        spike.add(2.05, 0);
        QCOMPARE(spike.value, (std::vector<double>{1, 0, 0}));
        QCOMPARE(spike.timeS[1], 2.0001);
    }

    // The coarser levels a zoomed-out graph draws: each a quarter of the points of the one below, every
    // peak still there, and the same last value.
    void coarserLevelsKeepPeaksWithFewerPoints()
    {
        Series s;
        for (int i = 0; i < 100'000; ++i) // a count flipping 0, 1, 0, ... every 10 us for a second
            s.add(i * 1e-5, i % 2 == 1 && i % 50'000 == 25'001 ? 5 : double(i % 2));
        QCOMPARE(s.levelTimeS(0).size(), s.timeS.size());
        for (std::size_t level = 1; level <= Series::CoarserLevels; ++level) {
            const auto &times = s.levelTimeS(level), &values = s.levelValue(level);
            QCOMPARE(times.size(), values.size());
            QVERIFY2(times.size() * 3 < s.levelTimeS(level - 1).size(), qPrintable(QString::number(times.size())));
            QVERIFY(std::is_sorted(times.begin(), times.end()));
            QCOMPARE(*std::max_element(values.begin(), values.end()), 5.0); // the spikes survive
            QCOMPARE(std::count(values.begin(), values.end(), 5.0), 2);
            const double bucket = s.levelResolutionS(level);
            QVERIFY2(double(times.size()) <= 2 * (1.0 / bucket + 1), qPrintable(QString::number(times.size()))); // two per bucket
        }
        QCOMPARE(s.endValue(), 1.0);
        QCOMPARE(s.levelResolutionS(3), Series::ResolutionS * 64);
    }
};

QTEST_GUILESS_MAIN(TestTimelineLane)
#include "tst_timelinelane.moc"
