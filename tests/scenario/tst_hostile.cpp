// A careless or hostile user at the command line: bad files, bad options, a dying helper, signals.
// Every case answers clearly (exit 2 for bad input, 3 for a run that cannot be trusted), never hangs or lies.

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {
struct Result {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    qint64 ms = 0;
};

Result porthole(const QStringList &args, int timeoutMs = 60000, std::function<void(QProcess &)> whileRunning = {})
{
    QProcess p;
    QElapsedTimer clock;
    clock.start();
    p.start(QStringLiteral(PORTHOLE_BINARY), args);
    p.waitForStarted();
    if (whileRunning)
        whileRunning(p);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return {-2, p.readAllStandardOutput(), "timed out", clock.elapsed()};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError(), clock.elapsed()};
}

// The helper process that holds the sockets' far ends: the child of the porthole process.
pid_t helperOf(qint64 pid)
{
    QFile children(QStringLiteral("/proc/%1/task/%1/children").arg(pid));
    for (int i = 0; i < 500; ++i) {
        if (children.open(QIODevice::ReadOnly)) {
            const QByteArray list = children.readAll().trimmed();
            children.close();
            if (!list.isEmpty())
                return pid_t(list.split(' ').first().toInt());
        }
        QTest::qWait(10);
    }
    return 0;
}
} // namespace

class TestHostile : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString path(const char *name) const { return m_dir.filePath(QLatin1String(name)); }

private slots:
    // Options are checked before the run starts, NaN included, and nothing is silently ignored.
    void badOptionsAreRefusedBeforeTheRun_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QStringList run = {QStringLiteral("run"), QStringLiteral("there-is-no-thread"), QStringLiteral("--headless")};
        QTest::newRow("duration nan") << (run + QStringList{QStringLiteral("--duration"), QStringLiteral("nan")}) << QStringLiteral("--duration takes seconds");
        QTest::newRow("duration tiny") << (run + QStringList{QStringLiteral("--duration"), QStringLiteral("0.0001")}) << QStringLiteral("0.1 to 3600");
        QTest::newRow("speed nan") << (run + QStringList{QStringLiteral("--speed"), QStringLiteral("nan")}) << QStringLiteral("--speed takes");
        QTest::newRow("range nan") << (run + QStringList{QStringLiteral("--range"), QStringLiteral("nan:1")}) << QStringLiteral("--range takes");
        QTest::newRow("theme headless") << (run + QStringList{QStringLiteral("--theme"), QStringLiteral("dark")}) << QStringLiteral("is for the window");
        QTest::newRow("presenter headless") << (run + QStringList{QStringLiteral("--presenter")}) << QStringLiteral("is for the window");
        QTest::newRow("sockets on run") << (run + QStringList{QStringLiteral("--sockets"), QStringLiteral("5")}) << QStringLiteral("is for 'porthole demo'");
        QTest::newRow("empty export") << (run + QStringList{QStringLiteral("--export-trace"), QString()}) << QStringLiteral("needs a file name");
        QTest::newRow("huge picture") << (run + QStringList{QStringLiteral("--export-timeline"), QStringLiteral("big.png"), QStringLiteral("--size"),
                                                           QStringLiteral("8000x8000"), QStringLiteral("--scale"), QStringLiteral("4")})
                                      << QStringLiteral("million pixels");
        QTest::newRow("no such folder") << (run + QStringList{QStringLiteral("--export-metrics"), QStringLiteral("/no/such/folder/m.csv")})
                                        << QStringLiteral("does not exist");
    }
    void badOptionsAreRefusedBeforeTheRun()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Result r = porthole(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
        QVERIFY2(!r.out.contains("running "), "the run started before the options were checked");
    }

    // A FIFO or a device is not a scenario or a trace: refused at once, never read forever.
    void specialFilesAreRefused()
    {
        const QString fifo = path("fifo");
        QCOMPARE(::mkfifo(fifo.toLocal8Bit().constData(), 0600), 0);
        for (const QString &file : {fifo, QStringLiteral("/dev/zero")}) {
            const Result check = porthole({QStringLiteral("check"), file}, 10000);
            QCOMPARE(check.exitCode, 2);
            QVERIFY2(check.err.contains("not a regular file"), check.err.constData());
            const Result replay = porthole({QStringLiteral("replay"), file}, 10000);
            QCOMPARE(replay.exitCode, 2);
            QVERIFY2(replay.err.contains("not a regular file"), replay.err.constData());
        }
    }

    // An export through a symlink to a device never replaces the device.
    void exportsNeverReplaceADevice()
    {
        const QString link = path("null.csv");
        QVERIFY(QFile::link(QStringLiteral("/dev/null"), link));
        const Result r = porthole({QStringLiteral("run"), QStringLiteral("there-is-no-thread"), QStringLiteral("--headless"),
                                   QStringLiteral("--export-metrics"), link});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("not a regular file"), r.err.constData());
        struct stat st {};
        QCOMPARE(::stat("/dev/null", &st), 0);
        QVERIFY(S_ISCHR(st.st_mode));
    }

    // A full disk (here: a file-size limit) fails the export of every format with exit 2, and leaves nothing half-written.
    void aFailedWriteIsReported_data()
    {
        QTest::addColumn<QString>("name");
        for (const char *n : {"t.svg", "t.pdf", "t.png"})
            QTest::newRow(n) << QString::fromLatin1(n);
    }
    void aFailedWriteIsReported()
    {
        QFETCH(QString, name);
        const QString trace = path("small.porthole");
        if (!QFileInfo::exists(trace))
            QCOMPARE(porthole({QStringLiteral("run"), QStringLiteral("there-is-no-thread"), QStringLiteral("--headless"), QStringLiteral("--duration"),
                               QStringLiteral("1"), QStringLiteral("--export-trace"), trace})
                         .exitCode,
                     0);
        QProcess p;
        p.setChildProcessModifier([] {
            ::signal(SIGXFSZ, SIG_IGN); // a write past the limit fails with EFBIG, as a full disk fails with ENOSPC
            const rlimit limit{4096, 4096};
            ::setrlimit(RLIMIT_FSIZE, &limit);
        });
        const QString out = path(name.toLatin1().constData());
        p.start(QStringLiteral(PORTHOLE_BINARY), {QStringLiteral("export"), trace, QStringLiteral("--timeline"), out});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY2(p.readAllStandardError().contains("write failed"), "no word of the failed write");
        QVERIFY(!QFileInfo::exists(out));
        QVERIFY(QDir(m_dir.path()).entryList({QStringLiteral("*porthole-tmp*")}).isEmpty());
    }

    // Stop never waits for a callback that sleeps: a 60 s Thread.Sleep, a 1 s run.
    void stopDoesNotWaitForASleepingCallback()
    {
        const QString file = path("sleepy.json");
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"id": "sleepy", "runtime": "legacy-iocp", "sockets": {"count": 4},
                   "traffic": {"messages_per_second": 100}, "callback": {"block_every": 1, "block_ms": 60000}})");
        f.close();
        const Result r = porthole({QStringLiteral("run"), file, QStringLiteral("--headless"), QStringLiteral("--duration"), QStringLiteral("1")}, 30000);
        QVERIFY2(r.exitCode == 0 || r.exitCode == 1, r.err.constData());
        QVERIFY2(r.ms < 15000, qPrintable(QStringLiteral("stop took %1 ms").arg(r.ms)));
    }

    // The helper holding the sockets' far ends, killed or stopped: reported, exit 3, never "all claims hold" as a success.
    void aDyingHelperIsReported_data()
    {
        QTest::addColumn<int>("signal");
        QTest::addColumn<QString>("message");
        QTest::newRow("SIGKILL") << int(SIGKILL) << QStringLiteral("was killed by signal 9");
        QTest::newRow("SIGSTOP") << int(SIGSTOP) << QStringLiteral("is stopped");
    }
    void aDyingHelperIsReported()
    {
        QFETCH(int, signal);
        QFETCH(QString, message);
        const Result r = porthole({QStringLiteral("run"), QStringLiteral("there-is-no-thread"), QStringLiteral("--headless"), QStringLiteral("--duration"),
                                   QStringLiteral("2")},
                                  30000, [signal](QProcess &p) {
                                      const pid_t helper = helperOf(p.processId());
                                      QVERIFY(helper > 0);
                                      QTest::qWait(300);
                                      ::kill(helper, signal);
                                  });
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    }

    // Ctrl+C during a headless run: what was recorded is reported and exported, exit 130.
    void anInterruptedRunKeepsWhatItRecorded()
    {
        const QString trace = path("interrupted.porthole");
        const Result r = porthole({QStringLiteral("run"), QStringLiteral("there-is-no-thread"), QStringLiteral("--headless"), QStringLiteral("--duration"),
                                   QStringLiteral("60"), QStringLiteral("--json"), QStringLiteral("--export-trace"), trace},
                                  30000, [](QProcess &p) {
                                      QVERIFY(helperOf(p.processId()) > 0); // running
                                      QTest::qWait(800);
                                      ::kill(pid_t(p.processId()), SIGINT);
                                  });
        QCOMPARE(r.exitCode, 130);
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value(QStringLiteral("interrupted")).toString(), QStringLiteral("SIGINT"));
        QCOMPARE(porthole({QStringLiteral("replay"), trace}).exitCode, 0);
    }

    // A huge file that is not what its header says is refused before it is read (no gigabytes of memory).
    void aHugeBogusTraceIsRefusedEarly()
    {
        const QString sparse = path("sparse.porthole");
        QFile f(sparse);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QVERIFY(f.resize(qint64(2) << 30)); // 2 GiB of holes: takes no disk
        f.close();
        const Result zeros = porthole({QStringLiteral("replay"), sparse}, 20000);
        QCOMPARE(zeros.exitCode, 2);
        QVERIFY2(zeros.err.contains("not a Porthole trace"), zeros.err.constData());
        QVERIFY2(zeros.ms < 10000, "the whole file was read");
    }

    // The headless demo succeeds with exit 0.
    void demoExitsZero()
    {
        const Result r = porthole({QStringLiteral("demo"), QStringLiteral("--sockets"), QStringLiteral("200")});
        QVERIFY2(r.exitCode == 0, r.out.constData());
    }
};

QTEST_GUILESS_MAIN(TestHostile)
#include "tst_hostile.moc"
