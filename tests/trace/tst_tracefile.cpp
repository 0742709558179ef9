#include "tracecases.h"

#include <QTemporaryDir>
#include <QTest>

#include <cstring>
#include <utility>
#include <fstream>

using namespace porthole::trace;

namespace {

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
    void roundTrip() { PORTHOLE_VERIFY_CASE(porthole::testing::fileRoundTrip()); }

    // Written on Linux, committed: it loads the same on every platform (Windows: tests/windows).
    void committedFileLoads() { PORTHOLE_VERIFY_CASE(porthole::testing::committedFileLoads(PORTHOLE_SAMPLE_TRACE)); }

    void badFilesAreRejected_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("message");
        QTemporaryDir dir;
        const std::string good = bytesOf(porthole::testing::sampleTrace(), dir);
        const auto mutate = [&](std::size_t at, char value) {
            std::string copy = good;
            copy[at] = value;
            return QByteArray::fromStdString(copy);
        };
        QTest::newRow("empty") << QByteArray() << QStringLiteral("the file is empty");
        QTest::newRow("foreign") << QByteArray("{\"traceEvents\":[]}") << QStringLiteral("not a Porthole trace");
        QTest::newRow("short header") << QByteArray("PORTHOLE\x01") << QStringLiteral("truncated: the header needs");
        QTest::newRow("future version") << mutate(8, 9) << QStringLiteral("trace format version 9 is newer than this build reads");
        QTest::newRow("older version") << mutate(8, 1) << QStringLiteral("written by an older Porthole (trace format 1)");
        // Cut files: the header's promise is checked first; with no events promised, each later part.
        std::string noEvents = good;
        std::memset(noEvents.data() + 24, 0, 8); // eventCount = 0
        QTest::newRow("cut before the events")
            << QByteArray::fromStdString(good.substr(0, 40 + 5)) << QStringLiteral("100 events cannot fit in 45 bytes");
        QTest::newRow("cut in vocabulary")
            << QByteArray::fromStdString(noEvents.substr(0, 40 + 5)) << QStringLiteral("truncated or corrupted in the vocabulary");
        const std::size_t threadTable = good.size() - 100 * sizeof(Event) - 2 * 12 - 4 - std::strlen("worker \"one\"");
        QTest::newRow("cut in thread table")
            << QByteArray::fromStdString(noEvents.substr(0, threadTable + 5)) << QStringLiteral("2 threads cannot fit in the 5 bytes left");
        QTest::newRow("cut in events") << QByteArray::fromStdString(good.substr(0, good.size() - 40))
                                       << QStringLiteral("truncated: the header promises 100 events");
        QTest::newRow("stray bytes") << QByteArray::fromStdString(good + "xyz") << QStringLiteral("stray bytes");
        QTest::newRow("huge thread count") << mutate(19, 0x7f) << QStringLiteral("threads cannot fit");
        const std::size_t firstEvent = good.size() - 100 * sizeof(Event);
        QTest::newRow("unknown event type")
            << mutate(firstEvent + 12, char(200)) << QStringLiteral("event 0 has unknown type 200");
        QTest::newRow("thread out of range")
            << mutate(firstEvent + 8, 9) << QStringLiteral("event 0 names thread 9 but the trace has 2");
        // Fields the views index by are checked on load (a frame id past the vocabulary, a state past the last).
        const Trace sample = porthole::testing::sampleTrace();
        bool frameRow = false;
        for (std::size_t i = 0; i < sample.events.size(); ++i) {
            const std::size_t at = firstEvent + i * sizeof(Event);
            if (sample.events[i].type == EventType::StackPop && !std::exchange(frameRow, true))
                QTest::newRow("frame out of range") << mutate(at + 14, char(0x7f)) << QStringLiteral("names frame");
            if (sample.events[i].type == EventType::ThreadState)
                QTest::newRow(qPrintable(QStringLiteral("state out of range %1").arg(i))) << mutate(at + 13, char(9)) << QStringLiteral("unknown thread state 9");
        }
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
