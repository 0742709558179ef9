#pragma once

#include "scenario/walkthrough.h"

#include <QElapsedTimer>
#include <QEvent>
#include <QWidget>

class QButtonGroup;
class QGroupBox;
class QLabel;
class QPushButton;
class QVBoxLayout;

namespace porthole::ui {

class Session;

// Plays the running scenario's walkthrough: narration, Back / Next, the step's condition watched in
// the live run (the run pauses when it holds), and predict-then-reveal questions. Where the learner
// got to is remembered between launches.
class WalkthroughPanel : public QWidget
{
    Q_OBJECT

public:
    explicit WalkthroughPanel(Session &session, QWidget *parent = nullptr);
    const scenario::Walkthrough &walkthrough() const { return m_walkthrough; }
    void next();
    void back();
    void choose(int choice);
    bool pausedTheRun() const { return m_pausedRun; }
    // The session's scenario's walkthrough from step 1, offering to resume where this learner left it
    // (a replay has none).
    void restart();
    int resumeOffered() const { return m_resumeStep; } // the step index a "Resume at step N" button offers, or -1
    void resumeSaved();
    bool heldForPrediction() const { return m_heldForPrediction; }

signals:
    void highlightRequested(const QString &area); // sockets, queue, threads, callstacks, timeline, claims or empty

private:
    void onFrame();
    void showStep();
    void showVerdict();
    void releaseHold(); // lets a run held for a prediction go on
    bool eventFilter(QObject *watched, QEvent *event) override;

    Session &m_session;
    scenario::Walkthrough m_walkthrough;
    scenario::MetricsHistory m_history; // the run's samples so far: only new ones are fetched
    QElapsedTimer m_lastCheck;
    bool m_pausedRun = false; // the walkthrough paused the run: Next lets it go on
    bool m_heldForPrediction = false; // a question step holds the run at its start until the learner predicts
    int m_resumeStep = -1;
    QLabel *m_heading = nullptr;
    QLabel *m_narration = nullptr;
    QLabel *m_watch = nullptr;
    QGroupBox *m_question = nullptr;
    QVBoxLayout *m_choicesLayout = nullptr;
    QButtonGroup *m_choices = nullptr;
    QLabel *m_verdict = nullptr;
    QLabel *m_sources = nullptr; // where the step's facts come from
    QPushButton *m_back = nullptr;
    QPushButton *m_next = nullptr;
    QPushButton *m_resume = nullptr;
};

} // namespace porthole::ui
