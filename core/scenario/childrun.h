#pragma once

#include "scenario/runsource.h"
#include "scenario/scenario.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace porthole::scenario {

// A run in a process of its own (`porthole run FILE --headless --stream`), watched through its run
// stream: runs compared side by side each get their own port, threads, helper, thread count and
// resident memory, as two programs would. The process's events arrive settled and in order.
class ChildRun : public RunSource
{
public:
    // program: the porthole executable; durationS: how long the child runs unless stopped earlier.
    ChildRun(Scenario scenario, QString program, double durationS = 3600);
    ~ChildRun() override; // stops the child (and kills it if it does not end in time)

    QString start() override; // blocks until the child has set its run up (or failed to)
    void stop() override;     // asks the child to stop and waits for its last events
    void pause() override;
    void resume() override;
    void step() override;
    void setTrafficDuringPause(bool flows) override;
    void setSlowMotion(double factor) override;
    void setMessagesPerSecond(double rate) override;
    void setThreadLimits(const runtime::ThreadLimits &limits) override;

    QString failure() const override;
    std::vector<trace::Event> eventsSince(std::size_t from, std::uint64_t settleNs, std::size_t limit = All) const override;
    std::vector<trace::ThreadInfo> threads() const override;
    std::vector<std::string> strings() const override;
    std::uint64_t droppedEvents() const override;
    bool waitUntilDrained(std::uint64_t timeNs, std::chrono::milliseconds timeout) const override;
    trace::Trace trace() const override;
    std::uint64_t drainedThroughNs() const override;
    const Scenario &scenario() const override { return m_scenario; }

    bool hasEnded() const; // the child sent its last frame (or died)
    qint64 processId() const;

private:
    void ioLoop(); // owns the QProcess: reads frames, writes commands
    void send(std::string command);
    void onFrame(char kind, const std::string &payload);

    Scenario m_scenario;
    QString m_program;
    double m_durationS;
    QString m_scenarioFile; // the scenario as the child reads it; removed with this object
    std::thread m_io;

    mutable std::mutex m_mutex; // guards everything below
    mutable std::condition_variable m_changed;
    std::deque<std::string> m_commands;
    trace::Trace m_trace;
    std::uint64_t m_watermarkNs = 0;
    bool m_started = false, m_ended = false, m_stopRequested = false;
    QString m_startError;
    QString m_failure;
    QString m_stderrTail; // the child's last words on stderr, for an error message
    qint64 m_pid = 0;
};

} // namespace porthole::scenario
