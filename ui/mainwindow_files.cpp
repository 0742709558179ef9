// The window's files: scenarios, traces, and the pictures and tables exported from a run.

#include "mainwindow.h"
#include "comparewindow.h"
#include "trace/pairfile.h"

#include <QFile>

#include "scenario/builtins.h"
#include "scenario/scenariofile.h"
#include "session.h"
#include "timelineexport.h"
#include "timelineview.h"
#include "walkthroughpanel.h"
#include "trace/chrometrace.h"
#include "trace/safefile.h"
#include "trace/tracefile.h"

#include <QAction>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QBuffer>
#include <QCoreApplication>
#include <QMenuBar>
#include <QMessageBox>
#include <QSignalBlocker>
#include <QStatusBar>

namespace porthole::ui {

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open scenario…"), QKeySequence::Open, this, &MainWindow::openScenarioFile);
    file->addAction(tr("&Save a copy of the scenario…"), QKeySequence::Save, this, &MainWindow::saveScenarioCopy);
    file->addSeparator();
    file->addAction(tr("Open &trace…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), this, &MainWindow::openTraceDialog);
    file->addAction(tr("Save t&race…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S), this, &MainWindow::saveTraceDialog);
    file->addSeparator();
    file->addAction(tr("Export &timeline…"), QKeySequence(Qt::CTRL | Qt::Key_E), this, [this] { exportTimelinePicture(false); });
    file->addAction(tr("Export timeline for a &slide…"), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_E), this, [this] { exportTimelinePicture(true); })
        ->setToolTip(tr("1920x1080, text for the back row, the lesson's claim as subtitle, the claims marked on the run"));
    file->addAction(tr("Export &window as PNG…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E), this, &MainWindow::exportWindowDialog);
    file->addAction(tr("Export &metrics as CSV…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M), this, &MainWindow::exportMetricsDialog);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    buildViewMenu();
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Porthole"), this, [this] {
        QMessageBox box(this);
        box.setWindowTitle(tr("About Porthole"));
        box.setIconPixmap(windowIcon().pixmap(96, 96));
        box.setText(tr("<h3>Porthole %1</h3><p>Watch asynchronous I/O happen: a real io_uring engine with the contract of "
                       "an I/O completion port, the .NET thread pool's designs on real threads, and every claim checked "
                       "on the running engine.</p><p>Nothing on screen is faked: everything shown comes from the recorded "
                       "trace.</p>")
                        .arg(QCoreApplication::applicationVersion()));
        box.exec();
    });
}

void MainWindow::reportFileResult(const QString &what, const QString &path, const QString &error)
{
    if (!error.isEmpty())
        QMessageBox::warning(this, what, error);
    else
        statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
}

QString MainWindow::saveTraceFile(const QString &path)
{
    const trace::Trace trace = m_session->trace();
    if (trace.events.empty())
        return tr("%1: nothing to save yet: run a scenario first").arg(path);
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != QLatin1String("porthole") && suffix != QLatin1String("json"))
        return tr("%1: a trace is saved as .porthole (Porthole re-opens it) or .json (Chrome Trace, for Perfetto)").arg(path);
    const std::string why = suffix == QLatin1String("json") ? trace::saveChromeTrace(trace, path.toStdString())
                                                            : trace::saveTrace(trace, path.toStdString());
    return QString::fromStdString(why);
}

QString MainWindow::openTraceFile(const QString &path)
{
    {
        if (trace::isPairFile(path.toStdString())) {
            auto *compare = new CompareWindow; // two runs: they re-open side by side
            compare->setAttribute(Qt::WA_DeleteOnClose);
            if (const QString why = compare->openPairFile(path); !why.isEmpty()) {
                delete compare;
                return why;
            }
            compare->show();
            return {};
        }
    }
    const trace::TraceLoadResult load = trace::loadTrace(path.toStdString());
    if (!load.trace)
        return QString::fromStdString(load.error);
    m_session->loadTrace(*load.trace, QFileInfo(path).fileName());
    m_walkthrough->restart();
    showWalkthroughIfAny();
    {
        const QSignalBlocker quiet(m_picker); // the picker names the recorded lesson; the summary stays the replay's
        selectScenario(m_session->scenario().id);
    }
    m_summary->setText(tr("<b>Replay of %1</b> (%4) — a recorded run: %2 events, %3 threads. Shift+click or ← → to move through it.")
                           .arg(QFileInfo(path).fileName().toHtmlEscaped())
                           .arg(load.trace->events.size())
                           .arg(load.trace->threads.size())
                           .arg(m_session->scenario().title.toHtmlEscaped()));
    m_timeline->showWholeRun();
    updateStatus();
    return {};
}

QString MainWindow::exportWindowPng(const QString &path)
{
    if (QFileInfo(path).suffix().toLower() != QLatin1String("png"))
        return tr("%1: the window is exported as .png").arg(path);
    const QPixmap picture = grab();
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (picture.isNull() || !picture.save(&buffer, "PNG"))
        return tr("%1: the window could not be drawn").arg(path);
    return QString::fromStdString(trace::saveFileSafely(path.toStdString(), std::string_view(bytes.constData(), std::size_t(bytes.size()))));
}

QString MainWindow::exportMetricsCsv(const QString &path)
{
    return model::saveMetricsCsv(m_session->metricsHistory(), path);
}

void MainWindow::saveTraceDialog()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save the trace"), m_session->scenario().id + QStringLiteral(".porthole"),
                                                      tr("Porthole trace (*.porthole);;Chrome Trace JSON for Perfetto (*.json)"));
    if (!path.isEmpty())
        reportFileResult(tr("Cannot save the trace"), path, saveTraceFile(path));
}

void MainWindow::openTraceDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a trace"), QString(), tr("Porthole trace (*.porthole)"));
    if (path.isEmpty())
        return;
    if (const QString why = openTraceFile(path); !why.isEmpty())
        QMessageBox::warning(this, tr("Cannot open the trace"), why);
}

void MainWindow::exportWindowDialog()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the window"), m_session->scenario().id + QStringLiteral("-window.png"),
                                                      tr("PNG pictures (*.png)"));
    if (!path.isEmpty())
        reportFileResult(tr("Cannot export the window"), path, exportWindowPng(path));
}

void MainWindow::exportMetricsDialog()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the metrics"), m_session->scenario().id + QStringLiteral("-metrics.csv"),
                                                      tr("CSV tables (*.csv)"));
    if (!path.isEmpty())
        reportFileResult(tr("Cannot export the metrics"), path, exportMetricsCsv(path));
}

void MainWindow::exportTimelinePicture(bool slide)
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the timeline"), m_session->scenario().id + QStringLiteral(".png"),
                                                      tr("Pictures (*.png *.svg *.pdf)"));
    if (path.isEmpty())
        return;
    const QString title = QStringLiteral("%1 — Porthole").arg(m_session->scenario().title);
    // What the timeline shows now: zoom or pan it first to export a chosen range.
    const TimelinePicture picture{QSize(1920, 1080), title, m_timeline->visibleFromS(), m_timeline->visibleToS(), devicePixelRatioF(), slide};
    if (const QString why = exportTimeline(*m_session, path, picture); !why.isEmpty())
        QMessageBox::warning(this, tr("Cannot export the timeline"), why);
    else
        statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
}

void MainWindow::saveScenarioCopy()
{
    // The running scenario with what was changed live, or the picked one.
    scenario::Scenario copy;
    if (m_session->isRunning()) {
        copy = m_session->scenario();
    } else {
        const scenario::ScenarioLoad load = scenario::loadScenario(m_picker->currentData().toString());
        if (!load.scenario)
            return;
        copy = *load.scenario;
        copy.traffic.messagesPerSecond = m_rate->value();
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Save a copy of the scenario"), copy.id + QStringLiteral("-copy.json"),
                                                      tr("Scenarios (*.json)"));
    if (path.isEmpty())
        return;
    copy.id += QStringLiteral("-copy");
    if (const QString why = scenario::saveScenarioFile(copy, path); !why.isEmpty())
        QMessageBox::warning(this, tr("Cannot save the scenario"), why);
    else
        statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
}

void MainWindow::openScenarioFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a scenario"), QString(), tr("Scenarios (*.json)"));
    if (path.isEmpty())
        return;
    const scenario::ScenarioLoad load = scenario::loadScenarioFile(path);
    if (!load.scenario) {
        QMessageBox::warning(this, tr("This scenario file has errors"), load.errors.join(QLatin1Char('\n')));
        return;
    }
    runScenario(*load.scenario);
}

} // namespace porthole::ui
