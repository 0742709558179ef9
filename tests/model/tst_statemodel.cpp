#include "model/statemodel.h"

#include <QTest>

using namespace porthole;
using namespace porthole::model;
using trace::Event;
using trace::EventType;

namespace {
// A synthetic but well-formed trace: two threads pushing, popping and changing state, receives
// submitted and completed, packets dequeued.
std::vector<Event> syntheticEvents(std::size_t count)
{
    std::vector<Event> events;
    events.push_back({1, 0, EventType::ThreadCreated, std::uint8_t(trace::ThreadRole::IoCompletion), 0, 0, 100});
    events.push_back({2, 1, EventType::ThreadCreated, std::uint8_t(trace::ThreadRole::Worker), 0, 0, 101});
    std::uint64_t op = 1;
    for (std::uint64_t i = 0; events.size() < count; ++i) {
        const std::uint64_t t = 10 + i * 10;
        const std::uint32_t thread = std::uint32_t(i % 2);
        switch (i % 6) {
        case 0: events.push_back({t, thread, EventType::StackPush, 1, std::uint16_t(i % 7), 0, 0}); break;
        case 1: events.push_back({t, thread, EventType::OpSubmitted, 0, std::uint16_t(trace::OpKind::Recv), op, 10 + op % 50}); break;
        case 2: events.push_back({t, thread, EventType::OpCompleted, 0, std::uint16_t(trace::OpKind::Recv), op++, 1}); break;
        case 3: events.push_back({t, thread, EventType::OpDequeued, 0, 1, op - 1, 0}); break;
        case 4: events.push_back({t, thread, EventType::ThreadState, std::uint8_t(i % 3), 0, 0, 0}); break;
        case 5: events.push_back({t, thread, EventType::StackPop, 0, 0, 0, 0}); break;
        }
    }
    return events;
}

bool sameState(const ModelState &a, const ModelState &b)
{
    if (a.eventIndex != b.eventIndex || a.pendingOps != b.pendingOps || a.dequeued != b.dequeued || a.sockets != b.sockets
        || a.threads.size() != b.threads.size())
        return false;
    for (std::size_t i = 0; i < a.threads.size(); ++i)
        if (a.threads[i].stack != b.threads[i].stack || a.threads[i].state != b.threads[i].state)
            return false;
    return true;
}
} // namespace

class TestStateModel : public QObject
{
    Q_OBJECT

private slots:
    void seekingMatchesAReplayFromTheStart()
    {
        const auto events = syntheticEvents(300000);
        StateModel model;
        model.reset({{0, 100, trace::ThreadRole::IoCompletion, "io"}, {1, 101, trace::ThreadRole::Worker, "worker"}});
        // Live: appended in frame-sized pieces.
        for (std::size_t i = 0; i < events.size(); i += 4096)
            model.append({events.begin() + std::ptrdiff_t(i), events.begin() + std::ptrdiff_t(std::min(events.size(), i + 4096))});
        QCOMPARE(model.eventCount(), events.size());
        for (std::size_t index : {std::size_t(0), std::size_t(1), std::size_t(65535), std::size_t(65536), std::size_t(123457),
                                  std::size_t(299999), events.size()}) {
            ModelState replay;
            for (std::size_t i = 0; i < index; ++i)
                replay.apply(events[i]);
            QVERIFY2(sameState(model.stateAt(index), replay), qPrintable(QString::number(index)));
        }
        QCOMPARE(model.stateAt(10).threads.at(1).name, std::string("worker"));
        QVERIFY(sameState(model.stateAt(events.size()), model.latest()));
    }

    void checkpointsStayWithinTheirBudget()
    {
        const auto events = syntheticEvents(2'000'000);
        StateModel model;
        model.reset({{0, 100, trace::ThreadRole::IoCompletion, "io"}, {1, 101, trace::ThreadRole::Worker, "worker"}});
        ModelState probe;
        for (std::size_t i = 0; i < 1000; ++i)
            probe.apply(events[i]);
        model.setCheckpointBudget(probe.approximateBytes() * 6); // room for about six
        for (std::size_t i = 0; i < events.size(); i += 50000)
            model.append({events.begin() + std::ptrdiff_t(i), events.begin() + std::ptrdiff_t(std::min(events.size(), i + 50000))});
        // Without a budget: one every 65,536 events, 31 of them. Thinned: never more than the budget's worth.
        QVERIFY2(model.checkpointCount() <= 8, qPrintable(QString::number(model.checkpointCount())));
        QVERIFY(model.checkpointCount() >= 3);
        for (std::size_t index : {std::size_t(1), std::size_t(70000), std::size_t(777777), std::size_t(1'500'001), events.size() - 1}) {
            ModelState replay;
            for (std::size_t i = 0; i < index; ++i)
                replay.apply(events[i]);
            QVERIFY2(sameState(model.stateAt(index), replay), qPrintable(QString::number(index)));
        }
    }

    void timeAndSteps()
    {
        const auto events = syntheticEvents(100);
        StateModel model;
        model.reset({});
        model.append(events);
        QCOMPARE(model.indexAtTime(0), std::size_t(0));
        QCOMPARE(model.indexAtTime(events[50].timeNs), std::size_t(51));
        // Stepping over completions: each step ends just after one OpDequeued.
        std::size_t at = 0;
        int steps = 0;
        while ((at = model.nextDequeue(at)) < model.eventCount()) {
            QCOMPARE(model.events()[at - 1].type, EventType::OpDequeued);
            QCOMPARE(model.stateAt(at).dequeued, std::uint64_t(++steps));
        }
        const std::size_t last = model.previousDequeue(model.eventCount());
        QCOMPARE(model.events()[last - 1].type, EventType::OpDequeued);
        const std::size_t before = model.previousDequeue(last);
        QCOMPARE(model.stateAt(before).dequeued + 1, model.stateAt(last).dequeued);
    }

    // A post counts as returned when a packet of a posted key is dequeued. A key posted again and again
    // is one entry; keys at zero are swept once the entries reach MaxPostedKeys, and 10,000 keys posted
    // one after another are all counted with the map never over that bound.
    void postsReturnedWithKeysReusedAndManyKeys()
    {
        ModelState state;
        const auto post = [&](std::uint64_t key) { state.apply({1, 0, EventType::Post, 0, 0, 0, key}); };
        const auto dequeue = [&](std::uint64_t key) {
            state.apply({2, 0, EventType::OpDequeued, 0, std::uint16_t(trace::OpKind::Post), 0, key});
        };
        for (int i = 0; i < 3; ++i)
            post(7);
        for (int i = 0; i < 4; ++i) // one more than posted: not a post's
            dequeue(7);
        QCOMPARE(state.postsReturned, std::uint64_t(3));
        post(7);
        dequeue(7);
        QCOMPARE(state.postsReturned, std::uint64_t(4));
        QCOMPARE(state.postedKeys.size(), std::size_t(1));
        for (std::uint64_t key = 100; key < 10'100; ++key) {
            post(key);
            dequeue(key);
            QVERIFY(state.postedKeys.size() <= ModelState::MaxPostedKeys);
        }
        QCOMPARE(state.postsReturned, std::uint64_t(10'004));
        dequeue(99); // never posted
        QCOMPARE(state.postsReturned, std::uint64_t(10'004));
    }
};

QTEST_GUILESS_MAIN(TestStateModel)
#include "tst_statemodel.moc"
