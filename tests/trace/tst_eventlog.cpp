// The chunked event log and the store built on it: what is appended stays where it is, reads and
// copies cross chunk boundaries in order, and a late batch merged into the store's tail keeps the
// whole store sorted even when the merge spans two chunks.

#include "trace/eventlog.h"
#include "trace/tracestore.h"

#include <QTest>

#include <algorithm>

using namespace porthole::trace;

namespace {
Event at(std::uint64_t timeNs, std::uint64_t payload = 0)
{
    Event e{};
    e.timeNs = timeNs;
    e.value = payload;
    return e;
}
} // namespace

class TestEventLog : public QObject
{
    Q_OBJECT

private slots:
    void appendingMovesNothing()
    {
        EventLog log;
        log.push_back(at(1));
        const Event *first = &log[0];
        const std::size_t n = EventLog::ChunkEvents * 3 + 7;
        for (std::size_t i = 1; i < n; ++i)
            log.push_back(at(i + 1, i));
        QCOMPARE(&log[0], first);
        QCOMPARE(log.size(), n);
        for (std::size_t i : {std::size_t(0), EventLog::ChunkEvents - 1, EventLog::ChunkEvents, n - 1})
            QCOMPARE(log[i].timeNs, i + 1);
        QCOMPARE(log.back().timeNs, n);
        QCOMPARE(std::size_t(log.end() - log.begin()), n);
        QVERIFY(std::is_sorted(log.begin(), log.end(), [](const Event &a, const Event &b) { return a.timeNs < b.timeNs; }));
        const auto found = std::lower_bound(log.begin(), log.end(), EventLog::ChunkEvents + 5,
                                            [](const Event &e, std::uint64_t t) { return e.timeNs < t; });
        QCOMPARE(std::size_t(found - log.begin()), EventLog::ChunkEvents + 4);
    }

    void copiesCrossChunks_data()
    {
        QTest::addColumn<qsizetype>("from");
        QTest::addColumn<qsizetype>("to");
        const auto chunk = qsizetype(EventLog::ChunkEvents);
        QTest::newRow("all") << qsizetype(0) << chunk * 2 + 100;
        QTest::newRow("inside one chunk") << qsizetype(10) << qsizetype(20);
        QTest::newRow("across one boundary") << chunk - 3 << chunk + 3;
        QTest::newRow("across two boundaries") << chunk - 1 << chunk * 2 + 1;
        QTest::newRow("past the end") << chunk * 2 << chunk * 9;
        QTest::newRow("empty") << qsizetype(5) << qsizetype(5);
    }
    void copiesCrossChunks()
    {
        QFETCH(qsizetype, from);
        QFETCH(qsizetype, to);
        EventLog log;
        const std::size_t n = EventLog::ChunkEvents * 2 + 100;
        for (std::size_t i = 0; i < n; ++i)
            log.push_back(at(i, i));
        const std::vector<Event> copy = log.copy(std::size_t(from), std::size_t(to));
        const std::size_t expected = std::min(std::size_t(to), n) - std::min(std::size_t(from), std::min(std::size_t(to), n));
        QCOMPARE(copy.size(), expected);
        for (std::size_t i = 0; i < copy.size(); ++i)
            QCOMPARE(copy[i].value, std::uint64_t(from) + i);
    }

    void oldChunksSpillAndReadTheSame()
    {
        EventLog log(2); // the newest two chunks in memory
        const std::size_t n = EventLog::ChunkEvents * 6 + 3;
        for (std::size_t i = 0; i < n; ++i)
            log.push_back(at(i, i * 7));
#ifdef __linux__
        if (log.spillFailed())
            QSKIP("no temporary file could be made here (TMPDIR)");
        log.settleSpills(); // the writer thread writes them; the log maps them when they are written
        QCOMPARE(log.spilledChunks(), std::size_t(5)); // 7 chunks, the newest 2 in memory
#endif
        for (std::size_t i = 0; i < n; i += 997)
            QCOMPARE(log[i].value, std::uint64_t(i * 7));
        const std::vector<Event> copy = log.copy(EventLog::ChunkEvents - 2, EventLog::ChunkEvents * 5 + 2);
        QCOMPARE(copy.size(), EventLog::ChunkEvents * 4 + 4);
        for (std::size_t i = 0; i < copy.size(); ++i)
            QCOMPARE(copy[i].value, std::uint64_t((EventLog::ChunkEvents - 2 + i) * 7));
        // A spilled chunk can still be written (a late event merged far back): only this log sees it.
        log[5].value = 1;
        QCOMPARE(log[5].value, std::uint64_t(1));
        QCOMPARE(log[6].value, std::uint64_t(42));
        log.clear();
        QCOMPARE(log.size(), std::size_t(0));
        QCOMPARE(log.spilledChunks(), std::size_t(0));
        log.push_back(at(9, 9));
        QCOMPARE(log.back().value, std::uint64_t(9));
    }

    // The writer writes the chunk lent to it; a late event merged into the chunk meanwhile goes to a copy the
    // log takes, and is not lost when the chunk is swapped for the file's pages: that copy is written again.
    void aChunkWrittenWhileLentIsWrittenAgain()
    {
        EventLog log(1);
        const std::size_t n = EventLog::ChunkEvents * 2 + 1; // three chunks: the first two go to the writer
        for (std::size_t i = 0; i < n; ++i)
            log.push_back(at(i, i));
#ifdef __linux__
        if (log.spillFailed())
            QSKIP("no temporary file could be made here (TMPDIR)");
#endif
        log.noteWrite(5);
        log[5].value = 1;
        log[EventLog::ChunkEvents + 3].value = 2;
        log.settleSpills();
#ifdef __linux__
        QCOMPARE(log.spilledChunks(), std::size_t(2));
#endif
        QCOMPARE(log[5].value, std::uint64_t(1));
        QCOMPARE(log[6].value, std::uint64_t(6));
        QCOMPARE(log[EventLog::ChunkEvents + 3].value, std::uint64_t(2));
    }

    // Appended at once, more chunks fall due than the writer may hold (MaxQueuedSpills): settling hands it
    // the rest as it writes, and every chunk but the newest ends up spilled, its events unchanged.
    void settlingSpillsEveryChunkDue()
    {
        EventLog log(1);
        const std::size_t chunks = 2 * EventLog::MaxQueuedSpills + EventLog::MaxSpareChunks + 3;
        std::vector<Event> events;
        for (std::size_t i = 0; i < chunks * EventLog::ChunkEvents; ++i)
            events.push_back(at(i, i * 3));
        log.append(events);
#ifdef __linux__
        if (log.spillFailed())
            QSKIP("no temporary file could be made here (TMPDIR)");
        log.settleSpills();
        QVERIFY(!log.spillsPending());
        QCOMPARE(log.spilledChunks(), chunks - 1);
#endif
        for (std::size_t i = 0; i < log.size(); i += 4099)
            QCOMPARE(log[i].value, std::uint64_t(i * 3));
        log.push_back(at(chunks * EventLog::ChunkEvents, 1)); // into a chunk a spill left spare
        QCOMPARE(log.back().value, std::uint64_t(1));
        QCOMPARE(log[EventLog::ChunkEvents].value, std::uint64_t(EventLog::ChunkEvents * 3));
    }

    void noTemporaryFileKeepsEverythingInMemory()
    {
        const QByteArray old = qgetenv("TMPDIR");
        qputenv("TMPDIR", "/nonexistent-porthole-dir");
        EventLog log(1);
        for (std::size_t i = 0; i < EventLog::ChunkEvents * 3; ++i)
            log.push_back(at(i, i));
        if (old.isEmpty())
            qunsetenv("TMPDIR");
        else
            qputenv("TMPDIR", old);
        QVERIFY(log.spillFailed());
        QCOMPARE(log.spilledChunks(), std::size_t(0));
        QCOMPARE(log[EventLog::ChunkEvents * 3 - 1].value, std::uint64_t(EventLog::ChunkEvents * 3 - 1));
    }

    // A drained batch is one run per ring: stored in time order, and events of equal time keep the order they
    // came in (a moment's events). Five runs (an odd number), one of a single event; the same result as a
    // stable sort of the whole batch.
    void batchOfRingRunsIsStoredInOrderAndStable()
    {
        std::vector<Event> batch;
        std::uint64_t payload = 0;
        const auto run = [&](std::initializer_list<std::uint64_t> times) {
            for (std::uint64_t t : times)
                batch.push_back(at(t, payload++));
        };
        run({10, 20, 20, 20, 50});
        run({5, 20, 60});
        run({20});
        run({1, 2, 3, 20, 20, 70});
        run({0, 55});
        std::vector<Event> expected = batch;
        std::stable_sort(expected.begin(), expected.end(), [](const Event &a, const Event &b) { return a.timeNs < b.timeNs; });
        TraceStore store;
        store.append(batch);
        QVERIFY(batch.empty());
        const std::vector<Event> all = store.copyEvents();
        QCOMPARE(all.size(), expected.size());
        for (std::size_t i = 0; i < all.size(); ++i) {
            QCOMPARE(all[i].timeNs, expected[i].timeNs);
            QCOMPARE(all[i].value, expected[i].value);
        }
    }

    void lateBatchMergesAcrossAChunkBoundary()
    {
        TraceStore store;
        std::vector<Event> batch;
        const std::size_t n = EventLog::ChunkEvents + 10; // the first batch ends 10 events into the second chunk
        for (std::size_t i = 0; i < n; ++i)
            batch.push_back(at(10 * i));
        store.append(batch);
        // Drained late: events that belong before the last 30 stored, i.e. across the boundary.
        for (std::size_t i = 0; i < 30; ++i)
            batch.push_back(at(10 * (n - 30 + i) + 5, 1));
        batch.push_back(at(10 * n + 1, 1));
        store.append(batch);
        const std::vector<Event> all = store.copyEvents();
        QCOMPARE(all.size(), n + 31);
        QVERIFY(std::is_sorted(all.begin(), all.end(), [](const Event &a, const Event &b) { return a.timeNs < b.timeNs; }));
        QCOMPARE(store.copyEventsBefore(0, 10 * (n - 1) + 6).size(), n + 30); // all but the newest
        QCOMPARE(store.copyEventsBefore(n + 30, 10 * n + 2).size(), std::size_t(1));
        // Older than all but the first event stored: it goes second, found from the end.
        batch.push_back(at(1, 2));
        store.append(batch);
        QCOMPARE(store.copyEvents(0, 2).front().timeNs, std::uint64_t(0));
        QCOMPARE(store.copyEvents(0, 2).back().value, std::uint64_t(2));
        QCOMPARE(store.eventCount(), n + 32);
        // A limit takes at most that many, from where it is asked.
        QCOMPARE(store.copyEvents(5, 10).size(), std::size_t(10));
        QCOMPARE(store.copyEvents(n + 25, 100).size(), std::size_t(7));
        QCOMPARE(store.copyEvents(n + 32, 100).size(), std::size_t(0));
        QCOMPARE(store.copyEventsBefore(EventLog::ChunkEvents - 2, ~std::uint64_t(0), 7).front().timeNs, all[EventLog::ChunkEvents - 3].timeNs); // one event came in before
        QCOMPARE(store.copyEventsBefore(EventLog::ChunkEvents - 2, ~std::uint64_t(0), 7).size(), std::size_t(7));
    }
};

QTEST_GUILESS_MAIN(TestEventLog)
#include "tst_eventlog.moc"
