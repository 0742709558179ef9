#pragma once

#include <QMainWindow>

class QComboBox;
class QLabel;
class QAction;
class QDockWidget;
class QDoubleSpinBox;
class QTabWidget;
class QSplitter;
class QToolBar;

namespace porthole::scenario {
struct Scenario;
}

namespace porthole::ui {

class Session;
class KeyHintsLabel;
class MachineView;
class TimelineView;
class CallstackView;
class ClaimsView;
class HighlightFrame;
class WalkthroughPanel;
enum class Theme;

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    Session &session() { return *m_session; }
    MachineView *machineView() const { return m_machine; }
    CallstackView *callstackView() const { return m_callstacks; }
    ClaimsView *claimsView() const { return m_claims; }
    TimelineView *timelineView() const { return m_timeline; }
    WalkthroughPanel *walkthroughPanel() const { return m_walkthrough; }
    bool selectScenario(const QString &id); // a built-in id; false if unknown
    void runSelected();
    void runScenario(const scenario::Scenario &scenario); // e.g. one of the user's own files

    // Files; each returns an empty string on success, else what went wrong (the window also says so).
    QString saveTraceFile(const QString &path);    // .porthole (re-opens in Porthole) or .json (Chrome Trace, Perfetto)
    QString openTraceFile(const QString &path);    // replays in every view
    QString exportWindowPng(const QString &path);  // the whole window, as on screen
    QString exportMetricsCsv(const QString &path); // every metric of every sample of the run

    // Presenter mode: full screen, everything larger, the keys on screen.
    void setPresenterMode(bool on);
    bool presenterMode() const { return m_presenter; }
    void setScale(double scale); // of every font in the window, 0.75 to 3
    double scale() const { return m_scale; }
    void setTheme(Theme theme);
    void setKeyHintsVisible(bool visible);
    void showHighlight(const QString &area); // the walkthrough's "look here"

protected:
    void keyPressEvent(QKeyEvent *event) override;
    // The run's keys (Space, arrows, + / −, [ ], L, M) act on the run whatever has focus in this window
    // (a tab bar, a list), except where text is typed.
    bool eventFilter(QObject *watched, QEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    void buildToolbar();
    void buildMenus();
    void buildViewMenu();
    void updateStatus();
    void openScenarioFile();
    void saveScenarioCopy();
    void exportTimelinePicture(bool slide); // what the timeline shows, as PNG, SVG or PDF, 1920x1080 (styled for a slide)
    void saveTraceDialog();
    void openTraceDialog();
    void exportWindowDialog();
    void exportMetricsDialog();
    void reportFileResult(const QString &what, const QString &path, const QString &error);

    Session *m_session = nullptr;
    MachineView *m_machine = nullptr;
    TimelineView *m_timeline = nullptr;
    CallstackView *m_callstacks = nullptr;
    ClaimsView *m_claims = nullptr;
    WalkthroughPanel *m_walkthrough = nullptr;
    QDockWidget *m_walkthroughDock = nullptr;
    QTabWidget *m_tabs = nullptr;
    QSplitter *m_mainSplitter = nullptr; // the views above, the timeline below
    QToolBar *m_summaryBar = nullptr;
    QString m_highlightArea;             // what the walkthrough's step points at
    HighlightFrame *m_highlight = nullptr;
    QWidget *m_keyHints = nullptr;
    QAction *m_themeActions[3] = {}; // View menu: light, dark, high contrast (in Theme's order)
    KeyHintsLabel *m_keyHintsLabel = nullptr;
    bool m_presenter = false;
    void updatePresenterPanels(); // presenter mode shows the panels the current step needs
    // The walkthrough panel for a run that has one; a run without gives its room to the views (F2 opens it).
    void showWalkthroughIfAny();
    double m_scale = 1;
    double m_baseFontPoints = 10;
    QComboBox *m_picker = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_speedLabel = nullptr;
    QDoubleSpinBox *m_rate = nullptr;
    QLabel *m_status = nullptr;
    QAction *m_runAction = nullptr;
    QAction *m_pauseAction = nullptr;
};

} // namespace porthole::ui
