#include "trace/tracefile.h"

#include <QTemporaryDir>
#include <QTest>

#include <cstring>
#include <fstream>

using namespace porthole::trace;

namespace {

Trace sampleTrace()
{
    Trace trace;
    trace.threads = {{0, 101, ThreadRole::IoCompletion, "io 1"}, {1, 102, ThreadRole::Worker, "worker \"one\""}};
    trace.droppedEvents = 7;
    for (std::uint64_t i = 0; i < 100; ++i)
        trace.events.push_back(Event{1000 + i * 10, std::uint32_t(i % 2), EventType(1 + i % 16), std::uint8_t(i),
                                     std::uint16_t(i * 3), i, ~i});
    return trace;
}

std::string bytesOf(const Trace &trace, const QTemporaryDir &dir)
{
    const std::string path = dir.filePath(QStringLiteral("t.porthole")).toStdString();
    if (!saveTrace(trace, path).empty())
        return {};
    std::ifstream file(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(file), {}};
}

} // namespace

class TestTraceFile : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip()
    {
        QTemporaryDir dir;
        const Trace original = sampleTrace();
        const std::string path = dir.filePath(QStringLiteral("round.porthole")).toStdString();
        QCOMPARE(QString::fromStdString(saveTrace(original, path)), QString());
        const TraceLoadResult loaded = loadTrace(path);
        QVERIFY2(loaded.trace, loaded.error.c_str());
        QCOMPARE(loaded.trace->droppedEvents, original.droppedEvents);
        QCOMPARE(loaded.trace->threads.size(), original.threads.size());
        for (std::size_t i = 0; i < original.threads.size(); ++i) {
            QCOMPARE(loaded.trace->threads[i].name, original.threads[i].name);
            QCOMPARE(loaded.trace->threads[i].osThreadId, original.threads[i].osThreadId);
            QCOMPARE(loaded.trace->threads[i].role, original.threads[i].role);
        }
        QCOMPARE(loaded.trace->events.size(), original.events.size());
        QVERIFY(std::memcmp(loaded.trace->events.data(), original.events.data(), original.events.size() * sizeof(Event)) == 0);
    }

    void badFilesAreRejected_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("message");
        QTemporaryDir dir;
        const std::string good = bytesOf(sampleTrace(), dir);
        const auto mutate = [&](std::size_t at, char value) {
            std::string copy = good;
            copy[at] = value;
            return QByteArray::fromStdString(copy);
        };
        QTest::newRow("empty") << QByteArray() << QStringLiteral("the file is empty");
        QTest::newRow("foreign") << QByteArray("{\"traceEvents\":[]}") << QStringLiteral("not a Porthole trace");
        QTest::newRow("short header") << QByteArray("PORTHOLE\x01") << QStringLiteral("truncated: the header needs");
        QTest::newRow("future version") << mutate(8, 9) << QStringLiteral("trace format version 9 is not supported");
        QTest::newRow("cut in thread table")
            << QByteArray::fromStdString(good.substr(0, 40 + 5)) << QStringLiteral("truncated in the thread table");
        QTest::newRow("cut in events") << QByteArray::fromStdString(good.substr(0, good.size() - 40))
                                       << QStringLiteral("truncated: the header promises 100 events");
        QTest::newRow("stray bytes") << QByteArray::fromStdString(good + "xyz") << QStringLiteral("stray bytes");
        QTest::newRow("huge thread count") << mutate(19, 0x7f) << QStringLiteral("threads cannot fit");
        const std::size_t firstEvent = good.size() - 100 * sizeof(Event);
        QTest::newRow("unknown event type")
            << mutate(firstEvent + 12, char(200)) << QStringLiteral("event 0 has unknown type 200");
        QTest::newRow("thread out of range")
            << mutate(firstEvent + 8, 9) << QStringLiteral("event 0 names thread 9 but the trace has 2");
        QTest::newRow("time goes back")
            << mutate(firstEvent + 32 + 7, char(0x7f)) << QStringLiteral("event 2 is older than the one before it");
    }

    void badFilesAreRejected()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, message);
        const TraceLoadResult result = parseTrace(bytes.toStdString(), "bad.porthole");
        QVERIFY(!result.trace);
        QVERIFY2(QString::fromStdString(result.error).contains(message), result.error.c_str());
        QVERIFY(QString::fromStdString(result.error).startsWith(QStringLiteral("bad.porthole: ")));
    }

    void missingPathAndDirectory()
    {
        QTemporaryDir dir;
        const TraceLoadResult missing = loadTrace(dir.filePath(QStringLiteral("nope.porthole")).toStdString());
        QVERIFY(!missing.trace);
        QVERIFY(QString::fromStdString(missing.error).contains(QStringLiteral("no such file")));
        const TraceLoadResult directory = loadTrace(dir.path().toStdString());
        QVERIFY(!directory.trace);
        QVERIFY(QString::fromStdString(directory.error).contains(QStringLiteral("is a directory")));
    }
};

QTEST_GUILESS_MAIN(TestTraceFile)
#include "tst_tracefile.moc"
