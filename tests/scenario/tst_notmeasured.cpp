// With no descriptor left, the sampler cannot read /proc: the thread counts are "not measured" for
// those samples, and a claim on them fails with that reason instead of passing on a made-up number.

#include "scenario/runner.h"
#include "scenario/sampler.h"
#include "scenario/scenariofile.h"

#include <QElapsedTimer>
#include <QTest>

#include <cmath>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

using namespace porthole;
using namespace porthole::scenario;

class TestNotMeasured : public QObject
{
    Q_OBJECT

private slots:
    void aMetricThatCannotBeReadIsNotMeasured()
    {
        const ScenarioLoad load = parseScenario(R"({"id": "no-sockets", "runtime": "legacy-iocp", "sockets": {"count": 0},
            "posts": {"count": 50, "interval_ms": 20},
            "claims": [{"name": "few threads", "expression": "max(extra_threads) <= 100"},
                       {"name": "posts arrive", "expression": "posts >= 1"}]})",
                                                QStringLiteral("no-sockets.json"));
        QVERIFY2(load.scenario, qPrintable(load.errors.join(QLatin1Char('\n'))));
        Runner runner(*load.scenario);
        QCOMPARE(runner.start(), QString());
        QTRY_VERIFY_WITH_TIMEOUT(runner.history().size() >= 2, 10000);

        // Take every descriptor left, for a few of the sampler's periods. Any descriptor another thread
        // held at that moment (the sampler's own /proc reads among them) is taken too as soon as it is
        // closed: the process is re-searched every millisecond, so no sample gets one for long.
        std::vector<int> taken;
        const auto takeFree = [&taken] {
            for (int fd; (fd = ::open("/dev/null", O_RDONLY)) >= 0;)
                taken.push_back(fd);
        };
        takeFree();
        const qsizetype before = runner.history().size();
        QElapsedTimer starved;
        starved.start();
        while (starved.elapsed() < Sampler::Period.count() * 6) {
            QTest::qWait(1);
            takeFree();
        }
        for (int fd : taken)
            ::close(fd);
        QTRY_VERIFY_WITH_TIMEOUT(runner.history().size() >= before + 6, 10000);
        runner.stop();

        bool sawNotMeasured = false;
        for (const MetricsSample &s : runner.history())
            if (std::isnan(s[trace::Metric::Threads])) {
                sawNotMeasured = true;
                QVERIFY(std::isnan(s[trace::Metric::ExtraThreads]));
                QVERIFY(std::isnan(s[trace::Metric::IoWorkers]));
                QCOMPARE(s[trace::Metric::ProcReadable], 0.0);
            }
        QVERIFY2(sawNotMeasured, "no sample fell in the time without descriptors");
        const QList<ClaimResult> claims = runner.evaluateClaims();
        QCOMPARE(claims.size(), 2);
        QVERIFY(!claims[0].passed);
        QVERIFY(!claims[0].measured); // max over samples with a gap is not measured
        QVERIFY(claims[1].passed);    // a folded count needs no /proc
    }
};

QTEST_GUILESS_MAIN(TestNotMeasured)
#include "tst_notmeasured.moc"
