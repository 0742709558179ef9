#pragma once

#include "framepacer.h"
#include "model/statemodel.h"
#include "scenario/claims.h"
#include "scenario/scenario.h"
#include "trace/tracestore.h"

#include <QObject>
#include <QTimer>

#include <memory>

namespace porthole::scenario {
class RunSource;
}

namespace porthole::ui {

// What the window shows and does, without the window: the run (live, from a Runner) or a loaded
// trace, the model rebuilt from its events, the cursor, and the transport commands. It pulls new
// events at frame rate; widgets read from it on the GUI thread only.
class Session : public QObject
{
    Q_OBJECT

public:
    static constexpr int FrameMs = 16;
    static constexpr std::uint64_t SettleNs = 100'000'000; // stay this far behind the newest event while live
    // A frame folds new events for what the views' refresh and painting leave of it (FramePacer), a
    // slice at a time: a slice folds in well under a millisecond.
    static constexpr std::size_t FoldSlice = 4096;

    explicit Session(QObject *parent = nullptr);
    ~Session() override;

    void start(const scenario::Scenario &scenario); // asynchronous: started() follows
    // Runs compared side by side each run in a process of their own: `program` is the porthole
    // executable (empty: in this process, the default).
    void setRunInOwnProcess(const QString &program) { m_ownProcessProgram = program; }
    // Where the time axis starts (steady-clock ns): two sessions side by side share one. 0: the first event.
    void setTimeOrigin(std::uint64_t originNs) { m_timeOrigin = originNs; }
    std::uint64_t cursorTimeNs() const; // the time of the event at the cursor (the newest while following)
    void loadTrace(const trace::Trace &trace, const QString &name = QString()); // replay a recorded run in every view
    bool isReplay() const { return m_replay; }
    trace::Trace trace() const; // live: all recorded so far; otherwise what the views hold
    void stop();
    bool isRunning() const { return m_runner != nullptr; }
    bool isStarting() const { return m_starting; }
    const scenario::Scenario &scenario() const { return m_scenario; }

    void pause();
    void resume();
    void togglePause();
    bool isPaused() const { return m_paused; }
    void step();     // live: one completion through the gate; replay: the cursor to the next completion
    void stepBack(); // the cursor to the previous completion (leaves live)
    void setSlowMotion(double factor);
    // Traffic stops while paused (the default) or keeps arriving, so steps find completions.
    void setTrafficDuringPause(bool flows);
    void setMessagesPerSecond(double rate); // live: the traffic rate; kept in scenario() for "save a copy"
    void setThreadLimits(const runtime::ThreadLimits &limits); // live: SetMinThreads / SetMaxThreads, recorded in the trace
    double slowMotion() const { return m_slowMotion; }

    void followLive();
    bool isFollowingLive() const { return m_following; }
    void setCursorIndex(std::size_t index);
    void setCursorTime(std::uint64_t timeNs);
    std::size_t cursorIndex() const;
    const model::ModelState &cursorState() const { return m_cursorState; }

    const model::StateModel &model() const { return m_model; }
    const model::TimelineData &timeline() const { return m_model.timeline(); }
    QList<scenario::ClaimResult> claims() const;
    scenario::MetricsHistory metricsHistory() const; // the interpreter's rows of the events the model holds
    scenario::MetricsHistory metricsSince(qsizetype from) const; // the samples from index `from` on
    std::uint64_t droppedEvents() const;
    std::size_t threadsHeldAtGate() const; // at the cursor: threads the sampler saw held by pause before their next dequeue
    double completionsPerSecond() const;

    void pullNow(); // what the frame timer does; public for tests
    // Live: waits on the collector's watermark until every event recorded before timeNs is in the
    // trace, then takes them all into the model (for tests and exports that need "everything up to now").
    bool pullThrough(std::uint64_t timeNs);

    // Presenter's spotlight: one thread (its index in the model) stands out in every view; -1 = none.
    void setSpotlight(int threadIndex);
    int spotlight() const { return m_spotlight; }

signals:
    void started(const QString &error); // empty on success
    void stopped();
    void failed(const QString &why); // the run's results cannot be trusted (its socket helper died or was stopped)
    void frame(); // the model or the cursor moved: repaint

private:
    void onStarted(scenario::RunSource *runner, const QString &error, quint64 job);
    void refreshCursorState();
    void take(const std::vector<trace::Event> &events); // live: new events of the runner into the model
    void nameThreadsAndStrings(); // the runner's threads and strings so far into the model

    scenario::Scenario m_scenario;
    std::unique_ptr<scenario::RunSource> m_runner;
    QString m_ownProcessProgram;
    std::uint64_t m_timeOrigin = 0;
    bool m_starting = false;
    quint64 m_job = 0;
    model::StateModel m_model;
    std::size_t m_pulled = 0;
    bool m_following = true;
    std::size_t m_cursor = 0;
    model::ModelState m_cursorState;
    std::uint64_t m_cursorRevision = ~0ull; // the model's revision m_cursorState was taken at
    bool m_paused = false;
    bool m_trafficDuringPause = false;
    double m_slowMotion = 1;
    bool m_replay = false;
    int m_spotlight = -1;
    bool m_failureReported = false;
    std::uint64_t m_droppedInTrace = 0;
    QTimer m_frameTimer;
    QTimer m_spillTimer; // after a load or a stop: until the model's old events are all spilled
    FramePacer m_pacer;
};

} // namespace porthole::ui
