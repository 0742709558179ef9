// What the kernel reports about the port's threads: where a waiter sleeps, and when io_uring
// needs a thread of its own (iou-wrk) and when it does not.

#include "engine/completionport.h"
#include "engine/threadinspector.h"
#include "engine/kernelprobe.h"

#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace porthole::engine;
using namespace std::chrono_literals;

namespace {
std::unique_ptr<CompletionPort> makePort()
{
    PortOptions options;
    options.concurrency = 2;
    std::string error;
    auto port = CompletionPort::create(options, error);
    if (!port)
        qWarning("%s", error.c_str());
    return port;
}
} // namespace

class TestKernelView : public QObject
{
    Q_OBJECT

private slots:
    void probeSaysWhatIsMissingInWords()
    {
        const KernelFeatures features = probeKernel();
        QVERIFY(features.usable());
        KernelFeatures old = features;
        old.bufferRings = false;
        old.fastPoll = false;
        const auto lines = old.explain();
        QCOMPARE(lines.size(), features.explain().size() + 2);
        QVERIFY(QString::fromStdString(lines.back()).contains(QStringLiteral("buffer")));
    }

    // Runs first: no io-wq worker of this process exists yet.
    void socketRecvNeedsNoThread()
    {
        auto port = makePort();
        QVERIFY(port);
        int pair[2];
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
        port->associate(pair[0], 1);
        QVERIFY(port->recv(pair[0], 1) > 0);
        QCOMPARE(port->stats().pendingOps, std::uint64_t(1));
        QVERIFY(ThreadInspector::ioWorkers().empty());
        QCOMPARE(::write(pair[1], "x", 1), ssize_t(1));
        Completion c;
        QCOMPARE(port->dequeue(c, 5000ms), DequeueStatus::Ok);
        port->recycle(c);
        QVERIFY(ThreadInspector::ioWorkers().empty());
        ::close(pair[0]);
        ::close(pair[1]);
    }

    void waiterSleepsInIoCqringWait()
    {
        auto port = makePort();
        QVERIFY(port);
        std::atomic<std::int32_t> tid{0};
        std::thread waiter([&] {
            tid = ThreadInspector::currentThreadId();
            Completion c;
            port->dequeue(c, -1ms);
        });
        QVERIFY(QTest::qWaitFor([&] { return port->stats().waiters == 1 && tid != 0; }, 10000));
        KernelThreadView view;
        const bool asleep = QTest::qWaitFor([&] { return !(view = ThreadInspector::inspect(tid)).wchan.empty(); }, 5000);
        const bool hidden = !view.unreadable.empty();
        port->post(0, 0, 1);
        waiter.join();
        QVERIFY(asleep || hidden);
        if (hidden)
            QSKIP(("/proc hides the wait point here: " + view.unreadable.front()).c_str());
        QCOMPARE(QString::fromStdString(view.wchan), QStringLiteral("io_cqring_wait"));
        QCOMPARE(view.state, 'S');
        QVERIFY(view.syscall.has_value());
        QCOMPARE(*view.syscall, 426L); // io_uring_enter
        if (!view.kernelStack.empty())
            QCOMPARE(QString::fromStdString(view.kernelStack.front()), QStringLiteral("io_cqring_wait"));
    }

    void fsyncBringsAnIoWorker()
    {
        auto port = makePort();
        QVERIFY(port);
        QTemporaryDir dir;
        const int fd = ::open(dir.filePath(QStringLiteral("data")).toLocal8Bit().constData(), O_CREAT | O_RDWR, 0600);
        QVERIFY(fd >= 0);
        QCOMPARE(::write(fd, "hello", 5), ssize_t(5));
        port->associate(fd, 7);
        QVERIFY(port->fsync(fd, 1) > 0);
        Completion c;
        QCOMPARE(port->dequeue(c, 10000ms), DequeueStatus::Ok);
        QCOMPARE(c.result, std::int64_t(0));
        // "fsync always requires a blocking context": the kernel ran it on an io-wq thread of ours.
        const auto workers = ThreadInspector::ioWorkers();
        ::close(fd);
        QVERIFY(!workers.empty());
        QVERIFY(QString::fromStdString(workers.front().comm).startsWith(QStringLiteral("iou-wrk-")));
    }

    void forcedAsyncNopBringsAnIoWorker()
    {
        auto port = makePort();
        QVERIFY(port);
        QVERIFY(port->nop(5, true) > 0);
        Completion c;
        QCOMPARE(port->dequeue(c, 10000ms), DequeueStatus::Ok);
        QCOMPARE(c.token, std::uint64_t(5));
        QVERIFY(!ThreadInspector::ioWorkers().empty());
    }
};

QTEST_GUILESS_MAIN(TestKernelView)
#include "tst_kernelview.moc"
