#include "model/timeline.h"

#include <algorithm>

namespace porthole::model {

void TimelineLane::setState(std::uint64_t timeNs, std::uint8_t state)
{
    if (m_open) {
        if (m_current.state == state)
            return;
        close(timeNs);
    }
    m_current = {timeNs, timeNs, state};
    m_open = true;
}

void TimelineLane::close(std::uint64_t timeNs)
{
    if (!m_open)
        return;
    m_current.end = timeNs;
    m_intervals.push_back(m_current);
    m_open = false;
}

std::vector<Interval> TimelineLane::visible(std::uint64_t from, std::uint64_t to, std::uint64_t minWidthNs) const
{
    std::vector<Interval> out;
    const auto byEnd = [](const Interval &i, std::uint64_t t) { return i.end < t; };
    const auto byStart = [](const Interval &i, std::uint64_t t) { return i.start < t; };
    // Narrow boxes join the box before them when it is narrow (or folded) too and close by.
    const auto emit = [&](Interval i, bool folded) {
        i.start = std::max(i.start, from);
        i.end = std::min(i.end, to);
        if (i.end < i.start)
            return;
        const bool narrow = folded || i.end - i.start < minWidthNs;
        if (narrow && !out.empty()) {
            Interval &last = out.back();
            const bool lastNarrow = last.state == Interval::Mixed || last.end - last.start < minWidthNs;
            if (lastNarrow && i.start - last.end < minWidthNs) {
                if (last.state != i.state)
                    last.state = Interval::Mixed;
                last.end = i.end;
                return;
            }
        }
        out.push_back(i);
    };
    // Intervals are sorted and do not overlap: the first one that ends at or after `from`.
    auto it = std::lower_bound(m_intervals.begin(), m_intervals.end(), from, byEnd);
    while (it != m_intervals.end() && it->start <= to) {
        if (it->end - it->start >= minWidthNs) {
            emit(*it, false);
            ++it;
            continue;
        }
        // A narrow box: everything that starts within one minimum width of it folds into one box,
        // found by binary search. A frame costs O(pixels x log n), not O(intervals in view).
        auto stop = std::lower_bound(it + 1, m_intervals.end(), it->start + minWidthNs, byStart);
        // Only the last of them can be wide (a wide one ends past the window): it keeps its own box.
        if (stop - it > 1 && (stop - 1)->end - (stop - 1)->start >= minWidthNs)
            --stop;
        Interval box = *it;
        const bool several = stop - it > 1;
        if (several) {
            box.end = (stop - 1)->end;
            box.state = Interval::Mixed;
        }
        emit(box, several);
        it = stop;
    }
    if (m_open && m_current.start <= to)
        emit({m_current.start, to, m_current.state}, false);
    return out;
}

void TimelineData::moveThread(std::uint32_t thread, int state, double t)
{
    if (thread >= m_stateOf.size())
        m_stateOf.resize(thread + 1, -1);
    const int old = m_stateOf[thread];
    if (old == state)
        return;
    if (old >= 0)
        m_inState[std::size_t(old)].add(t, double(--m_stateCount[std::size_t(old)]));
    if (state >= 0 && state < int(States))
        m_inState[std::size_t(state)].add(t, double(++m_stateCount[std::size_t(state)]));
    m_stateOf[thread] = std::int16_t(state);
}

void TimelineData::reset(std::uint64_t originNs)
{
    *this = TimelineData{};
    m_origin = originNs;
}

void TimelineData::follow(const trace::Event &e, const ModelState &after)
{
    constexpr std::uint64_t Bin = 100'000'000; // completions per second, counted over 100 ms
    if (m_origin == 0)
        m_origin = e.timeNs;
    if (e.thread >= m_lanes.size())
        m_lanes.resize(e.thread + 1);
    const double t = toSeconds(e.timeNs);
    const auto record = [t](Series &series, double &last, double now) {
        if (now != last)
            series.add(t, last = now);
    };
    switch (e.type) {
    case trace::EventType::ThreadCreated:
    case trace::EventType::ThreadExited:
    case trace::EventType::ThreadState: {
        const ThreadView &thread = after.threads[e.thread];
        record(m_threadCount, m_threads, double(after.aliveThreads()));
        if (thread.alive) {
            m_lanes[e.thread].setState(e.timeNs, std::uint8_t(thread.state));
            moveThread(e.thread, int(thread.state), t);
        } else {
            m_lanes[e.thread].close(e.timeNs);
            moveThread(e.thread, -1, t);
        }
        break;
    }
    case trace::EventType::CallbackEnd:
        if (e.timeNs - m_binStart >= Bin) {
            if (m_binStart != 0)
                m_completionsPerS.add(toSeconds(m_binStart + Bin), double(m_binCount) * 1e9 / double(Bin));
            m_binStart = e.timeNs - (e.timeNs - m_origin) % Bin;
            m_binCount = 0;
        }
        ++m_binCount;
        break;
    default:
        break;
    }
    record(m_pendingOps, m_pending, double(after.pendingOps));
    record(m_queueDepth, m_depth, double(after.cqReady + after.portQueue));
}

} // namespace porthole::model
