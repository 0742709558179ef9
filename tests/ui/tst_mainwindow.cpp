#include "mainwindow.h"

#include <QTest>

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void opens()
    {
        porthole::ui::MainWindow window;
        window.show();
        QVERIFY(window.selectScenario(QStringLiteral("there-is-no-thread")));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
