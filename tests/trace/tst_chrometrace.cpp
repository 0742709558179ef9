#include "trace/chrometrace.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTest>

#include <sstream>

using namespace porthole::trace;

class TestChromeTrace : public QObject
{
    Q_OBJECT

private slots:
    void exportParsesAndLinksOperations()
    {
        Trace trace;
        trace.threads = {{0, 11, ThreadRole::Poller, "poller"}, {1, 12, ThreadRole::Worker, "worker\n\"1\""}};
        const auto ev = [](std::uint64_t t, std::uint32_t thread, EventType type, std::uint8_t small, std::uint64_t id,
                           std::uint64_t value) { return Event{t, thread, type, small, std::uint16_t(OpKind::Recv), id, value}; };
        trace.events = {
            ev(1000, 0, EventType::ThreadState, std::uint8_t(ThreadState::WaitingInPort), 0, 0),
            ev(1100, 1, EventType::OpSubmitted, 0, 42, 5),
            ev(1500, 0, EventType::OpCompleted, 0, 42, 1),
            ev(1500, 0, EventType::QueueSample, std::uint8_t(QueueKind::PortQueue), 0, 1),
            ev(1600, 0, EventType::ThreadState, std::uint8_t(ThreadState::Running), 0, 0),
            ev(1700, 1, EventType::CallbackBegin, 0, 42, 0),
            ev(1900, 1, EventType::CallbackEnd, 0, 42, 0),
            ev(2000, 0, EventType::ThreadExited, 0, 0, 0),
        };
        std::ostringstream out;
        writeChromeTrace(trace, out);
        QJsonParseError error{};
        const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(out.str()), &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        const QJsonArray events = doc.object().value(QStringLiteral("traceEvents")).toArray();

        QSet<int> namedThreads;
        QSet<QString> phases;
        int callbacks = 0, states = 0, counters = 0;
        for (const QJsonValue &v : events) {
            const QJsonObject e = v.toObject();
            const QString ph = e.value(QStringLiteral("ph")).toString();
            phases.insert(ph);
            if (ph == QStringLiteral("M"))
                namedThreads.insert(e.value(QStringLiteral("tid")).toInt());
            if (ph == QStringLiteral("X") && e.value(QStringLiteral("cat")).toString() == QStringLiteral("callback")) {
                ++callbacks;
                QCOMPARE(e.value(QStringLiteral("dur")).toDouble(), 0.2);
            }
            if (ph == QStringLiteral("X") && e.value(QStringLiteral("cat")).toString() == QStringLiteral("state"))
                ++states;
            if (ph == QStringLiteral("C"))
                ++counters;
            if (ph == QStringLiteral("s") || ph == QStringLiteral("t") || ph == QStringLiteral("f"))
                QCOMPARE(e.value(QStringLiteral("id")).toInt(), 42);
        }
        QCOMPARE(namedThreads, (QSet<int>{0, 1}));
        QCOMPARE(callbacks, 1);
        QCOMPARE(states, 2); // waiting 1000-1600, running 1600-2000
        QCOMPARE(counters, 1);
        QVERIFY(phases.contains(QStringLiteral("s")) && phases.contains(QStringLiteral("t")) && phases.contains(QStringLiteral("f")));
    }
};

QTEST_GUILESS_MAIN(TestChromeTrace)
#include "tst_chrometrace.moc"
