// Ten thousand pending receives on real sockets, served by one thread: no thread per operation,
// each completes exactly once, and closing gives every descriptor and thread back.

#include "engine/completionport.h"
#include "engine/descriptorlimit.h"
#include "engine/threadinspector.h"
#include "workload/peerhost.h"

#include <QTest>

#include <sys/socket.h>
#include <thread>
#include <vector>

using namespace porthole;
using namespace porthole::engine;
using namespace std::chrono_literals;

namespace {
constexpr std::size_t Sockets = 10000;

std::unique_ptr<CompletionPort> makePort(bool bufferRing = true)
{
    PortOptions options;
    options.concurrency = 1;
    options.useBufferRing = bufferRing;
    std::string error;
    auto port = CompletionPort::create(options, error);
    if (!port)
        qWarning("%s", error.c_str());
    return port;
}
} // namespace

class TestPendingOps : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { raiseDescriptorLimit(); }

    void tenThousandPendingOnOneThread()
    {
        workload::PeerHost peers;
        const std::string why = peers.start(Sockets);
        if (!why.empty())
            QSKIP(why.c_str());
        auto port = makePort();
        QVERIFY(port);
        const std::size_t threadsBefore = ThreadInspector::threadCount();
        const auto &fds = peers.localFds();
        for (std::size_t i = 0; i < fds.size(); ++i) {
            QVERIFY(port->associate(fds[i], i));
            QVERIFY(port->recv(fds[i], 1000000 + i) > 0);
        }
        QCOMPARE(port->stats().pendingOps, std::uint64_t(Sockets));
        // No thread per pending operation, and no kernel worker either: the receives wait on poll.
        QCOMPARE(ThreadInspector::threadCount(), threadsBefore);
        QVERIFY(ThreadInspector::ioWorkers().empty());

        std::vector<int> completions(Sockets, 0);
        std::size_t bytes = 0;
        bool dataIntact = true;
        std::thread serving([&] {
            Completion batch[128];
            std::size_t done = 0;
            while (done < Sockets) {
                DequeueStatus status;
                const std::size_t n = port->dequeueBatch(batch, 30000ms, status);
                if (status != DequeueStatus::Ok)
                    return;
                for (std::size_t i = 0; i < n; ++i) {
                    ++completions[batch[i].key];
                    dataIntact &= batch[i].token == 1000000 + batch[i].key && batch[i].result == 1
                                  && batch[i].data.size() == 1 && batch[i].data[0] == std::byte('p');
                    bytes += std::size_t(batch[i].result);
                    port->recycle(batch[i]);
                }
                done += n;
            }
        });
        QVERIFY(peers.sendToAll(1));
        serving.join();
        for (std::size_t i = 0; i < Sockets; ++i)
            QCOMPARE(completions[i], 1);
        QVERIFY(dataIntact);
        QCOMPARE(bytes, Sockets);
        QCOMPARE(port->stats().pendingOps, std::uint64_t(0));
    }

    void closeWithPendingLeaksNothing()
    {
        const std::uint64_t fdsBefore = countOpenDescriptors();
        const std::size_t threadsBefore = ThreadInspector::threadCount();
        {
            workload::PeerHost peers;
            const std::string why = peers.start(Sockets);
            if (!why.empty())
                QSKIP(why.c_str());
            auto port = makePort();
            QVERIFY(port);
            for (std::size_t i = 0; i < peers.localFds().size(); ++i) {
                port->associate(peers.localFds()[i], i);
                QVERIFY(port->recv(peers.localFds()[i], i) > 0);
            }
            DequeueStatus status = DequeueStatus::Ok;
            std::thread waiter([&] {
                Completion c;
                status = port->dequeue(c, -1ms);
            });
            QVERIFY(QTest::qWaitFor([&] { return port->stats().waiters == 1; }, 10000));
            port->close();
            waiter.join();
            QCOMPARE(status, DequeueStatus::Closed);
            QCOMPARE(port->stats().pendingOps, std::uint64_t(0));
        }
        QCOMPARE(countOpenDescriptors(), fdsBefore);
        QCOMPARE(ThreadInspector::threadCount(), threadsBefore);
    }

    // Without a buffer ring (old kernels) each pending receive owns a buffer; data still arrives intact.
    void fallbackBuffersPerReceive()
    {
        workload::PeerHost peers;
        QCOMPARE(QString::fromStdString(peers.start(100)), QString());
        auto port = makePort(false);
        QVERIFY(port);
        for (std::size_t i = 0; i < 100; ++i) {
            port->associate(peers.localFds()[i], i);
            QVERIFY(port->recv(peers.localFds()[i], i) > 0);
        }
        QVERIFY(peers.sendToAll(3));
        std::vector<int> seen(100, 0);
        for (int i = 0; i < 100; ++i) {
            Completion c;
            QCOMPARE(port->dequeue(c, 10000ms), DequeueStatus::Ok);
            QVERIFY(c.result >= 1 && c.result <= 3);
            QCOMPARE(c.data.size(), std::size_t(c.result));
            QCOMPARE(c.data[0], std::byte('p'));
            ++seen[c.key];
            port->recycle(c);
        }
        for (int s : seen)
            QCOMPARE(s, 1);
    }

    // More sockets with data than shared buffers, and the pool may not grow: the starved receives wait
    // and are sent again as buffers come back. Over several rounds every byte arrives, none twice.
    void starvedReceivesAreRearmed()
    {
        PortStats after;
        serveStarvedRounds(16, 16, after);
        QCOMPARE(after.sharedBuffers, 16u);
    }

    // The same with room in the ring: the pool grows (by its first size at a time) while receives starve,
    // and no further than the ring holds.
    void starvedReceivesGrowThePool()
    {
        PortStats after;
        serveStarvedRounds(16, 256, after);
        QVERIFY2(after.sharedBuffers > 16 && after.sharedBuffers <= 256, qPrintable(QString::number(after.sharedBuffers)));
        QCOMPARE(after.sharedBuffers % 16, 0u);
    }

    // IOCP does not cancel an operation when the thread that issued it exits; io_uring would, were
    // the port not to submit from a thread of its own. Pool threads come and go: this must hold.
    void operationsOutliveTheThreadThatIssuedThem()
    {
        workload::PeerHost peers;
        QCOMPARE(QString::fromStdString(peers.start(100)), QString());
        auto port = makePort();
        QVERIFY(port);
        std::thread([&] {
            for (std::size_t i = 0; i < 100; ++i) {
                port->associate(peers.localFds()[i], i);
                port->recv(peers.localFds()[i], i);
            }
        }).join();
        std::this_thread::sleep_for(50ms); // the issuing thread is gone
        QCOMPARE(port->stats().pendingOps, std::uint64_t(100));
        QVERIFY(peers.sendToAll(1));
        for (int i = 0; i < 100; ++i) {
            Completion c;
            QCOMPARE(port->dequeue(c, 10000ms), DequeueStatus::Ok);
            QCOMPARE(c.result, std::int64_t(1)); // data, not -ECANCELED
            port->recycle(c);
        }
    }

    // The window starts runs on a short-lived thread: the peers must outlive it.
    void peerHostOutlivesTheThreadThatStartedIt()
    {
        workload::PeerHost peers;
        std::thread([&] { QCOMPARE(QString::fromStdString(peers.start(4)), QString()); }).join();
        std::this_thread::sleep_for(100ms); // time enough for a parent-death signal to have struck
        QVERIFY(peers.sendToAll(1));
        char byte = 0;
        QCOMPARE(::recv(peers.localFds()[0], &byte, 1, 0), ssize_t(1));
        QCOMPARE(byte, 'p');
    }

    void tooManySocketsSaysTheLimit()
    {
        workload::PeerHost peers;
        const std::string why = peers.start(currentDescriptorLimit().soft + 10);
        QVERIFY(!why.empty());
        QVERIFY2(QString::fromStdString(why).contains(QStringLiteral("the limit is")), why.c_str());
        QVERIFY(QString::fromStdString(why).contains(QStringLiteral("ulimit -n")));
    }
private:
    // Serves five rounds of one byte to 2,000 sockets through `recvBuffers` shared buffers in a ring of `ring`.
    void serveStarvedRounds(unsigned recvBuffers, unsigned ring, PortStats &after)
    {
        constexpr std::size_t Count = 2000;
        constexpr int Rounds = 5;
        workload::PeerHost peers;
        QCOMPARE(QString::fromStdString(peers.start(Count)), QString());
        PortOptions options;
        options.concurrency = 1;
        options.recvBuffers = recvBuffers;
        options.recvBufferRing = ring;
        std::string error;
        auto port = CompletionPort::create(options, error);
        QVERIFY2(port, error.c_str());
        const auto &fds = peers.localFds();
        for (std::size_t i = 0; i < Count; ++i) {
            port->associate(fds[i], i);
            QVERIFY(port->recv(fds[i], i) > 0);
        }
        std::vector<std::size_t> bytes(Count, 0);
        for (int round = 1; round <= Rounds; ++round) {
            QVERIFY(peers.sendToAll(1));
            std::size_t total = 0;
            while (total < Count) {
                Completion batch[64];
                DequeueStatus status;
                const std::size_t n = port->dequeueBatch(batch, 10000ms, status);
                const PortStats s = port->stats();
                QVERIFY2(status == DequeueStatus::Ok,
                         qPrintable(QStringLiteral("round %1 stalled at %2 bytes: %3 starved, %4 free buffers, %5 re-armed")
                                        .arg(round).arg(total).arg(s.starvedRecvs).arg(s.freeBuffers).arg(s.rearmedRecvs)));
                SubmitBatch rearm(*port);
                for (std::size_t i = 0; i < n; ++i) {
                    QVERIFY(batch[i].result > 0);
                    bytes[batch[i].key] += std::size_t(batch[i].result);
                    total += std::size_t(batch[i].result);
                    port->recycle(batch[i]);
                    QVERIFY(port->recv(fds[batch[i].key], batch[i].key) > 0);
                }
            }
            for (std::size_t b : bytes)
                QCOMPARE(b, std::size_t(round));
        }
        after = port->stats();
    }
};

QTEST_GUILESS_MAIN(TestPendingOps)
#include "tst_pendingops.moc"
