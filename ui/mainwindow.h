#pragma once

#include <QMainWindow>

class QComboBox;
class QLabel;
class QAction;
class QDoubleSpinBox;

namespace porthole::scenario {
struct Scenario;
}

namespace porthole::ui {

class Session;
class MachineView;
class TimelineView;
class CallstackView;
class ClaimsView;

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
    bool selectScenario(const QString &id); // a built-in id; false if unknown
    void runSelected();
    void runScenario(const scenario::Scenario &scenario); // e.g. one of the user's own files

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    void buildToolbar();
    void updateStatus();
    void openScenarioFile();
    void saveScenarioCopy();
    void exportTimelinePicture(); // the whole run as PNG, SVG or PDF, 1920x1080

    Session *m_session = nullptr;
    MachineView *m_machine = nullptr;
    TimelineView *m_timeline = nullptr;
    CallstackView *m_callstacks = nullptr;
    ClaimsView *m_claims = nullptr;
    QComboBox *m_picker = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_speedLabel = nullptr;
    QDoubleSpinBox *m_rate = nullptr;
    QLabel *m_status = nullptr;
    QAction *m_runAction = nullptr;
    QAction *m_pauseAction = nullptr;
};

} // namespace porthole::ui
