// The completion port cases shared with the Windows build (tests/windows, run under Wine), here on
// the io_uring backend.

#include "engine/descriptorlimit.h"
#include "portcases.h"

#include <QTest>

using namespace porthole::testing;

namespace {
void verify(const CaseResult &r)
{
    if (r.outcome == CaseResult::Skip)
        QSKIP(r.why.c_str());
    QVERIFY2(r.outcome == CaseResult::Pass, r.why.c_str());
}
} // namespace

class TestPortCases : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { porthole::engine::raiseDescriptorLimit(); }
    void postsArriveIntact() { verify(porthole::testing::postsArriveIntact()); }
    void concurrencyValueLimitsRunning() { verify(porthole::testing::concurrencyValueLimitsRunning()); }
    void lastWaiterGetsThePacket() { verify(porthole::testing::lastWaiterGetsThePacket()); }
    void thousandPendingReceivesOnOneThread() { verify(porthole::testing::thousandPendingReceivesOnOneThread()); }
    void closeWithPendingLeaksNothing() { verify(porthole::testing::closeWithPendingLeaksNothing()); }
    void skipCompletionPortOnSuccess() { verify(porthole::testing::skipCompletionPortOnSuccess()); }
};

QTEST_GUILESS_MAIN(TestPortCases)
#include "tst_portcases.moc"
