// Bad scenario files get an error naming the file, the line where known, the field and the
// allowed values. Nothing crashes.

#include "engine/descriptorlimit.h"
#include "scenario/scenariofile.h"

#include <fcntl.h>
#include <unistd.h>

#include <QTemporaryDir>
#include <QTest>

using namespace porthole::scenario;

class TestScenarioFile : public QObject
{
    Q_OBJECT

private slots:
    void badFiles_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        const auto with = [](const char *fields) {
            return QByteArray("{\n  \"id\": \"x\",\n  ") + fields + "\n}\n";
        };
        QTest::newRow("empty") << QByteArray("  \n") << QStringLiteral("bad.json: the file is empty");
        QTest::newRow("malformed") << QByteArray("{\n  \"id\": \"x\",\n  \"sockets\": {\n}") << QStringLiteral("bad.json:4: not valid JSON");
        QTest::newRow("root is an array") << QByteArray("[1, 2]") << QStringLiteral("the top level must be an object");
        QTest::newRow("missing id") << QByteArray("{\"title\": \"t\"}") << QStringLiteral("field 'id': missing; it is required");
        QTest::newRow("unknown field") << with("\"colour\": 3") << QStringLiteral("bad.json:3: field 'colour': unknown field; the fields here are: id, title");
        QTest::newRow("unknown nested field") << with("\"sockets\": {\"cnt\": 3}")
                                              << QStringLiteral("field 'sockets.cnt': unknown field; the fields here are: count, transport");
        QTest::newRow("wrong type") << with("\"duration_s\": \"long\"") << QStringLiteral("field 'duration_s': must be a number from 0.1 to 3600");
        QTest::newRow("negative") << with("\"sockets\": {\"count\": -5}")
                                  << QStringLiteral("field 'sockets.count': -5 is out of range; it must be a whole number from 0 to 19000");
        QTest::newRow("not whole") << with("\"threads\": {\"io_min\": 1.5}") << QStringLiteral("field 'threads.io_min': 1.5 is out of range");
        QTest::newRow("too large") << with("\"traffic\": {\"message_bytes\": 100000}")
                                   << QStringLiteral("field 'traffic.message_bytes': 100000 is out of range; it must be a whole number from 1 to 65536");
        QTest::newRow("unknown runtime") << with("\"runtime\": \"node\"")
                                         << QStringLiteral("field 'runtime': 'node' is not allowed; use one of: legacy-iocp, dotnet7-pollers, dotnet-linux, raw-uring, thread-per-socket");
        QTest::newRow("unknown pattern") << with("\"traffic\": {\"pattern\": \"zigzag\"}")
                                         << QStringLiteral("use one of: none, uniform, burst, hot_socket");
        QTest::newRow("unparseable claim") << with("\"claims\": [{\"name\": \"n\", \"expression\": \"lots of threads\"}]")
                                           << QStringLiteral("field 'claims[0].expression': cannot read the claim 'lots of threads'");
        QTest::newRow("unknown metric") << with("\"claims\": [{\"name\": \"n\", \"expression\": \"max(fibers) == 1\"}]")
                                        << QStringLiteral("max() takes one metric: threads, extra_threads");
        QTest::newRow("claim not an object") << with("\"claims\": [\"max(threads) == 1\"]") << QStringLiteral("field 'claims[0]': must be an object");
        QTest::newRow("posts without a port") << with("\"runtime\": \"dotnet-linux\", \"posts\": {\"count\": 3}")
                                              << QStringLiteral("field 'posts.count': posts need a completion port");
        QTest::newRow("one-choice question") << with("\"walkthrough\": [{\"narration\": \"n\", \"question\": {\"prompt\": \"p\", \"choices\": [\"a\"]}}]")
                                             << QStringLiteral("field 'walkthrough[0].question.choices': give at least two choices");
        QTest::newRow("bad highlight") << with("\"walkthrough\": [{\"narration\": \"n\", \"highlight\": \"everything\"}]")
                                       << QStringLiteral("use one of: sockets, queue, threads, callstacks, timeline, claims");
        QTest::newRow("bad pause condition") << with("\"walkthrough\": [{\"narration\": \"n\", \"pause_when\": \"soon\"}]")
                                             << QStringLiteral("field 'walkthrough[0].pause_when': cannot read the claim 'soon'");
        // What a hostile or careless file tried: each gets a clear word, none a silent fix.
        QTest::newRow("empty id") << QByteArray("{\"id\": \"\"}") << QStringLiteral("field 'id': use 1 to 64 lowercase letters");
        QTest::newRow("id with a newline") << QByteArray("{\"id\": \"a\\nb\"}") << QStringLiteral("field 'id': use 1 to 64");
        QTest::newRow("id with HTML") << QByteArray("{\"id\": \"<b>x</b>\"}") << QStringLiteral("field 'id': use 1 to 64");
        QTest::newRow("title with a NUL") << with("\"title\": \"a\\u0000b\"") << QStringLiteral("field 'title': plain text on one line");
        QTest::newRow("non-string choice")
            << with("\"walkthrough\": [{\"narration\": \"n\", \"question\": {\"prompt\": \"p\", \"choices\": [\"a\", 2]}}]")
            << QStringLiteral("each choice is a non-empty string");
        QTest::newRow("empty question") << with("\"walkthrough\": [{\"narration\": \"n\", \"question\": {}}]")
                                        << QStringLiteral("field 'walkthrough[0].question': is empty");
        QTest::newRow("growth without a number") << with("\"claims\": [{\"name\": \"n\", \"expression\": \"thread_growth(io, ...s) >= 1\"}]")
                                                 << QStringLiteral("cannot read the claim");
        QTest::newRow("growth of zero") << with("\"claims\": [{\"name\": \"n\", \"expression\": \"thread_growth(io, 0s) >= 1\"}]")
                                        << QStringLiteral("a duration from 1ms to 3600s");
        QTest::newRow("min above max") << with("\"threads\": {\"io_min\": 9, \"io_max\": 3}") << QStringLiteral("field 'threads.io_min': 9 is above io_max (3)");
        QTest::newRow("worker min above max") << with("\"threads\": {\"worker_min\": 9, \"worker_max\": 3}")
                                              << QStringLiteral("field 'threads.worker_min': 9 is above worker_max (3)");
        QTest::newRow("limit change that changes nothing") << with("\"threads\": {\"changes\": [{\"at_s\": 1}]}")
                                                           << QStringLiteral("field 'threads.changes[0]': changes nothing");
        QTest::newRow("limit change with a typo") << with("\"threads\": {\"changes\": [{\"at_s\": 1, \"worker_mni\": 3}]}")
                                                  << QStringLiteral("field 'threads.changes[0].worker_mni': unknown field");
        QTest::newRow("empty source") << with("\"sources\": [\"\"]") << QStringLiteral("field 'sources': each source is one line of text");
        QTest::newRow("source not a string") << with("\"sources\": [3]") << QStringLiteral("field 'sources': each source is one line of text");
        QTest::newRow("step source with a newline")
            << with("\"walkthrough\": [{\"narration\": \"n\", \"sources\": [\"a\\nb\"]}]")
            << QStringLiteral("field 'walkthrough[0].sources': each source is one line");
        QTest::newRow("duplicate key") << with("\"duration_s\": 2,\n  \"duration_s\": 3") << QStringLiteral("bad.json:4: the key \"duration_s\" appears twice");
    }

    // The same key in different objects is no duplicate.
    void sameKeyInTwoObjectsIsFine()
    {
        const ScenarioLoad load = parseScenario("{\"id\": \"x\", \"claims\": [{\"name\": \"a\", \"expression\": \"max(threads) >= 0\"},"
                                                "{\"name\": \"b\", \"expression\": \"max(threads) >= 0\"}]}",
                                                QStringLiteral("ok.json"));
        QVERIFY2(load.scenario, qPrintable(load.errors.join(QLatin1Char('\n'))));
    }

    void badFiles()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        const ScenarioLoad load = parseScenario(json, QStringLiteral("bad.json"));
        QVERIFY(!load.scenario);
        const QString all = load.errors.join(QLatin1Char('\n'));
        QVERIFY2(all.contains(expected), qPrintable(all));
        QVERIFY(all.startsWith(QStringLiteral("bad.json")));
    }

    // More sockets than the descriptors left: the error says the numbers and how to raise them.
    void tooManySocketsForTheLimit()
    {
        const porthole::engine::DescriptorLimit limit = porthole::engine::raiseDescriptorLimit();
        if (limit.soft > 200000)
            QSKIP("the descriptor limit here is too high to fill for this test");
        std::vector<int> filler; // use up descriptors until 19,000 sockets no longer fit
        while (porthole::engine::countOpenDescriptors() + 19064 <= limit.soft)
            filler.push_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        const ScenarioLoad load = parseScenario("{\"id\": \"x\",\n \"sockets\": {\"count\": 19000}}", QStringLiteral("big.json"));
        for (int fd : filler)
            ::close(fd);
        QVERIFY(!load.scenario);
        const QString all = load.errors.join(QLatin1Char('\n'));
        QVERIFY2(all.contains(QStringLiteral("big.json:2: field 'sockets.count': 19000 sockets needs")), qPrintable(all));
        QVERIFY(all.contains(QStringLiteral("ulimit -n")));
    }

    void unreadablePaths()
    {
        QTemporaryDir dir;
        QVERIFY(loadScenarioFile(dir.path()).errors.join(QString()).contains(QStringLiteral("is a directory")));
        QVERIFY(loadScenarioFile(dir.filePath(QStringLiteral("none.json"))).errors.join(QString()).contains(QStringLiteral("no such file")));
        QFile huge(dir.filePath(QStringLiteral("huge.json")));
        QVERIFY(huge.open(QIODevice::WriteOnly));
        huge.write(QByteArray(MaxScenarioFileBytes + 10, ' '));
        huge.close();
        QVERIFY(loadScenarioFile(huge.fileName()).errors.join(QString()).contains(QStringLiteral("scenario files are at most")));
        QFile locked(dir.filePath(QStringLiteral("locked.json")));
        QVERIFY(locked.open(QIODevice::WriteOnly));
        locked.write("{\"id\": \"x\"}");
        locked.close();
        locked.setPermissions(QFileDevice::Permissions());
        const QStringList errors = loadScenarioFile(locked.fileName()).errors;
        if (errors.isEmpty())
            QSKIP("running as root: an unreadable file can still be read");
        QVERIFY(errors.join(QString()).contains(QStringLiteral("cannot be read")));
    }

    // A saved copy reads back as the same scenario, changes included.
    void savedCopyRoundTrips()
    {
        const ScenarioLoad original = loadScenarioFile(QStringLiteral(":/scenarios/blocked-callbacks.json"));
        QVERIFY(original.scenario);
        Scenario changed = *original.scenario;
        changed.traffic.messagesPerSecond = 123;
        changed.id = QStringLiteral("blocked-callbacks-copy");
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("copy.json"));
        QCOMPARE(saveScenarioFile(changed, path), QString());
        const ScenarioLoad back = loadScenarioFile(path);
        QVERIFY2(back.scenario, qPrintable(back.errors.join(QLatin1Char('\n'))));
        QCOMPARE(back.scenario->id, changed.id);
        QCOMPARE(back.scenario->traffic.messagesPerSecond, 123.0);
        QCOMPARE(back.scenario->runtime.callback.blockFor, changed.runtime.callback.blockFor);
        QCOMPARE(back.scenario->runtime.ioMinThreads, changed.runtime.ioMinThreads);
        QCOMPARE(back.scenario->claims.size(), changed.claims.size());
        QCOMPARE(back.scenario->walkthrough.size(), changed.walkthrough.size());
        QCOMPARE(back.scenario->walkthrough[1].question.answer, changed.walkthrough[1].question.answer);
        QCOMPARE(saveScenarioFile(changed, dir.path()).isEmpty(), false); // a directory: a clear error
    }

    void minimalFileGetsDefaults()
    {
        const ScenarioLoad load = parseScenario("{\"id\": \"mine\"}", QStringLiteral("mine.json"));
        QVERIFY2(load.scenario, qPrintable(load.errors.join(QLatin1Char('\n'))));
        QCOMPARE(load.scenario->title, QStringLiteral("mine"));
        QCOMPARE(load.scenario->sockets, 100);
        QCOMPARE(load.scenario->runtime.kind, porthole::runtime::RuntimeKind::RawUring);
    }
};

QTEST_GUILESS_MAIN(TestScenarioFile)
#include "tst_scenariofile.moc"
