// IOCP semantics of the port on real io_uring: LIFO release, the concurrency value, blocking,
// posts, batches, timeouts and close. Invariants of real runs; waits are for states, not for time.

#include "engine/completionport.h"

#include <QScopeGuard>
#include <QTemporaryFile>
#include <QTest>

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

using namespace porthole::engine;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<CompletionPort> makePort(unsigned concurrency, unsigned entries = 256, unsigned cqEntries = 0)
{
    PortOptions options;
    options.concurrency = concurrency;
    options.ringEntries = entries;
    options.cqEntries = cqEntries;
    std::string error;
    auto port = CompletionPort::create(options, error);
    if (!port)
        qWarning("%s", error.c_str());
    return port;
}

// Waits (bounded) until a condition about the port holds; the bound only catches a hang.
template<typename Predicate>
bool waitFor(Predicate predicate)
{
    for (int i = 0; i < 10000; ++i) {
        if (predicate())
            return true;
        std::this_thread::sleep_for(1ms);
    }
    return false;
}

} // namespace

class TestCompletionPort : public QObject
{
    Q_OBJECT

private slots:
    void lifoRelease()
    {
        auto port = makePort(4);
        QVERIFY(port);
        constexpr int Threads = 4;
        std::vector<std::uint64_t> got(Threads, 0);
        std::vector<std::thread> threads;
        for (int k = 0; k < Threads; ++k) {
            threads.emplace_back([&, k] {
                Completion c;
                if (port->dequeue(c, -1ms) == DequeueStatus::Ok)
                    got[k] = c.token;
            });
            // Thread k waits before thread k+1 starts: k+1 is more recent.
            QVERIFY(waitFor([&] { return port->stats().waiters == std::uint64_t(k + 1); }));
        }
        for (std::uint64_t token = 1; token <= Threads; ++token)
            QVERIFY(port->post(0, 0, token) > 0);
        for (auto &t : threads)
            t.join();
        // The last waiter gets the first packet, and so on down the stack.
        for (int k = 0; k < Threads; ++k)
            QCOMPARE(got[k], std::uint64_t(Threads - k));
    }

    void concurrencyOneNeverRunsTwo()
    {
        auto port = makePort(1);
        QVERIFY(port);
        std::atomic<int> running{0}, maxRunning{0}, handled{0};
        std::vector<std::thread> threads;
        for (int k = 0; k < 4; ++k) {
            threads.emplace_back([&] {
                for (;;) {
                    Completion c;
                    if (port->dequeue(c, -1ms) != DequeueStatus::Ok || c.token == 0)
                        return;
                    const int now = ++running;
                    int seen = maxRunning.load();
                    while (now > seen && !maxRunning.compare_exchange_weak(seen, now)) {
                    }
                    // A little work while running (a busy wait: yielding would hand the CPU away).
                    const auto until = std::chrono::steady_clock::now() + 50us;
                    while (std::chrono::steady_clock::now() < until) {
                    }
                    ++handled;
                    --running;
                }
            });
        }
        QVERIFY(waitFor([&] { return port->stats().waiters == 4; }));
        for (int i = 1; i <= 100; ++i)
            port->post(1, 0, std::uint64_t(i));
        QVERIFY(waitFor([&] { return handled.load() == 100; }));
        for (int k = 0; k < 4; ++k)
            port->post(1, 0, 0);
        for (auto &t : threads)
            t.join();
        QCOMPARE(handled.load(), 100);
        QCOMPARE(maxRunning.load(), 1);
    }

    void blockingLetsAWaiterRun()
    {
        auto port = makePort(1);
        QVERIFY(port);
        std::atomic<bool> firstHasPacket{false}, firstBlocked{false}, secondRan{false}, release{false};
        std::atomic<int> who{0};
        auto worker = [&](int id) {
            Completion c;
            if (port->dequeue(c, 20000ms) != DequeueStatus::Ok)
                return;
            if (c.token == 1) {
                firstHasPacket = true;
                // Wait for the test to see packet 2 held back, then block.
                while (!firstBlocked.load())
                    std::this_thread::sleep_for(1ms);
                port->announceBlocking();
                waitFor([&] { return secondRan.load(); });
                port->announceUnblocked();
                who = id;
                waitFor([&] { return release.load(); });
            } else {
                secondRan = true;
                waitFor([&] { return release.load(); });
            }
        };
        std::thread a(worker, 1), b(worker, 2), c(worker, 3);
        // On any failed check below: let every thread finish before the std::threads go away.
        const auto finish = qScopeGuard([&] {
            firstBlocked = true;
            release = true;
            for (int i = 0; i < 3; ++i)
                port->post(0, 0, 9);
            a.join();
            b.join();
            c.join();
        });
        QVERIFY(waitFor([&] { return port->stats().waiters == 3; }));
        port->post(0, 0, 1);
        QVERIFY(waitFor([&] { return firstHasPacket.load(); }));
        port->post(0, 0, 2);
        // Packet 2 is reaped into the port but held: one thread runs and the value is 1.
        QVERIFY(waitFor([&] { return port->stats().queued == 1; }));
        QVERIFY(!secondRan.load());
        QCOMPARE(port->stats().running, std::uint64_t(1));
        firstBlocked = true;
        QVERIFY(waitFor([&] { return secondRan.load(); }));
        // The first thread resumed while the second still runs: briefly over the value, as Windows allows.
        QVERIFY(waitFor([&] { return who.load() != 0; }));
        QCOMPARE(port->stats().running, std::uint64_t(2));
    }

    void postRoundTrip()
    {
        auto port = makePort(1);
        QVERIFY(port);
        QVERIFY(port->post(0xBEEF, 123, 77) > 0);
        Completion c;
        QCOMPARE(port->dequeue(c, 5000ms), DequeueStatus::Ok);
        QCOMPARE(c.key, std::uint64_t(0xBEEF));
        QCOMPARE(c.result, std::int64_t(123));
        QCOMPARE(c.token, std::uint64_t(77));
        QCOMPARE(c.kind, OpKind::Post);
    }

    void batchDequeueTakesUpTo64()
    {
        auto port = makePort(1, 1024);
        QVERIFY(port);
        for (int i = 0; i < 1000; ++i)
            QVERIFY(port->post(1, 0, std::uint64_t(i)) > 0);
        // The submitter hands them to the kernel; wait until all 1,000 completions are in the CQ.
        QVERIFY(waitFor([&] { return port->ringSnapshot().cqReady == 1000; }));
        std::vector<bool> seen(1000, false);
        Completion batch[64];
        int calls = 0;
        std::size_t total = 0;
        while (total < 1000) {
            DequeueStatus status;
            const std::size_t n = port->dequeueBatch(batch, 5000ms, status);
            QCOMPARE(status, DequeueStatus::Ok);
            ++calls;
            for (std::size_t i = 0; i < n; ++i) {
                QVERIFY(!seen[batch[i].token]);
                seen[batch[i].token] = true;
            }
            total += n;
        }
        QCOMPARE(total, std::size_t(1000));
        QCOMPARE(calls, 16); // ceil(1000 / 64), not 1,000
    }

    void timeoutThenClose()
    {
        auto port = makePort(2);
        QVERIFY(port);
        Completion c;
        QCOMPARE(port->dequeue(c, 20ms), DequeueStatus::Timeout);
        std::atomic<int> closed{0};
        std::thread a([&] { closed += port->dequeue(c, -1ms) == DequeueStatus::Closed; });
        std::thread b([&] {
            Completion mine;
            closed += port->dequeue(mine, 60000ms) == DequeueStatus::Closed;
        });
        QVERIFY(waitFor([&] { return port->stats().waiters == 2; }));
        port->close();
        a.join();
        b.join();
        QCOMPARE(closed.load(), 2);
        QCOMPARE(port->dequeue(c, 0ms), DequeueStatus::Closed);
        QCOMPARE(port->post(0, 0, 1), std::int64_t(-ESHUTDOWN));
        port->close(); // twice is fine
    }

    // The other overlapped operations, on real descriptors: send on a socket, read from a file, a timer.
    void sendReadAndTimeout()
    {
        auto port = makePort(1);
        QVERIFY(port);
        int pair[2];
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
        port->associate(pair[0], 10);
        const char message[] = "hello";
        QVERIFY(port->send(pair[0], std::as_bytes(std::span(message, 5)), 1) > 0);
        Completion c;
        QCOMPARE(port->dequeue(c, 5000ms), DequeueStatus::Ok);
        QCOMPARE(c.kind, OpKind::Send);
        QCOMPARE(c.result, std::int64_t(5));
        QCOMPARE(c.key, std::uint64_t(10));
        char got[8] = {};
        QCOMPARE(::read(pair[1], got, sizeof got), ssize_t(5));
        QCOMPARE(QByteArray(got), QByteArray("hello"));
        ::close(pair[0]);
        ::close(pair[1]);

        QTemporaryFile file;
        QVERIFY(file.open());
        file.write("0123456789");
        file.flush();
        port->associate(file.handle(), 11);
        std::byte buffer[4];
        QVERIFY(port->read(file.handle(), buffer, 3, 2) > 0);
        QCOMPARE(port->dequeue(c, 5000ms), DequeueStatus::Ok);
        QCOMPARE(c.kind, OpKind::Read);
        QCOMPARE(c.result, std::int64_t(4));
        QCOMPARE(buffer[0], std::byte('3'));
        QCOMPARE(buffer[3], std::byte('6'));

        QVERIFY(port->timeout(1ms, 3) > 0);
        QCOMPARE(port->dequeue(c, 5000ms), DequeueStatus::Ok);
        QCOMPARE(c.kind, OpKind::Timeout);
        QCOMPARE(c.result, std::int64_t(0));
        QCOMPARE(c.token, std::uint64_t(3));
    }

    void unassociatedHandleIsRefused()
    {
        auto port = makePort(1);
        QVERIFY(port);
        QCOMPARE(port->recv(0, 1), std::int64_t(-EBADF));
    }

    void overflowLosesNothing()
    {
        auto port = makePort(1, 8, 16);
        QVERIFY(port);
        if (!port->features().noDrop)
            QSKIP("IORING_FEAT_NODROP is missing: this kernel drops CQEs on overflow");
        for (int batch = 0; batch < 8; ++batch)
            for (int i = 0; i < 8; ++i)
                QVERIFY(port->nop(std::uint64_t(batch * 8 + i)) > 0);
        // 64 completions, a 16-entry CQ, nobody reaping: the kernel holds the rest on its overflow list.
        QVERIFY(waitFor([&] { return port->stats().cqHasOverflowList; }));
        std::vector<int> seen(64, 0);
        Completion c;
        for (int i = 0; i < 64; ++i) {
            QCOMPARE(port->dequeue(c, 5000ms), DequeueStatus::Ok);
            ++seen[c.token];
        }
        for (int count : seen)
            QCOMPARE(count, 1);
        QCOMPARE(port->stats().cqOverflow, std::uint64_t(0)); // nothing was dropped
        QVERIFY(!port->stats().cqHasOverflowList);
    }
};

QTEST_GUILESS_MAIN(TestCompletionPort)
#include "tst_completionport.moc"
