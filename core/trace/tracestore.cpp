#include "trace/tracestore.h"

#include <algorithm>

namespace porthole::trace {

namespace {
bool earlier(const Event &a, const Event &b) { return a.timeNs < b.timeNs; }
} // namespace

void TraceStore::append(std::vector<Event> &batch)
{
    if (batch.empty())
        return;
    std::stable_sort(batch.begin(), batch.end(), earlier);
    std::lock_guard lock(m_mutex);
    const auto oldSize = std::ptrdiff_t(m_events.size());
    m_events.append(batch.begin(), batch.end());
    // Only the tail newer than the batch's first event can be out of order: merge just that part. It is
    // found from the end by doubling steps, not by a binary search over the whole store, which would
    // read pages of old, spilled chunks back into memory on every drain.
    std::ptrdiff_t step = 1, low = oldSize;
    while (low > 0 && earlier(batch.front(), m_events[std::size_t(low - 1)])) {
        low = std::max<std::ptrdiff_t>(0, oldSize - step);
        step *= 2;
    }
    const auto firstLate = std::upper_bound(m_events.begin() + low, m_events.begin() + oldSize, batch.front(), earlier);
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
