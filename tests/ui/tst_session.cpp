// The window's logic without the window, on real runs: threads appear, pause holds, step moves
// exactly one completion, scrubbing rebuilds the state at the cursor.

#include "engine/descriptorlimit.h"
#include "scenario/builtins.h"
#include "session.h"

#include <QSignalSpy>
#include <QTest>

using namespace porthole;
using namespace porthole::ui;

namespace {
scenario::Scenario load(const QString &id)
{
    auto loaded = scenario::loadScenario(id);
    return *loaded.scenario;
}

std::size_t aliveWithRole(const model::ModelState &s, trace::ThreadRole role)
{
    std::size_t n = 0;
    for (const auto &t : s.threads)
        n += t.alive && t.role == role;
    return n;
}
} // namespace

class TestSession : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { engine::raiseDescriptorLimit(); }

    void startingShowsTheThreads()
    {
        Session session;
        QSignalSpy started(&session, &Session::started);
        session.start(load(QStringLiteral("dotnet7-pollers")));
        QVERIFY(started.wait(20000));
        QCOMPARE(started.first().first().toString(), QString());
        QTRY_VERIFY_WITH_TIMEOUT(aliveWithRole(session.cursorState(), trace::ThreadRole::Poller) >= 1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(session.cursorState().dequeued > 0, 10000);
        QVERIFY(session.cursorState().sockets.size() == 1000);
        session.stop();
        QVERIFY(!session.isRunning());
    }
};

QTEST_MAIN(TestSession)
#include "tst_session.moc"
