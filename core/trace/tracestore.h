#pragma once

#include "trace/event.h"
#include "trace/eventlog.h"
#include "trace/recorder.h"
#include "trace/vocabulary.h"

#include <cstdint>
#include <mutex>
#include <vector>

namespace porthole::trace {

// A whole trace as values: what files hold. It describes itself: the names of every id its events
// carry, and the scenario that ran, so it reads the same in any later build.
struct Trace {
    std::vector<ThreadInfo> threads;
    std::vector<Event> events; // sorted by timeNs
    std::uint64_t droppedEvents = 0;
    Vocabulary vocabulary = Vocabulary::current();
    std::vector<std::string> strings; // native function names, wait channels: ids in StackPush and KernelState
    std::string scenarioJson;         // the scenario file that ran (empty: none recorded)

    std::string_view string(std::uint64_t id) const { return id < strings.size() ? std::string_view(strings[id]) : std::string_view(); }
};

// Append-only, time-ordered event store fed by the collector; readers take copies.
class TraceStore
{
public:
    // Sorts the batch and merges it behind what is stored (events drained late can be older than the tail).
    void append(std::vector<Event> &batch);

    std::size_t eventCount() const;
    static constexpr std::size_t All = std::size_t(-1);
    std::vector<Event> copyEvents(std::size_t from = 0, std::size_t limit = All) const;
    // Events from `from` on that are older than `before`: a reader that stays behind the newest
    // events by more than a drain never sees a late event land before what it already took.
    std::vector<Event> copyEventsBefore(std::size_t from, std::uint64_t before, std::size_t limit = All) const;
    Trace snapshot(const TraceRecorder &recorder) const; // with this build's vocabulary and the recorder's strings

private:
    std::mutex m_appendMutex; // one append at a time; guards m_scratch. Taken before m_mutex
    std::vector<Event> m_scratch; // append's sorting buffer, kept between appends
    mutable std::mutex m_mutex; // guards m_events: the collector appends, any thread reads
    EventLog m_events;
};

} // namespace porthole::trace
