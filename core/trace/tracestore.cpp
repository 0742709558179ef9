#include "trace/tracestore.h"

#include <algorithm>

namespace porthole::trace {

namespace {
bool earlier(const Event &a, const Event &b) { return a.timeNs < b.timeNs; }

// A drained batch is a few runs already in time order, one per ring, drained in turn: merging them pairwise
// orders it in fewer passes than sorting it whole, and keeps events of equal time in the order they came
// (a moment's events in the order its thread recorded them). `scratch` is the other buffer of each pass.
void sortRuns(std::vector<Event> &batch, std::vector<Event> &scratch)
{
    std::vector<std::size_t> bounds{0};
    for (std::size_t i = 1; i < batch.size(); ++i)
        if (earlier(batch[i], batch[i - 1]))
            bounds.push_back(i);
    bounds.push_back(batch.size());
    while (bounds.size() > 2) {
        scratch.resize(batch.size());
        std::vector<std::size_t> merged{0};
        std::size_t k = 0;
        for (; k + 2 < bounds.size(); k += 2) {
            std::merge(batch.begin() + std::ptrdiff_t(bounds[k]), batch.begin() + std::ptrdiff_t(bounds[k + 1]),
                       batch.begin() + std::ptrdiff_t(bounds[k + 1]), batch.begin() + std::ptrdiff_t(bounds[k + 2]),
                       scratch.begin() + std::ptrdiff_t(bounds[k]), earlier);
            merged.push_back(bounds[k + 2]);
        }
        if (k + 1 < bounds.size()) { // an odd run left: carried over as it is
            std::copy(batch.begin() + std::ptrdiff_t(bounds[k]), batch.end(), scratch.begin() + std::ptrdiff_t(bounds[k]));
            merged.push_back(batch.size());
        }
        batch.swap(scratch);
        bounds = std::move(merged);
    }
}
} // namespace

void TraceStore::append(std::vector<Event> &batch)
{
    if (batch.empty())
        return;
    std::lock_guard appendLock(m_appendMutex);
    sortRuns(batch, m_scratch);
    std::lock_guard lock(m_mutex);
    const auto oldSize = std::ptrdiff_t(m_events.size());
    m_events.append(batch);
    // Only the tail newer than the batch's first event can be out of order: merge just that part. It is
    // found from the end by doubling steps, not by a binary search over the whole store, which would
    // read pages of old, spilled chunks back into memory on every drain.
    std::ptrdiff_t step = 1, low = oldSize;
    while (low > 0 && earlier(batch.front(), m_events[std::size_t(low - 1)])) {
        low = std::max<std::ptrdiff_t>(0, oldSize - step);
        step *= 2;
    }
    const auto firstLate = std::upper_bound(m_events.begin() + low, m_events.begin() + oldSize, batch.front(), earlier);
    if (firstLate != m_events.begin() + oldSize)
        m_events.noteWrite(std::size_t(firstLate - m_events.begin())); // events move from there on
    std::inplace_merge(firstLate, m_events.begin() + oldSize, m_events.end(), earlier);
    batch.clear();
}

std::size_t TraceStore::eventCount() const
{
    std::lock_guard lock(m_mutex);
    return m_events.size();
}

std::vector<Event> TraceStore::copyEvents(std::size_t from, std::size_t limit) const
{
    std::lock_guard lock(m_mutex);
    return m_events.copy(from, from + std::min(limit, m_events.size() - std::min(from, m_events.size())));
}

std::vector<Event> TraceStore::copyEventsBefore(std::size_t from, std::uint64_t before, std::size_t limit) const
{
    std::lock_guard lock(m_mutex);
    if (from >= m_events.size())
        return {};
    const auto last = m_events.begin() + std::ptrdiff_t(from + std::min(limit, m_events.size() - from));
    const auto end = std::lower_bound(m_events.begin() + std::ptrdiff_t(from), last, before,
                                      [](const Event &e, std::uint64_t t) { return e.timeNs < t; });
    return m_events.copy(from, std::size_t(end - m_events.begin()));
}

Trace TraceStore::snapshot(const TraceRecorder &recorder) const
{
    Trace trace;
    trace.threads = recorder.threads();
    trace.events = copyEvents();
    trace.droppedEvents = recorder.droppedEvents();
    trace.strings = recorder.strings();
    return trace;
}

} // namespace porthole::trace
