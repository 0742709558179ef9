#pragma once

#include "scenario/comparison.h"
#include "scenario/pairs.h"

#include <QMainWindow>
#include <QTimer>

#include <array>

class QLabel;
class QTableWidget;
class QAction;
class QJsonObject;

namespace porthole::ui {

class Session;
class MachineView;
class TimelineView;

// Two runs side by side (`porthole compare`): each in a process of its own, started together; the
// machine views side by side, the timelines one above the other on one time axis (zoom, pan and the
// cursor move both), and a table beneath that compares them. Or a saved pair, replayed.
class CompareWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit CompareWindow(QWidget *parent = nullptr);
    ~CompareWindow() override;

    void setProgram(const QString &program); // the porthole executable the runs are started with
    void runPair(const scenario::ScenarioPair &pair);
    QString openPairFile(const QString &path); // empty on success, else what went wrong (the window says so too)
    QString savePairFile(const QString &path);
    QString exportTimelinePicture(const QString &path, QSize size = {1920, 1080});
    void stop();

    Session &session(int side) { return *m_sessions[std::size_t(side)]; }
    TimelineView *timeline(int side) const { return m_timelines[std::size_t(side)]; }
    QTableWidget *summary() const { return m_summary; }
    QString label(int side) const { return m_labels[std::size_t(side)]; }
    void refreshSummary(); // what the frame timer does
    // Each run alone, one after the other, for as long as they ran together: how much running together
    // changed each one's completions per second. Asynchronous: measuredAlone() follows.
    void measureAlone();
    QString disturbanceJson() const { return m_savedComparison; }

signals:
    void measuredAlone(double largestChange); // a fraction: 0.12 = 12%

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildToolbar();
    void syncCursor(int from); // the other side's cursor to this side's moment
    void setLabels(const QString &a, const QString &b);
    void saveDialog();
    void openDialog();
    void exportDialog();
    void measureNextAlone(); // runs side m_aloneSide alone, then the next
    void showDisturbance(const QJsonObject &disturbance, bool recorded);

    std::array<Session *, 2> m_sessions{};
    std::array<MachineView *, 2> m_machines{};
    std::array<TimelineView *, 2> m_timelines{};
    std::array<QLabel *, 2> m_headers{};
    std::array<QLabel *, 2> m_timelineHeaders{};
    std::array<QString, 2> m_labels;
    std::array<scenario::LatencyFold, 2> m_latency;
    std::array<std::size_t, 2> m_latencyFolded{};
    QTableWidget *m_summary = nullptr;
    QLabel *m_note = nullptr;
    QAction *m_pauseAction = nullptr;
    QString m_program;
    QString m_title;
    QString m_savedComparison; // a re-opened pair's figures as recorded (its disturbance measurement)
    scenario::ScenarioPair m_pair;
    bool m_syncing = false;
    Session *m_alone = nullptr; // the run measured alone
    int m_aloneSide = -1;
    double m_aloneSeconds = 0;
    std::array<double, 2> m_togetherRate{}, m_aloneRate{};
    QTimer m_summaryTimer;
};

} // namespace porthole::ui
