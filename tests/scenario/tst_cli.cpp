// The command line as a user runs it: exit codes, one line per built-in, JSON that parses.

#include <QFile>
#include <QImage>
#include <QMap>
#include <QJsonArray>
#include <QXmlStreamReader>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {
struct Result {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Result porthole(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral(PORTHOLE_BINARY), args);
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError()};
}
} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private slots:
    void listAndCheckEveryBuiltin()
    {
        const Result list = porthole({QStringLiteral("--list-scenarios")});
        QCOMPARE(list.exitCode, 0);
        const QList<QByteArray> lines = list.out.trimmed().split('\n');
        QVERIFY(lines.size() >= 12);
        for (const QByteArray &line : lines) {
            const QString id = QString::fromUtf8(line.split('\t').first());
            const Result check = porthole({QStringLiteral("check"), id});
            QVERIFY2(check.exitCode == 0, check.err.constData());
        }
    }

    void badInputExitsTwo()
    {
        QTemporaryDir dir;
        QFile bad(dir.filePath(QStringLiteral("bad.json")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("{\"id\": \"x\", \"sockets\": {\"count\": -1}}");
        bad.close();
        const Result check = porthole({QStringLiteral("check"), bad.fileName()});
        QCOMPARE(check.exitCode, 2);
        QVERIFY(check.err.contains("field 'sockets.count'"));
        // A built-in's id without sources: check refuses it and names the field.
        QFile uncited(dir.filePath(QStringLiteral("uncited.json")));
        QVERIFY(uncited.open(QIODevice::WriteOnly));
        uncited.write("{\"id\": \"thread-per-socket\"}");
        uncited.close();
        const Result noSources = porthole({QStringLiteral("check"), uncited.fileName()});
        QCOMPARE(noSources.exitCode, 2);
        QVERIFY2(noSources.err.contains("sources: a built-in lesson says where its facts come from"), noSources.err.constData());
        QCOMPARE(porthole({QStringLiteral("run"), QStringLiteral("no-such-scenario"), QStringLiteral("--headless")}).exitCode, 2);
        QCOMPARE(porthole({QStringLiteral("run"), QStringLiteral("there-is-no-thread"), QStringLiteral("--headless"),
                           QStringLiteral("--speed"), QStringLiteral("fast")}).exitCode, 2);
    }

    void failingClaimExitsOne()
    {
        QTemporaryDir dir;
        QFile file(dir.filePath(QStringLiteral("wrong.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"id\": \"wrong\", \"sockets\": {\"count\": 10}, \"claims\": "
                   "[{\"name\": \"a thread per socket\", \"expression\": \"max(extra_threads) >= 10\"}]}");
        file.close();
        const Result run = porthole({QStringLiteral("run"), file.fileName(), QStringLiteral("--headless"), QStringLiteral("--duration"),
                                     QStringLiteral("0.5"), QStringLiteral("--report")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY(run.out.contains("FAIL  a thread per socket"));
    }

    void timelineExports_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("png") << QStringLiteral("t.png");
        QTest::newRow("svg") << QStringLiteral("t.svg");
        QTest::newRow("pdf") << QStringLiteral("t.pdf");
    }

    void timelineExports()
    {
        QFETCH(QString, name);
        QTemporaryDir dir;
        const QString path = dir.filePath(name);
        const Result run = porthole({QStringLiteral("run"), QStringLiteral("there-is-no-thread"), QStringLiteral("--headless"),
                                     QStringLiteral("--duration"), QStringLiteral("0.5"), QStringLiteral("--export-timeline"), path,
                                     QStringLiteral("--size"), QStringLiteral("1200x500")});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        if (name.endsWith(QLatin1String(".png"))) {
            QImage image;
            QVERIFY(image.loadFromData(bytes, "PNG"));
            QCOMPARE(image.size(), QSize(1200, 500)); // decodes at the size asked for
        } else if (name.endsWith(QLatin1String(".svg"))) {
            QXmlStreamReader xml(bytes);
            while (!xml.atEnd())
                xml.readNext();
            QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
            QVERIFY(bytes.contains("there is no thread") || bytes.contains("There is no thread"));
        } else {
            QVERIFY(bytes.startsWith("%PDF"));
            QVERIFY(bytes.contains("/Type /Page"));
        }
        QCOMPARE(porthole({QStringLiteral("run"), QStringLiteral("there-is-no-thread"), QStringLiteral("--headless"),
                           QStringLiteral("--export-timeline"), dir.filePath(QStringLiteral("t.gif"))}).exitCode, 2);
    }

    // A chosen range of the timeline, and the metrics as CSV, from one headless run.
    void rangeAndMetrics()
    {
        QTemporaryDir dir;
        const QString png = dir.filePath(QStringLiteral("range.png")), csv = dir.filePath(QStringLiteral("m.csv"));
        const Result run = porthole({QStringLiteral("run"), QStringLiteral("there-is-no-thread"), QStringLiteral("--headless"),
                                     QStringLiteral("--duration"), QStringLiteral("0.6"), QStringLiteral("--export-timeline"), png,
                                     QStringLiteral("--size"), QStringLiteral("640x360"), QStringLiteral("--scale"), QStringLiteral("2"),
                                     QStringLiteral("--range"), QStringLiteral("0.1:0.4"),
                                     QStringLiteral("--export-metrics"), csv});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(QImage(png).size(), QSize(1280, 720)); // high DPI: the 640x360 layout with twice the pixels
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> rows = file.readAll().trimmed().split('\n');
        QVERIFY(rows.size() >= 5); // a sample every 50 ms
        QVERIFY(rows[0].startsWith("time_s,"));
        QVERIFY(rows[0].contains(",pending_ops,"));
        for (const QString &bad : {QStringLiteral("2:1"), QStringLiteral("x"), QStringLiteral("-1:2")}) {
            const Result r = porthole({QStringLiteral("run"), QStringLiteral("there-is-no-thread"), QStringLiteral("--headless"),
                                       QStringLiteral("--export-timeline"), png, QStringLiteral("--range"), bad});
            QCOMPARE(r.exitCode, 2);
            QVERIFY(r.err.contains("--range takes FROM:TO"));
        }
        const Result notCsv = porthole({QStringLiteral("run"), QStringLiteral("there-is-no-thread"), QStringLiteral("--headless"),
                                        QStringLiteral("--export-metrics"), dir.filePath(QStringLiteral("m.txt"))});
        QCOMPARE(notCsv.exitCode, 2);
        QVERIFY(notCsv.err.contains("must end in .csv"));
    }

    void jsonReportAndTrace()
    {
        QTemporaryDir dir;
        const QString tracePath = dir.filePath(QStringLiteral("t.json"));
        const Result run = porthole({QStringLiteral("run"), QStringLiteral("dotnet-on-linux"), QStringLiteral("--headless"),
                                     QStringLiteral("--duration"), QStringLiteral("1"), QStringLiteral("--json"),
                                     QStringLiteral("--export-trace"), tracePath});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject o = QJsonDocument::fromJson(run.out).object();
        for (const char *key : {"scenario", "runtime", "duration_s", "completions", "completions_per_s", "max_threads",
                                "max_pending_ops", "max_queue_depth", "dropped_events", "claims"})
            QVERIFY2(o.contains(QLatin1String(key)), key);
        QCOMPARE(o.value(QStringLiteral("runtime")).toString(), QStringLiteral("dotnet-linux"));
        for (const QJsonValue &c : o.value(QStringLiteral("claims")).toArray()) {
            QVERIFY(c.toObject().value(QStringLiteral("passed")).toBool());
            QVERIFY(c.toObject().contains(QStringLiteral("observed")));
        }
        QFile trace(tracePath);
        QVERIFY(trace.open(QIODevice::ReadOnly));
        QVERIFY(!QJsonDocument::fromJson(trace.readAll()).object().value(QStringLiteral("traceEvents")).toArray().isEmpty());
    }

    // A flood of posts on two threads: every post is a real io_uring operation, and the posters wait for the
    // trace's collector when it falls behind, so the trace drops nothing however fast they go.
    void floodDropsNoEvent()
    {
        const Result run = porthole({QStringLiteral("run"), QStringLiteral(PORTHOLE_SOURCE_DIR "/scenarios/flood.json"), QStringLiteral("--headless"),
                                     QStringLiteral("--duration"), QStringLiteral("2"), QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(o.value(QStringLiteral("dropped_events")).toInteger(-1), 0);
        QVERIFY(o.value(QStringLiteral("completions")).toDouble() >= 1000);
        for (const QJsonValue &c : o.value(QStringLiteral("claims")).toArray())
            QVERIFY2(c.toObject().value(QStringLiteral("passed")).toBool(), qPrintable(c.toObject().value(QStringLiteral("name")).toString()));
    }

    // A flood has no count nor interval: a file that gives both is refused, naming the field.
    void floodWithACountIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("flood.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"id": "f", "title": "f", "runtime": "raw-uring", "posts": {"threads": 2, "count": 10}})");
        file.close();
        const Result run = porthole({QStringLiteral("check"), path});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("posts.threads"), run.err.constData());
    }

    // A saved run replays and exports from the trace alone: the same claims, and the Chrome JSON has each
    // thread's callstack as slices named with the .NET frames (legacy pool: PerformIOCompletionCallback on
    // I/O threads, Dispatch on workers).
    void replayAndExportFromTheTraceAlone()
    {
        QTemporaryDir dir;
        const QString trace = dir.filePath(QStringLiteral("offload.porthole"));
        const Result run = porthole({QStringLiteral("run"), QStringLiteral("offload-to-workers"), QStringLiteral("--headless"),
                                     QStringLiteral("--duration"), QStringLiteral("2"), QStringLiteral("--json"),
                                     QStringLiteral("--export-trace"), trace});
        QCOMPARE(run.exitCode, 0);
        const Result replay = porthole({QStringLiteral("replay"), trace, QStringLiteral("--json")});
        QCOMPARE(replay.exitCode, 0);
        const QJsonObject live = QJsonDocument::fromJson(run.out).object(), again = QJsonDocument::fromJson(replay.out).object();
        QVERIFY(!live.value(QStringLiteral("claims")).toArray().isEmpty());
        QCOMPARE(again.value(QStringLiteral("claims")), live.value(QStringLiteral("claims")));
        QCOMPARE(again.value(QStringLiteral("max_threads")), live.value(QStringLiteral("max_threads")));
        QCOMPARE(again.value(QStringLiteral("completions")), live.value(QStringLiteral("completions")));

        const QString chrome = dir.filePath(QStringLiteral("c.json")), csv = dir.filePath(QStringLiteral("m.csv"));
        const Result exported = porthole({QStringLiteral("export"), trace, QStringLiteral("--chrome"), chrome, QStringLiteral("--metrics"), csv});
        QVERIFY2(exported.exitCode == 0, exported.err.constData());
        QFile file(chrome);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonArray events = QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("traceEvents")).toArray();
        QMap<int, QString> roleOfTid;
        for (const QJsonValue &v : events) {
            const QJsonObject e = v.toObject();
            if (e.value(QStringLiteral("name")) == QStringLiteral("thread_name"))
                roleOfTid[e.value(QStringLiteral("tid")).toInt()] = e.value(QStringLiteral("args")).toObject().value(QStringLiteral("name")).toString();
        }
        int performIoOnIo = 0, dispatchOnWorkers = 0, depth = 0;
        for (const QJsonValue &v : events) {
            const QJsonObject e = v.toObject();
            if (e.value(QStringLiteral("ph")) != QStringLiteral("B"))
                continue;
            const QString name = e.value(QStringLiteral("name")).toString(), thread = roleOfTid.value(e.value(QStringLiteral("tid")).toInt());
            QVERIFY(!e.value(QStringLiteral("args")).toObject().value(QStringLiteral("native")).toString().isEmpty());
            performIoOnIo += name.startsWith(QLatin1String("System.Threading._IOCompletionCallback.PerformIOCompletionCallback"))
                             && thread.contains(QLatin1String("I/O completion"));
            dispatchOnWorkers += name == QLatin1String("System.Threading.ThreadPoolWorkQueue.Dispatch()") && thread.contains(QLatin1String("worker"));
            ++depth;
        }
        QVERIFY(performIoOnIo > 0);
        QVERIFY(dispatchOnWorkers > 0);
        // Every B has its E.
        for (const QJsonValue &v : events)
            depth -= v.toObject().value(QStringLiteral("ph")) == QStringLiteral("E");
        QCOMPARE(depth, 0);

        // Pictures of the saved run, without running it again: the timeline and the whole window at a moment.
        const QString timeline = dir.filePath(QStringLiteral("t.png")), window = dir.filePath(QStringLiteral("w.png"));
        const Result pictures = porthole({QStringLiteral("export"), trace, QStringLiteral("--timeline"), timeline, QStringLiteral("--window"), window,
                                          QStringLiteral("--at"), QStringLiteral("1"), QStringLiteral("--size"), QStringLiteral("1280x720")});
        QVERIFY2(pictures.exitCode == 0, pictures.err.constData());
        QCOMPARE(QImage(timeline).size(), QSize(1280, 720));
        QCOMPARE(QImage(window).size(), QSize(1280, 720));
        const Result noOutput = porthole({QStringLiteral("export"), trace});
        QCOMPARE(noOutput.exitCode, 2);
        QVERIFY(noOutput.err.contains("needs at least one of"));

        const Result old = porthole({QStringLiteral("replay"), QStringLiteral("no-such.porthole")});
        QCOMPARE(old.exitCode, 2);
        QVERIFY(old.err.contains("no such file"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
