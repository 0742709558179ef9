#pragma once

#include "model/interpreter.h"
#include "model/timeline.h"
#include "trace/tracestore.h"

#include <vector>

namespace porthole::model {

// The state of the run at any event, rebuilt from the trace. Events arrive in time order (live:
// appended at frame rate; replay: all at once). A checkpoint every CheckpointEvery events or more makes
// seeking anywhere cost at most that many applied events (about 8 ns each).
class StateModel
{
public:
    static constexpr std::size_t CheckpointEvery = 65536;
    // A checkpoint copies the state: a large one (10,000 sockets: ~800 KB) comes after as many events as
    // it has bytes / CheckpointBytesPerEvent, so that checkpoints cost at most ~2 bytes per event
    // (10,000 sockets: one per ~400,000 events, a seek replays at most ~3 ms of events).
    static constexpr std::size_t CheckpointBytesPerEvent = 2;
    // All checkpoints together stay within this: past it every other one is dropped and the spacing of
    // the next ones doubles. Memory for checkpoints stops growing with the run; a seek into a long run
    // replays at most twice as many events for every halving.
    static constexpr std::size_t CheckpointBudgetBytes = std::size_t(256) << 20;
    void setCheckpointBudget(std::size_t bytes) { m_checkpointBudget = bytes; } // before the first event
    std::size_t checkpointCount() const { return m_checkpoints.size(); }

    void reset(const std::vector<trace::ThreadInfo> &threads);
    // Where the timeline's seconds count from (steady-clock ns; 0: the first event). Before any event.
    void setTimeOrigin(std::uint64_t originNs) { m_timeline.reset(originNs); }
    void setThreads(const std::vector<trace::ThreadInfo> &threads); // names and ids of threads seen so far
    void setNames(trace::Vocabulary vocabulary, std::vector<std::string> strings); // the trace's, as it grows
    void append(const std::vector<trace::Event> &events);

    const std::vector<trace::ThreadInfo> &threadInfo() const { return m_threadInfo; }
    std::uint64_t revision() const { return m_revision; } // changes whenever anything a state shows may have
    const trace::Vocabulary &vocabulary() const { return m_vocabulary; }
    const std::vector<std::string> &strings() const { return m_strings; }
    std::string_view string(std::uint64_t id) const { return id < m_strings.size() ? std::string_view(m_strings[id]) : std::string_view(); }
    const MetricsHistory &history() const { return m_interpreter.history(); }
    const TimelineData &timeline() const { return m_timeline; } // lanes and graphs, from the same fold
    std::size_t eventCount() const { return m_events.size(); }
    const trace::EventLog &events() const { return m_events; }
    // Moves on the spilling of old events once nothing is appended (see trace::EventLog::keepSpilling);
    // true while some is still to do.
    bool keepSpilling() { m_events.keepSpilling(); return m_events.spillsPending(); }
    std::uint64_t firstTimeNs() const { return m_events.empty() ? 0 : m_events.front().timeNs; }
    std::uint64_t lastTimeNs() const { return m_events.empty() ? 0 : m_events.back().timeNs; }

    ModelState stateAt(std::size_t eventIndex) const; // after applying events [0, eventIndex)
    const ModelState &latest() const { return m_interpreter.state(); }
    std::size_t indexAtTime(std::uint64_t timeNs) const; // events with time <= timeNs
    // The event index just after the next (or previous) packet handed to a thread: one step of a completion.
    std::size_t nextDequeue(std::size_t from) const;
    std::size_t previousDequeue(std::size_t from) const;

private:
    void nameThreads(ModelState &state) const;
    void thinCheckpoints();

    std::vector<trace::ThreadInfo> m_threadInfo;
    trace::EventLog m_events; // in chunks: appending live never copies what is held
    std::vector<ModelState> m_checkpoints; // states after some events (their eventIndex), in order; [0] = none
    std::size_t m_sinceCheckpoint = 0;
    std::size_t m_checkpointEvery = CheckpointEvery; // set at each checkpoint, from the size of the state copied
    std::size_t m_checkpointBytes = 0;               // of all checkpoints, as approximateBytes() counts
    std::size_t m_checkpointSpacing = 1;             // doubled each time the checkpoints are thinned
    std::size_t m_checkpointBudget = CheckpointBudgetBytes;
    std::uint64_t m_revision = 0;
    Interpreter m_interpreter;             // the state after every event, and the metrics
    TimelineData m_timeline;
    trace::Vocabulary m_vocabulary = trace::Vocabulary::current();
    std::vector<std::string> m_strings;
};

} // namespace porthole::model
