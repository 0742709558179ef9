// The window's looks: presenter mode, scale, themes, key hints, the walkthrough's highlight.

#include "mainwindow.h"

#include "keyhintslabel.h"
#include "threadlimitsdialog.h"

#include "highlightframe.h"
#include "machineview.h"
#include "palette.h"
#include "session.h"
#include "timelineview.h"

#include <QLayout>
#include <QSplitter>
#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QSettings>
#include <QScreen>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QToolBar>

namespace porthole::ui {

namespace {

QPalette widgetPalette(Theme theme)
{
    if (theme == Theme::Light)
        return QApplication::style()->standardPalette();
    QPalette p;
    const bool hc = theme == Theme::HighContrast;
    const QColor window = Palette::background(), text = Palette::text();
    const QColor base = hc ? QColor(Qt::black) : window.darker(130);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, hc ? QColor(0x20, 0x20, 0x20) : window.lighter(120));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, hc ? QColor(Qt::black) : window.lighter(130));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::Highlight, Palette::highlight());
    p.setColor(QPalette::HighlightedText, Qt::black);
    p.setColor(QPalette::Link, hc ? QColor(0x56, 0xB4, 0xE9) : QColor(0x56, 0xB4, 0xE9));
    p.setColor(QPalette::Disabled, QPalette::Text, text.darker(180));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, text.darker(180));
    p.setColor(QPalette::Disabled, QPalette::WindowText, text.darker(180));
    return p;
}

} // namespace

void MainWindow::buildViewMenu()
{
    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *presenter = view->addAction(tr("&Presenter mode"), QKeySequence(Qt::Key_F5), this, [this] { setPresenterMode(!m_presenter); });
    presenter->setToolTip(tr("Full screen, everything larger, the keys on screen"));
    view->addAction(tr("&Full screen"), QKeySequence(Qt::Key_F11), this, [this] { isFullScreen() ? showNormal() : showFullScreen(); });
    view->addSeparator();
    view->addAction(tr("&Larger"), QKeySequence(Qt::CTRL | Qt::Key_Equal), this, [this] { setScale(m_scale * 1.25); });
    view->addAction(tr("&Smaller"), QKeySequence(Qt::CTRL | Qt::Key_Minus), this, [this] { setScale(m_scale / 1.25); });
    view->addAction(tr("&Normal size"), QKeySequence(Qt::CTRL | Qt::Key_0), this, [this] { setScale(1); });
    view->addSeparator();
    QAction *own = view->addAction(tr("Show &Porthole's own threads"));
    own->setCheckable(true);
    own->setToolTip(tr("The scenario driver and the sampler: Porthole's, not the lesson's"));
    connect(own, &QAction::toggled, m_machine, &MachineView::setShowPortholeThreads);
    connect(own, &QAction::toggled, m_timeline, &TimelineView::setShowPortholeThreads);
    QAction *limits = view->addAction(tr("Set min / max &threads…"), QKeySequence(Qt::CTRL | Qt::Key_T), this, [this] {
        if (!m_session->isRunning()) {
            statusBar()->showMessage(tr("Run a lesson first: the limits apply to a running pool"), 5000);
            return;
        }
        ThreadLimitsDialog dialog(m_session->scenario().runtime, this);
        if (dialog.exec() == QDialog::Accepted)
            m_session->setThreadLimits(dialog.limits());
    });
    limits->setToolTip(tr("ThreadPool.SetMinThreads / SetMaxThreads on the running lesson"));
    QAction *traffic = view->addAction(tr("&Traffic flows while paused"));
    traffic->setCheckable(true);
    traffic->setToolTip(tr("Off: a pause stops the traffic too (each step sends one message). On: messages keep "
                           "arriving and pile up in the queue"));
    connect(traffic, &QAction::toggled, m_session, &Session::setTrafficDuringPause);
    view->addSeparator();
    auto *themes = new QActionGroup(this);
    const struct {
        Theme theme;
        QString label;
        QKeySequence key;
    } choices[] = {{Theme::Light, tr("Light theme"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_1)},
                   {Theme::Dark, tr("Dark theme"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_2)},
                   {Theme::HighContrast, tr("High contrast"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_3)}};
    for (const auto &choice : choices) {
        QAction *a = view->addAction(choice.label, choice.key, this, [this, t = choice.theme] { setTheme(t); });
        a->setCheckable(true);
        a->setChecked(choice.theme == Palette::theme());
        themes->addAction(a);
        m_themeActions[int(choice.theme)] = a;
    }
    view->addSeparator();
    view->addAction(tr("&Key hints"), QKeySequence(Qt::Key_F1), this, [this] { setKeyHintsVisible(!m_keyHints->isVisible()); });
    view->addAction(tr("&Walkthrough"), QKeySequence(Qt::Key_F2), this, [this] { m_walkthroughDock->setVisible(!m_walkthroughDock->isVisible()); });
    view->addAction(tr("&Clear the spotlight"), QKeySequence(Qt::Key_Backspace), this, [this] { m_session->setSpotlight(-1); })
        ->setToolTip(tr("Click a thread's card to spotlight it"));

    // The keys that matter in front of a class first: a narrow screen shows fewer, never widens the window.
    m_keyHintsLabel = new KeyHintsLabel({tr("<b>Space</b> pause"), tr("<b>→</b> step"), tr("<b>←</b> back"),
                                         tr("<b>−</b>/<b>+</b> speed"), tr("<b>L</b> live"), tr("<b>[</b> <b>]</b> zoom"),
                                         tr("<b>F5</b>/<b>Esc</b> leave presenter"), tr("<b>Shift+click</b> scrub"),
                                         tr("<b>M</b> mark"), tr("click a thread: spotlight"), tr("<b>F11</b> full screen"),
                                         tr("<b>Ctrl+=</b>/<b>Ctrl+−</b> size"), tr("<b>F1</b> keys")});
    m_keyHints = m_keyHintsLabel; // under the views (a toolbar would move it into its overflow menu)
    centralWidget()->layout()->addWidget(m_keyHints);
    m_keyHints->hide();
    const int saved = QSettings().value(QStringLiteral("view/theme"), int(Theme::Light)).toInt();
    if (saved != int(Theme::Light) && saved <= int(Theme::HighContrast))
        setTheme(Theme(saved));
}

void MainWindow::setPresenterMode(bool on)
{
    m_presenter = on;
    // Larger, as far as the screen allows: x1.15 on a 1280x720 projector, x1.6 on 1920x1080.
    const double screenHeight = screen() ? screen()->geometry().height() : 1080;
    setScale(on ? std::clamp(screenHeight / 720 * 1.1, 1.1, 1.6) : 1);
    setKeyHintsVisible(on); // it says F5 / Esc leave presenter mode
    updatePresenterPanels();
    if (on) {
        showFullScreen();
        if (screen())
            setGeometry(screen()->geometry()); // also where no window manager does it (Xvfb, some kiosks)
    } else {
        showNormal();
    }
    // On a projector the timeline and the callstacks get more room than on a desk.
    const int h = m_mainSplitter->height();
    m_mainSplitter->setSizes(on ? QList<int>{h * 45 / 100, h * 55 / 100} : QList<int>{h / 2, h / 2});
    if (auto *top = qobject_cast<QSplitter *>(m_mainSplitter->widget(0))) {
        const int w = top->width();
        top->setSizes(on ? QList<int>{w * 55 / 100, w * 45 / 100} : QList<int>{w * 3 / 5, w * 2 / 5});
    }
    // The walkthrough's words need about a quarter of the width; the views keep the rest.
    resizeDocks({m_walkthroughDock}, {std::max(300, width() / 4)}, Qt::Horizontal);
}

void MainWindow::showWalkthroughIfAny()
{
    m_walkthroughDock->setVisible(!m_session->scenario().walkthrough.isEmpty());
    updatePresenterPanels();
}

void MainWindow::updatePresenterPanels()
{
    // Presenter mode shows what the step needs: the callstacks or claims only when it points at them;
    // the scenario's summary is the walkthrough's first line.
    const bool tabsNeeded = m_highlightArea == QLatin1String("callstacks") || m_highlightArea == QLatin1String("claims");
    m_tabs->setVisible(!m_presenter || tabsNeeded || !m_walkthroughDock->isVisible());
    m_summaryBar->setVisible(!m_presenter);
}

void MainWindow::setScale(double scale)
{
    m_scale = std::clamp(scale, 0.75, 3.0);
    QFont f = font();
    f.setPointSizeF(m_baseFontPoints * m_scale);
    setFont(f); // every child that keeps the inherited font follows, the custom-painted views too
}

void MainWindow::setTheme(Theme theme)
{
    Palette::setTheme(theme);
    QSettings().setValue(QStringLiteral("view/theme"), int(theme)); // the next launch opens in it
    QApplication::setPalette(widgetPalette(theme));
    m_timeline->applyTheme();
    m_machine->update();
    if (QAction *checked = m_themeActions[int(theme)])
        checked->setChecked(true);
}

void MainWindow::setKeyHintsVisible(bool visible)
{
    m_keyHints->setVisible(visible);
}

void MainWindow::showHighlight(const QString &area)
{
    m_highlightArea = area;
    updatePresenterPanels();
    m_machine->setHighlight(area);
    QWidget *target = nullptr;
    if (area == QLatin1String("callstacks")) {
        m_tabs->setCurrentIndex(0);
        target = m_tabs;
    } else if (area == QLatin1String("claims")) {
        m_tabs->setCurrentIndex(1);
        target = m_tabs;
    } else if (area == QLatin1String("timeline")) {
        target = m_timeline;
    }
    m_highlight->frame(target);
}

} // namespace porthole::ui
