#include "mainwindow.h"

#include "callstackview.h"
#include "claimsview.h"
#include "machineview.h"
#include "scenario/builtins.h"
#include "scenario/pairs.h"
#include "scenario/realdotnetrun.h"
#include "scenario/scenariofile.h"
#include "comparewindow.h"
#include "session.h"
#include "highlightframe.h"
#include "timelineview.h"
#include "walkthroughpanel.h"

#include <QAction>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QSignalBlocker>
#include <QKeyEvent>
#include <QLabel>
#include <QMessageBox>
#include <QScreen>
#include <QApplication>
#include <QPlainTextEdit>
#include <QTextEdit>
#include <QAbstractSpinBox>
#include <QLineEdit>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QVBoxLayout>

namespace porthole::ui {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_session(new Session(this))
{
    setWindowTitle(tr("Porthole — watch asynchronous I/O happen"));
    qApp->installEventFilter(this);
    m_machine = new MachineView(*m_session);
    m_timeline = new TimelineView(*m_session);
    m_callstacks = new CallstackView(*m_session);
    m_claims = new ClaimsView(*m_session);

    auto *stacksPage = new QWidget;
    auto *stacksLayout = new QVBoxLayout(stacksPage);
    stacksLayout->setContentsMargins(0, 0, 0, 0);
    auto *native = new QCheckBox(tr("Native names"));
    native->setToolTip(tr("This process's own function names instead of the .NET names the runtime shows"));
    connect(native, &QCheckBox::toggled, m_callstacks, &CallstackView::setNativeNames);
    stacksLayout->addWidget(native);
    stacksLayout->addWidget(m_callstacks);
    auto *tabs = m_tabs = new QTabWidget;
    tabs->addTab(stacksPage, tr("Callstacks"));
    tabs->addTab(m_claims, tr("Claims"));

    auto *top = new QSplitter(Qt::Horizontal);
    top->addWidget(m_machine);
    top->addWidget(tabs);
    top->setStretchFactor(0, 3);
    top->setStretchFactor(1, 2);
    top->setSizes({55, 45}); // shares until shown: the callstacks need room for whole names
    auto *main = m_mainSplitter = new QSplitter(Qt::Vertical);
    main->addWidget(top);
    main->addWidget(m_timeline);
    main->setStretchFactor(0, 1);
    main->setStretchFactor(1, 1);
    main->setSizes({50, 50}); // shares until shown: the timeline gets half, whatever the views' size hints
    auto *central = new QWidget;
    auto *centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    centralLayout->addWidget(main, 1);
    setCentralWidget(central); // the key hints go below the views (buildMenus)

    m_walkthrough = new WalkthroughPanel(*m_session);
    m_walkthroughDock = new QDockWidget(tr("Walkthrough"), this);
    m_walkthroughDock->setObjectName(QStringLiteral("walkthrough"));
    m_walkthroughDock->setWidget(m_walkthrough);
    m_walkthroughDock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable);
    addDockWidget(Qt::RightDockWidgetArea, m_walkthroughDock);
    m_highlight = new HighlightFrame(this);
    connect(m_walkthrough, &WalkthroughPanel::highlightRequested, this, &MainWindow::showHighlight);

    m_baseFontPoints = font().pointSizeF() > 0 ? font().pointSizeF() : 10;
    buildToolbar();
    buildMenus();
    m_status = new QLabel;
    m_status->setMinimumWidth(1); // a long status is cut, it never widens the window
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    statusBar()->addWidget(m_status, 1);
    connect(m_session, &Session::frame, this, &MainWindow::updateStatus);
    connect(m_session, &Session::failed, this, [this](const QString &why) {
        m_summary->setText(tr("<b>This run cannot be trusted:</b> %1. Stop it and run it again.").arg(why.toHtmlEscaped()));
        statusBar()->showMessage(tr("The run cannot be trusted: %1").arg(why));
    });
    connect(m_session, &Session::started, this, [this](const QString &error) {
        if (!error.isEmpty())
            QMessageBox::warning(this, tr("Cannot start the scenario"), error);
        else
            showWalkthroughIfAny();
        m_runAction->setEnabled(true);
        updateStatus();
    });
    connect(m_session, &Session::stopped, this, &MainWindow::updateStatus);
    // Opens within the screen and uses it: nearly all of a 1280x720 projector or a 1920x1080 monitor.
    const QSize room = screen() ? screen()->availableGeometry().size() * 0.95 : QSize(1500, 900);
    resize(QSize(1900, 1200).boundedTo(room));
    updateStatus();
}

MainWindow::~MainWindow() { m_session->stop(); }

void MainWindow::buildToolbar()
{
    QToolBar *bar = addToolBar(tr("Transport"));
    bar->setMovable(false);
    m_picker = new QComboBox;
    for (const QString &id : scenario::builtinScenarioIds()) {
        const scenario::ScenarioLoad load = scenario::loadScenario(id);
        if (load.scenario)
            m_picker->addItem(load.scenario->title, id);
    }
    // Pairs run side by side in a window of their own.
    m_picker->insertSeparator(m_picker->count());
    for (const QString &id : scenario::builtinPairIds()) {
        const scenario::PairLoad load = scenario::loadBuiltinPair(id);
        if (load.pair)
            m_picker->addItem(tr("Side by side: %1").arg(load.pair->title), QStringLiteral("pair:") + id);
    }
    bar->addWidget(m_picker);
    m_runAction = bar->addAction(tr("Run"), this, &MainWindow::runSelected);
    m_runAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    // Esc stops the run; in presenter mode it first leaves full screen, as a slide show does.
    QAction *stop = bar->addAction(tr("Stop"), this, [this] { m_presenter ? setPresenterMode(false) : m_session->stop(); });
    stop->setShortcut(QKeySequence(Qt::Key_Escape));
    stop->setToolTip(tr("Stop the run (Esc; in presenter mode Esc leaves it first)"));
    bar->addWidget(new QLabel(tr("  traffic ")));
    m_rate = new QDoubleSpinBox;
    m_rate->setRange(0, 1e6);
    m_rate->setDecimals(0);
    m_rate->setSuffix(tr(" msg/s"));
    m_rate->setToolTip(tr("Messages per second the peer process writes; changes a running scenario at once"));
    connect(m_rate, &QDoubleSpinBox::valueChanged, m_session, &Session::setMessagesPerSecond);
    bar->addWidget(m_rate);
    bar->addSeparator();
    // The keys are in the tooltips and on the key hints bar (F1); the window handles them itself.
    m_pauseAction = bar->addAction(tr("Pause/play"), m_session, &Session::togglePause);
    m_pauseAction->setToolTip(tr("Freeze the run: no dequeue, no callback, no new thread, timers and traffic stopped; "
                                 "or let it go on (Space)"));
    bar->addAction(tr("◀ Back"), m_session, &Session::stepBack)->setToolTip(tr("The cursor to the previous completion (←)"));
    bar->addAction(tr("Step ▶"), m_session, &Session::step)->setToolTip(tr("Exactly one callback: one completion to one thread (→)"));
    bar->addAction(tr("Slower"), this, [this] { m_session->setSlowMotion(m_session->slowMotion() * 2); })->setToolTip(tr("Slow motion ×2 (−)"));
    bar->addAction(tr("Faster"), this, [this] { m_session->setSlowMotion(m_session->slowMotion() / 2); })->setToolTip(tr("Towards real time (+)"));
    bar->addAction(tr("Live"), m_session, &Session::followLive)->setToolTip(tr("Back to the newest moment (L)"));
    m_speedLabel = new QLabel;
    bar->addWidget(m_speedLabel);
    m_summary = new QLabel;
    m_summary->setWordWrap(true);
    m_summary->setMinimumWidth(420);
    auto *summaryBar = m_summaryBar = new QToolBar(tr("Scenario"));
    summaryBar->setMovable(false);
    summaryBar->addWidget(m_summary);
    addToolBarBreak();
    addToolBar(summaryBar);
    connect(m_picker, &QComboBox::currentIndexChanged, this, [this] {
        if (const QString data = m_picker->currentData().toString(); data.startsWith(QLatin1String("pair:"))) {
            const scenario::PairLoad pair = scenario::loadBuiltinPair(data.mid(5));
            m_summary->setText(pair.pair ? QStringLiteral("<b>%1</b> — %2<br><small>%3</small>")
                                               .arg(pair.pair->title, pair.pair->summary,
                                                    tr("Run opens both side by side, each in a process of its own"))
                                         : pair.errors.join(QLatin1Char('\n')));
            return;
        }
        const scenario::ScenarioLoad load = scenario::loadScenario(m_picker->currentData().toString());
        if (!load.scenario) {
            m_summary->clear();
            return;
        }
        const scenario::Scenario &sc = *load.scenario;
        const QSignalBlocker quiet(m_rate);
        m_rate->setValue(sc.traffic.messagesPerSecond);
        const auto &cb = sc.runtime.callback;
        const QString runtimeName = scenario::runtimeLabel(sc);
        QString params = tr("runtime %1 · %2 sockets").arg(runtimeName).arg(sc.sockets);
        // The rate box steers uniform and hot-socket traffic; a burst sends one message per socket each period.
        const bool burst = sc.traffic.pattern == workload::TrafficOptions::Pattern::Burst;
        m_rate->setEnabled(sc.trafficEnabled && !burst);
        if (sc.trafficEnabled && burst)
            params += tr(" · a message to every socket every %1 s").arg(double(sc.traffic.burstPeriod.count()) / 1000);
        else if (sc.trafficEnabled)
            params += tr(" · %1 msg/s").arg(sc.traffic.messagesPerSecond);
        else
            params += tr(" · no traffic");
        if (sc.runtime.portConcurrency)
            params += tr(" · port concurrency %1").arg(sc.runtime.portConcurrency);
        if (cb.blockEvery)
            params += cb.blockEvery == 1 ? tr(" · every callback blocks %1 ms").arg(cb.blockFor.count())
                                         : tr(" · every %1. callback blocks %2 ms").arg(cb.blockEvery).arg(cb.blockFor.count());
        if (cb.offloadToWorker)
            params += tr(" · work offloaded");
        if (sc.timers.count)
            params += tr(" · %1 timers").arg(sc.timers.count);
        if (sc.posts.count)
            params += tr(" · %1 posts").arg(sc.posts.count);
        m_summary->setText(QStringLiteral("<b>%1</b> — %2<br><small>%3</small>").arg(sc.title, sc.summary, params));
    });
    emit m_picker->currentIndexChanged(m_picker->currentIndex());
}

bool MainWindow::selectScenario(const QString &id)
{
    const int index = m_picker->findData(id);
    if (index < 0)
        return false;
    m_picker->setCurrentIndex(index);
    return true;
}

void MainWindow::runSelected()
{
    if (const QString data = m_picker->currentData().toString(); data.startsWith(QLatin1String("pair:"))) {
        const scenario::PairLoad pair = scenario::loadBuiltinPair(data.mid(5));
        if (!pair.pair) {
            QMessageBox::warning(this, tr("Cannot load the pair"), pair.errors.join(QLatin1Char('\n')));
            return;
        }
        auto *compare = new CompareWindow;
        compare->setAttribute(Qt::WA_DeleteOnClose);
        compare->show();
        compare->runPair(*pair.pair);
        return;
    }
    const scenario::ScenarioLoad load = scenario::loadScenario(m_picker->currentData().toString());
    if (!load.scenario) {
        QMessageBox::warning(this, tr("Cannot load the scenario"), load.errors.join(QLatin1Char('\n')));
        return;
    }
    m_runAction->setEnabled(false);
    scenario::Scenario chosen = *load.scenario;
    chosen.traffic.messagesPerSecond = m_rate->value();
    m_session->start(chosen);
    updateStatus();
}

void MainWindow::runScenario(const scenario::Scenario &scenario)
{
    // The toolbar says what runs: the picker shows its entry (a file gets one of its own) and the rate
    // box its rate — not those of the scenario picked before.
    const bool ownFile = !scenario.sourcePath.isEmpty() && scenario.sourcePath != scenario::builtinScenarioPath(scenario.id);
    int index = ownFile ? m_picker->findData(scenario.sourcePath) : m_picker->findData(scenario.id);
    if (index < 0 && ownFile) {
        m_picker->addItem(tr("%1 (%2)").arg(scenario.title, QFileInfo(scenario.sourcePath).fileName()), scenario.sourcePath);
        index = m_picker->count() - 1;
    }
    if (index >= 0)
        m_picker->setCurrentIndex(index); // its handler sets the rate box as the file says
    {
        const QSignalBlocker quiet(m_rate);
        m_rate->setValue(scenario.traffic.messagesPerSecond); // as this run has it (a --runtime or a live change)
    }
    m_summary->setText(QStringLiteral("<b>%1</b> — %2<br><small>%3</small>").arg(scenario.title, scenario.summary, scenario.sourcePath));
    m_runAction->setEnabled(false);
    m_session->start(scenario);
    updateStatus();
}

void MainWindow::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Space: m_session->togglePause(); break;
    case Qt::Key_Right:
        if (event->modifiers() & Qt::ShiftModifier)
            m_timeline->pan(0.2);
        else
            m_session->step();
        break;
    case Qt::Key_Left:
        if (event->modifiers() & Qt::ShiftModifier)
            m_timeline->pan(-0.2);
        else
            m_session->stepBack();
        break;
    case Qt::Key_Plus:
    case Qt::Key_Equal: m_session->setSlowMotion(m_session->slowMotion() / 2); break;
    case Qt::Key_Minus: m_session->setSlowMotion(m_session->slowMotion() * 2); break;
    case Qt::Key_L: m_session->followLive(); break;
    case Qt::Key_M: // mark the cursor's moment: the timeline then measures from it to the cursor
        m_timeline->setMark(double(m_session->cursorState().timeNs - m_session->timeline().originNs()) / 1e9);
        break;
    case Qt::Key_BracketLeft: m_timeline->zoom(1.5); break;
    case Qt::Key_BracketRight: m_timeline->zoom(1 / 1.5); break;
    default: QMainWindow::keyPressEvent(event); return;
    }
    updateStatus();
}

bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() != QEvent::KeyPress || !watched->isWidgetType())
        return QMainWindow::eventFilter(watched, event);
    auto *widget = static_cast<QWidget *>(watched);
    auto *key = static_cast<QKeyEvent *>(event);
    const bool runKey = key->key() == Qt::Key_Space || key->key() == Qt::Key_Left || key->key() == Qt::Key_Right || key->key() == Qt::Key_Plus
                        || key->key() == Qt::Key_Equal || key->key() == Qt::Key_Minus || key->key() == Qt::Key_BracketLeft
                        || key->key() == Qt::Key_BracketRight || key->key() == Qt::Key_L || key->key() == Qt::Key_M;
    const bool typing = qobject_cast<QLineEdit *>(widget) || qobject_cast<QAbstractSpinBox *>(widget) || qobject_cast<QTextEdit *>(widget)
                        || qobject_cast<QPlainTextEdit *>(widget);
    const bool plain = !(key->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier));
    if (runKey && plain && !typing && widget != this && widget->window() == this) {
        keyPressEvent(key);
        return true;
    }
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    m_session->stop();
    event->accept();
}

void MainWindow::updateStatus()
{
    const model::ModelState &s = m_session->cursorState();
    m_speedLabel->setText(m_session->slowMotion() > 1 ? tr("  slow motion ×%1  ").arg(m_session->slowMotion()) : tr("  real time  "));
    QString mode = m_session->isStarting() ? tr("starting…")
                   : m_session->isRunning() ? (m_session->isPaused() ? tr("PAUSED") : tr("live"))
                                            : tr("stopped");
    for (const model::ThreadView &t : s.threads) // a real runtime's run: which runtime, as it named itself
        if (const QString version = scenario::observedRuntimeVersion(t.name); t.role == trace::ThreadRole::Porthole && !version.isEmpty())
            mode += tr(" · observed from %1").arg(version);
    if (!m_session->isFollowingLive())
        mode += tr(" · replay at %1 s").arg(double(s.timeNs - m_session->model().firstTimeNs()) / 1e9, 0, 'f', 3);
    m_status->setText(tr("%1   ·   pending ops %2   ·   threads %3   ·   %4 callbacks/s   ·   callbacks %5   ·   dequeued from the port %6   ·   dropped events %7")
                          .arg(mode)
                          .arg(s.pendingOps)
                          .arg(s.lessonThreads())
                          .arg(qRound(m_session->completionsPerSecond()))
                          .arg(s.callbacks)
                          .arg(s.dequeued)
                          .arg(m_session->droppedEvents()));
}

} // namespace porthole::ui
