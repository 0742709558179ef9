// Every file under tests/data/bad-traces: the window either refuses it with a message or replays it,
// and the cursor moves across the whole of it while every view draws. No crash, no hang.

#include "callstackview.h"
#include "claimsview.h"
#include "mainwindow.h"
#include "session.h"
#include "timelineexport.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace porthole;

class TestBadTraces : public QObject
{
    Q_OBJECT

private slots:
    void openAndScrub_data()
    {
        QTest::addColumn<QString>("path");
        const QDir dir(QStringLiteral(PORTHOLE_BAD_TRACES));
        const QStringList files = dir.entryList(QDir::Files);
        QVERIFY(files.size() >= 8);
        for (const QString &file : files)
            QTest::newRow(qPrintable(file)) << dir.filePath(file);
    }

    void openAndScrub()
    {
        QFETCH(QString, path);
        ui::MainWindow window;
        window.resize(1280, 720);
        window.show();
        const QString error = window.openTraceFile(path);
        if (!error.isEmpty()) {
            QVERIFY2(error.contains(QFileInfo(path).fileName()), qPrintable(error)); // names the file
            return;
        }
        window.callstackView()->setNativeNames(false);
        const std::size_t events = window.session().model().eventCount();
        const std::size_t step = std::max<std::size_t>(1, events / 40);
        for (std::size_t at = 0; at <= events; at += step) {
            window.session().setCursorIndex(at);
            (void)window.grab(); // every view paints this moment
        }
        window.callstackView()->setNativeNames(true);
        window.session().setCursorIndex(events);
        (void)window.grab();
        window.session().stepBack();
        window.session().step();
        QTemporaryDir dir;
        QCOMPARE(ui::exportTimeline(window.session(), dir.filePath(QStringLiteral("t.png")), {QSize(800, 450), QStringLiteral("bad"), -1, -1, 1}),
                 QString());
    }
};

QTEST_MAIN(TestBadTraces)
#include "tst_badtraces.moc"
