#include "scenario/claims.h"
#include "trace/event.h"

#include <QTest>

#include <cmath>

using namespace porthole::scenario;
using porthole::trace::Metric;

namespace {
MetricsHistory history()
{
    MetricsHistory h;
    for (int i = 0; i <= 10; ++i) {
        MetricsSample s;
        s.timeS = i * 0.5;
        s[Metric::Workers] = 2 + i / 2; // grows by one per second
        s[Metric::PendingOps] = i == 3 ? 50 : 10;
        s[Metric::Callbacks] = i * 10;
        s[Metric::CallbacksUnderDispatch] = 0; // folded metrics are always there; cq_ready is left not measured
        s[porthole::trace::callbacksOnMetric(porthole::trace::ThreadRole::Worker)] = i * 10;
        s[porthole::trace::cpuMsOnMetric(porthole::trace::ThreadRole::IoCompletion)] = i; // ms of CPU, the kernel's count
        h << s;
    }
    return h;
}
} // namespace

class TestClaims : public QObject
{
    Q_OBJECT

private slots:
    void evaluate_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<bool>("passed");
        QTest::addColumn<double>("observed");
        QTest::newRow("last value") << QStringLiteral("callbacks == 100") << true << 100.0;
        QTest::newRow("max") << QStringLiteral("max(pending_ops) >= 50") << true << 50.0;
        QTest::newRow("min") << QStringLiteral("min(workers) > 2") << false << 2.0;
        QTest::newRow("callbacks_on") << QStringLiteral("callbacks_on(worker) == 100") << true << 100.0;
        QTest::newRow("plural role") << QStringLiteral("callbacks_on(workers) != 0") << true << 100.0;
        QTest::newRow("growth in 3s") << QStringLiteral("thread_growth(workers, 3s) >= 3") << true << 3.0;
        QTest::newRow("growth in 500ms") << QStringLiteral("thread_growth(worker, 500ms) <= 1") << true << 1.0;
        QTest::newRow("cpu of the I/O threads") << QStringLiteral("cpu_ms(io) < 20") << true << 10.0;
        QTest::newRow("cpu, plural role") << QStringLiteral("cpu_ms(io_threads) >= 11") << false << 10.0;
        QTest::newRow("under dispatch") << QStringLiteral("callbacks_under(dispatch) < 1") << true << 0.0;
        QTest::newRow("not measured fails") << QStringLiteral("max(cq_ready) >= 0") << false << std::nan("");
    }

    void evaluate()
    {
        QFETCH(QString, expression);
        QFETCH(bool, passed);
        QFETCH(double, observed);
        const ClaimParse parsed = parseClaim(expression);
        QVERIFY2(parsed.claim, qPrintable(parsed.error));
        const ClaimResult result = evaluateClaim(QStringLiteral("c"), *parsed.claim, expression, history());
        QCOMPARE(result.passed, passed);
        QCOMPARE(result.observed, observed);
    }

    void rejects_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<QString>("message");
        QTest::newRow("no operator") << QStringLiteral("max(threads)") << QStringLiteral("write TERM OP NUMBER");
        QTest::newRow("unknown metric") << QStringLiteral("fibers == 0") << QStringLiteral("unknown metric 'fibers'");
        QTest::newRow("unknown function") << QStringLiteral("avg(threads) == 0") << QStringLiteral("unknown function 'avg'");
        QTest::newRow("bad role") << QStringLiteral("callbacks_on(gpu) == 0") << QStringLiteral("takes a thread role: io, worker");
        QTest::newRow("growth needs a window") << QStringLiteral("thread_growth(workers) > 1") << QStringLiteral("takes a role and a duration");
        QTest::newRow("cpu takes no window") << QStringLiteral("cpu_ms(io, 3s) < 1") << QStringLiteral("cpu_ms() takes only a role");
        QTest::newRow("bad frame") << QStringLiteral("callbacks_under(main) > 1") << QStringLiteral("takes a frame: dispatch, perform_io");
    }

    void rejects()
    {
        QFETCH(QString, expression);
        QFETCH(QString, message);
        const ClaimParse parsed = parseClaim(expression);
        QVERIFY(!parsed.claim);
        QVERIFY2(parsed.error.contains(message), qPrintable(parsed.error));
    }
};

QTEST_GUILESS_MAIN(TestClaims)
#include "tst_claims.moc"
