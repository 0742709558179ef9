// The completion port cases shared with the Windows build (tests/windows, run under Wine), here on
// the io_uring backend.

#include "engine/descriptorlimit.h"
#include "portcases.h"

#include <QTest>

using namespace porthole::testing;

class TestPortCases : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { porthole::engine::raiseDescriptorLimit(); }
    void postsArriveIntact() { PORTHOLE_VERIFY_CASE(porthole::testing::postsArriveIntact()); }
    void waitingPacketsAreCounted() { PORTHOLE_VERIFY_CASE(porthole::testing::waitingPacketsAreCounted()); }
    void concurrencyValueLimitsRunning() { PORTHOLE_VERIFY_CASE(porthole::testing::concurrencyValueLimitsRunning()); }
    void lastWaiterGetsThePacket() { PORTHOLE_VERIFY_CASE(porthole::testing::lastWaiterGetsThePacket()); }
    void thousandPendingReceivesOnOneThread() { PORTHOLE_VERIFY_CASE(porthole::testing::thousandPendingReceivesOnOneThread()); }
    void closeWithPendingLeaksNothing() { PORTHOLE_VERIFY_CASE(porthole::testing::closeWithPendingLeaksNothing()); }
    void cancelledReceiveReportsAborted() { PORTHOLE_VERIFY_CASE(porthole::testing::cancelledReceiveReportsAborted()); }
    void skipCompletionPortOnSuccess() { PORTHOLE_VERIFY_CASE(porthole::testing::skipCompletionPortOnSuccess()); }
};

QTEST_GUILESS_MAIN(TestPortCases)
#include "tst_portcases.moc"
