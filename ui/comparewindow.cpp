#include "comparewindow.h"

#include "machineview.h"
#include "session.h"
#include "timelineexport.h"
#include "timelineview.h"

#include "scenario/scenariofile.h"
#include "trace/pairfile.h"

#include <QAction>
#include <QCloseEvent>
#include <QCoreApplication>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QScreen>
#include <QMessageBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTableWidget>
#include <QToolBar>
#include <QVBoxLayout>

#include <cmath>
#include <functional>

namespace porthole::ui {

namespace {

QString figure(double v, int decimals = 0)
{
    return std::isnan(v) ? QObject::tr("not measured") : QLocale().toString(v, 'f', decimals);
}

} // namespace

CompareWindow::CompareWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_program(QCoreApplication::applicationFilePath())
{
    setWindowTitle(tr("Porthole — side by side"));
    auto *machines = new QSplitter(Qt::Horizontal);
    auto *timelines = new QSplitter(Qt::Vertical);
    for (int i = 0; i < 2; ++i) {
        auto *session = m_sessions[i] = new Session(this);
        m_machines[i] = new MachineView(*session);
        m_machines[i]->setMinimumSize(240, 120); // two side by side fit a small screen
        m_timelines[i] = new TimelineView(*session);
        m_headers[i] = new QLabel;
        m_headers[i]->setWordWrap(true);
        QFont bold = m_headers[i]->font();
        bold.setBold(true);
        bold.setPointSizeF(bold.pointSizeF() * 1.15);
        m_headers[i]->setFont(bold);
        auto *column = new QWidget;
        auto *layout = new QVBoxLayout(column);
        layout->setContentsMargins(4, 4, 4, 0);
        layout->addWidget(m_headers[i]);
        layout->addWidget(m_machines[i], 1);
        machines->addWidget(column);
        m_timelineHeaders[i] = new QLabel;
        m_timelineHeaders[i]->setFont(bold);
        auto *lane = new QWidget;
        auto *laneLayout = new QVBoxLayout(lane);
        laneLayout->setContentsMargins(4, 2, 4, 0);
        laneLayout->setSpacing(0);
        laneLayout->addWidget(m_timelineHeaders[i]);
        laneLayout->addWidget(m_timelines[i], 1);
        timelines->addWidget(lane);
        // The timelines end at the later run's newest event while live: both show the same seconds.
        m_timelines[i]->setLiveEnd([this, i] {
            const Session &other = *m_sessions[1 - i];
            return other.timeline().toSeconds(std::max(other.timeline().originNs(), other.model().lastTimeNs()));
        });
        connect(session, &Session::frame, this, [this, i] {
            syncCursor(i);
            // One scale for both: the same number of threads is the same height in A and B.
            const TimelineView::ScaleFloor a = TimelineView::scaleOf(*m_sessions[0]), b = TimelineView::scaleOf(*m_sessions[1]);
            const TimelineView::ScaleFloor both{std::max(a.threads, b.threads), std::max(a.queue, b.queue), std::max(a.rate, b.rate)};
            // One time axis: the same second at the same x in A and B.
            const int margin = std::max(m_timelines[0]->axisLeftMargin(), m_timelines[1]->axisLeftMargin());
            for (TimelineView *t : m_timelines) {
                t->setScaleFloor(both);
                t->setMinimumAxisLeftMargin(margin);
            }
        });
        connect(session, &Session::failed, this, [this, i](const QString &why) {
            statusBar()->showMessage(tr("%1: the run cannot be trusted: %2").arg(m_labels[i], why));
        });
        connect(session, &Session::started, this, [this, i](const QString &error) {
            if (!error.isEmpty())
                QMessageBox::warning(this, tr("Porthole"), tr("%1 could not start:\n%2").arg(m_labels[i], error));
        });
    }
    m_timelines[1]->removeKeys(); // A's keys serve both
    for (TimelineView *t : m_timelines)
        t->setChartShares(1.2, 1.0, 0.6); // side by side, the thread counts are what differs most
    // Zoom and pan move both time axes.
    for (int i = 0; i < 2; ++i)
        connect(m_timelines[i], &TimelineView::visibleRangeChanged, this, [this, i](double fromS, double toS) {
            if (m_syncing)
                return;
            m_syncing = true;
            m_timelines[1 - i]->setVisibleRange(fromS, toS);
            m_syncing = false;
        });
    m_summary = new QTableWidget;
    m_summary->setColumnCount(2);
    m_summary->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_summary->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_summary->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_note = new QLabel;
    m_note->setWordWrap(true);
    auto *bottom = new QWidget;
    auto *bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(4, 0, 4, 4);
    bottomLayout->addWidget(m_note);
    bottomLayout->addWidget(m_summary, 1);

    auto *main = new QSplitter(Qt::Vertical);
    main->addWidget(machines);
    main->addWidget(timelines);
    main->addWidget(bottom);
    main->setStretchFactor(0, 2);
    main->setStretchFactor(1, 5);
    main->setStretchFactor(2, 2);
    main->setSizes({26, 52, 22});
    setCentralWidget(main);
    buildToolbar();
    setLabels(tr("A"), tr("B"));
    m_summaryTimer.setInterval(500);
    connect(&m_summaryTimer, &QTimer::timeout, this, &CompareWindow::refreshSummary);
    m_summaryTimer.start();
    const QSize room = screen() ? screen()->availableGeometry().size() : QSize(1600, 1000);
    resize(room);
}

CompareWindow::~CompareWindow() { stop(); }

void CompareWindow::setProgram(const QString &program) { m_program = program; }

void CompareWindow::buildToolbar()
{
    QToolBar *bar = addToolBar(tr("Run"));
    bar->setObjectName(QStringLiteral("compareToolbar"));
    m_pauseAction = bar->addAction(tr("Pause both"), this, [this] {
        const bool pause = !m_sessions[0]->isPaused();
        for (Session *s : m_sessions)
            pause ? s->pause() : s->resume();
        m_pauseAction->setText(pause ? tr("Resume both") : tr("Pause both"));
    });
    m_pauseAction->setShortcut(Qt::Key_Space);
    QAction *live = bar->addAction(tr("Follow live"), this, [this] {
        for (Session *s : m_sessions)
            s->followLive();
    });
    live->setShortcut(Qt::Key_L);
    QAction *zoomIn = bar->addAction(tr("Zoom in"), this, [this] { m_timelines[0]->zoom(0.5); });
    zoomIn->setShortcuts({QKeySequence(Qt::Key_Plus), QKeySequence(Qt::Key_Equal)});
    QAction *zoomOut = bar->addAction(tr("Zoom out"), this, [this] { m_timelines[0]->zoom(2); });
    zoomOut->setShortcut(Qt::Key_Minus);
    bar->addSeparator();
    QAction *again = bar->addAction(tr("Run again"), this, [this] {
        if (!m_pair.sides[0].scenario.id.isEmpty())
            runPair(m_pair);
    });
    again->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    QAction *stopAction = bar->addAction(tr("Stop"), this, &CompareWindow::stop);
    stopAction->setShortcut(QKeySequence(Qt::Key_Escape));
    QAction *alone = bar->addAction(tr("Measure each alone"), this, &CompareWindow::measureAlone);
    alone->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M));
    alone->setToolTip(tr("Run A alone, then B alone, as long as they ran together: how much did running together change them? (Ctrl+M)"));
    bar->addSeparator();
    QAction *open = bar->addAction(tr("Open pair…"), this, &CompareWindow::openDialog);
    open->setShortcut(QKeySequence::Open);
    QAction *save = bar->addAction(tr("Save pair…"), this, &CompareWindow::saveDialog);
    save->setShortcut(QKeySequence::Save);
    QAction *exportAction = bar->addAction(tr("Export timeline…"), this, &CompareWindow::exportDialog);
    exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    QAction *close = new QAction(tr("Close"), this);
    close->setShortcut(QKeySequence::Close);
    connect(close, &QAction::triggered, this, &QWidget::close);
    addAction(close);
}

void CompareWindow::setLabels(const QString &a, const QString &b)
{
    m_labels = {a, b};
    for (int i = 0; i < 2; ++i) {
        m_headers[i]->setText(QStringLiteral("%1: %2").arg(QChar(u'A' + i)).arg(m_labels[i]));
        m_timelineHeaders[i]->setText(m_headers[i]->text());
    }
    m_summary->setHorizontalHeaderLabels({QStringLiteral("A: ") + a, QStringLiteral("B: ") + b});
}

void CompareWindow::runPair(const scenario::ScenarioPair &pair)
{
    stop();
    m_pair = pair;
    m_title = pair.title;
    m_savedComparison.clear();
    setWindowTitle(tr("%1 — Porthole, side by side").arg(pair.title));
    setLabels(pair.sides[0].label, pair.sides[1].label);
    // One time axis: both count from now, on the machine's monotonic clock that both processes stamp with.
    const std::uint64_t origin = trace::nowNs();
    for (int i = 0; i < 2; ++i) {
        m_latency[std::size_t(i)] = {};
        m_latencyFolded[std::size_t(i)] = 0;
        Session &s = *m_sessions[std::size_t(i)];
        s.setRunInOwnProcess(m_program);
        s.setTimeOrigin(origin);
        s.start(pair.sides[std::size_t(i)].scenario);
    }
    m_pauseAction->setText(tr("Pause both"));
    m_note->setText(tr("Each run is a process of its own (its own port, threads, socket helper and memory), started together; "
                       "they share this machine's cores (Ctrl+M: measure each alone)."));
}

void CompareWindow::stop()
{
    for (Session *s : m_sessions)
        if (s)
            s->stop();
}

void CompareWindow::syncCursor(int from)
{
    if (m_syncing)
        return;
    Session &a = *m_sessions[std::size_t(from)];
    Session &b = *m_sessions[std::size_t(1 - from)];
    if (a.isFollowingLive()) {
        if (!b.isFollowingLive()) {
            m_syncing = true;
            b.followLive();
            m_syncing = false;
        }
        return;
    }
    const std::uint64_t t = a.cursorTimeNs();
    if (!b.isFollowingLive() && b.model().indexAtTime(t) == b.cursorIndex())
        return;
    m_syncing = true;
    b.setCursorTime(t);
    m_syncing = false;
}

void CompareWindow::refreshSummary()
{
    std::array<scenario::RunFigures, 2> figures;
    for (std::size_t i = 0; i < 2; ++i) {
        const Session &s = *m_sessions[i];
        const auto &events = s.model().events();
        if (events.size() < m_latencyFolded[i]) { // a new run or a loaded pair
            m_latency[i] = {};
            m_latencyFolded[i] = 0;
        }
        for (std::size_t e = m_latencyFolded[i]; e < events.size(); ++e)
            m_latency[i].apply(events[e]);
        m_latencyFolded[i] = events.size();
        figures[i] = scenario::figuresOf(s.scenario(), s.metricsHistory(), m_latency[i], m_labels[i]);
    }
    struct Row {
        QString name;
        std::function<QString(std::size_t)> value;
    };
    const std::vector<Row> rows = {
        {tr("threads of the lesson: at the cursor · most"), [&](std::size_t i) {
             return tr("%1 · %2").arg(figure(double(m_sessions[i]->cursorState().lessonThreads())), figure(m_sessions[i]->timeline().threadCount().maxValue));
         }},
        {tr("threads of its process: most (/proc)"), [&](std::size_t i) { return figure(figures[i].maxThreads); }},
        {tr("resident memory of its process: most"), [&](std::size_t i) {
             return std::isnan(figures[i].maxResidentMiB) ? figure(figures[i].maxResidentMiB) : tr("%1 MiB").arg(figure(figures[i].maxResidentMiB, 1));
         }},
        {tr("completions per second"), [&](std::size_t i) { return figure(figures[i].completionsPerS); }},
        {tr("callback latency p50 / p99 (completion reaped → callback)"), [&](std::size_t i) {
             return figures[i].latencySamples == 0 ? tr("not measured: this runtime reaps no completion (epoll readiness or blocking receives)")
                                                   : tr("%1 / %2 µs").arg(figure(figures[i].latencyP50Us, 1), figure(figures[i].latencyP99Us, 1));
         }},
        {tr("pending operations: most"), [&](std::size_t i) { return figure(figures[i].maxPendingOps); }},
        {tr("claims that hold"), [&](std::size_t i) {
             QStringList failed;
             for (const scenario::ClaimResult &c : figures[i].claims)
                 if (!c.passed)
                     failed << c.name;
             return tr("%1 of %2").arg(figures[i].claimsPassed).arg(figures[i].claimsTotal)
                    + (failed.isEmpty() ? QString() : tr(" (not yet: %1)").arg(failed.join(QStringLiteral("; "))));
         }},
    };
    m_summary->setRowCount(int(rows.size()));
    for (int r = 0; r < int(rows.size()); ++r) {
        m_summary->setVerticalHeaderItem(r, new QTableWidgetItem(rows[std::size_t(r)].name));
        for (int c = 0; c < 2; ++c) {
            const QString text = rows[std::size_t(r)].value(std::size_t(c));
            QTableWidgetItem *item = m_summary->item(r, c);
            if (!item)
                m_summary->setItem(r, c, item = new QTableWidgetItem);
            if (item->text() != text)
                item->setText(text);
        }
    }
}

QString CompareWindow::openPairFile(const QString &path)
{
    trace::PairLoadResult loaded = trace::loadPair(path.toStdString());
    if (!loaded.pair) {
        const QString why = QString::fromStdString(loaded.error);
        statusBar()->showMessage(why);
        return why;
    }
    stop();
    trace::TracePair &pair = *loaded.pair;
    const std::uint64_t origin = scenario::pairOriginNs(pair.runs[0], pair.runs[1]);
    for (std::size_t i = 0; i < 2; ++i) {
        m_sessions[i]->setTimeOrigin(origin);
        m_sessions[i]->loadTrace(pair.runs[i], QFileInfo(path).fileName());
        m_latencyFolded[i] = ~std::size_t(0); // start the fold over
    }
    m_pair = {};
    for (std::size_t i = 0; i < 2; ++i)
        m_pair.sides[i] = {m_sessions[i]->scenario(), QString::fromStdString(pair.labels[i])};
    m_title = QFileInfo(path).fileName();
    setWindowTitle(tr("%1 — Porthole, side by side").arg(m_title));
    setLabels(QString::fromStdString(pair.labels[0]), QString::fromStdString(pair.labels[1]));
    m_savedComparison = QString::fromStdString(pair.comparisonJson);
    const QJsonObject disturbance = QJsonDocument::fromJson(m_savedComparison.toUtf8()).object().value(QStringLiteral("disturbance")).toObject();
    if (disturbance.isEmpty())
        m_note->setText(tr("A recorded pair: each run was a process of its own, started together. How much they disturbed each other was not measured."));
    else
        showDisturbance(disturbance, true);
    for (TimelineView *t : m_timelines)
        t->showWholeRun();
    m_timelines[0]->setVisibleRange(m_timelines[0]->visibleFromS(), std::max(m_timelines[0]->visibleToS(), m_timelines[1]->visibleToS()));
    refreshSummary();
    return {};
}

QString CompareWindow::savePairFile(const QString &path)
{
    trace::TracePair pair{{m_sessions[0]->trace(), m_sessions[1]->trace()}, {m_labels[0].toStdString(), m_labels[1].toStdString()},
                          m_savedComparison.toStdString()};
    const std::string why = trace::savePair(pair, path.toStdString());
    statusBar()->showMessage(why.empty() ? tr("Saved the pair to %1").arg(path) : QString::fromStdString(why));
    return QString::fromStdString(why);
}

QString CompareWindow::exportTimelinePicture(const QString &path, QSize size)
{
    TimelinePicture picture;
    picture.size = size;
    picture.title = m_title;
    picture.fromS = m_timelines[0]->visibleFromS();
    picture.toS = m_timelines[0]->visibleToS();
    const QString why = exportPairTimeline(*m_sessions[0], *m_sessions[1], m_labels[0], m_labels[1], path, picture);
    statusBar()->showMessage(why.isEmpty() ? tr("Exported the timelines to %1").arg(path) : why);
    return why;
}

void CompareWindow::saveDialog()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save the pair"), QStringLiteral("pair.porthole"), tr("Porthole pair (*.porthole)"));
    if (!path.isEmpty())
        if (const QString why = savePairFile(path); !why.isEmpty())
            QMessageBox::warning(this, tr("Porthole"), why);
}

void CompareWindow::openDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a pair"), QString(), tr("Porthole pair (*.porthole)"));
    if (!path.isEmpty())
        if (const QString why = openPairFile(path); !why.isEmpty())
            QMessageBox::warning(this, tr("Porthole"), why);
}

void CompareWindow::exportDialog()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export both timelines"), QStringLiteral("pair.png"),
                                                      tr("Pictures (*.png *.svg *.pdf)"));
    if (!path.isEmpty())
        if (const QString why = exportTimelinePicture(path); !why.isEmpty())
            QMessageBox::warning(this, tr("Porthole"), why);
}

void CompareWindow::closeEvent(QCloseEvent *event)
{
    stop();
    event->accept();
}

} // namespace porthole::ui
