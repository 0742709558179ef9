#include "model/timeline.h"

#include <algorithm>

namespace porthole::model {

void TimelineLane::setState(std::uint64_t timeNs, std::uint8_t state)
{
    if (m_open) {
        if (m_currentState == state)
            return;
        close(timeNs);
    }
    m_currentStart = timeNs;
    m_currentState = state;
    m_open = true;
}

void TimelineLane::close(std::uint64_t timeNs)
{
    if (!m_open)
        return;
    const Interval closed(m_currentStart, std::max(timeNs, m_currentStart), m_currentState);
    m_intervals.push_back(closed);
    if (closed.state() < Interval::States)
        m_sums[closed.state()] += closed.length();
    if (m_intervals.size() % Block == 0)
        m_blockSums.push_back(m_sums);
    m_open = false;
}

TimelineLane::Durations TimelineLane::durationsBefore(std::size_t index) const
{
    Durations d = m_blockSums[index / Block];
    for (std::size_t i = index / Block * Block; i < index; ++i)
        if (m_intervals[i].state() < Interval::States)
            d[m_intervals[i].state()] += m_intervals[i].length();
    return d;
}

std::vector<LaneBox> TimelineLane::visible(std::uint64_t from, std::uint64_t to, std::uint64_t minWidthNs) const
{
    std::vector<LaneBox> out;
    const auto byEnd = [](const Interval &i, std::uint64_t t) { return i.end() < t; };
    const auto byStart = [](const Interval &i, std::uint64_t t) { return i.start() < t; };
    const auto single = [](const Interval &i) {
        LaneBox b{i.start(), i.end(), i.state(), {}};
        if (i.state() < Interval::States)
            b.share[i.state()] = 1;
        return b;
    };
    // Narrow boxes join the box before them when it is narrow (or folded) too and close by; the
    // shares are weighted by time.
    const auto emit = [&](LaneBox b, bool folded) {
        b.start = std::max(b.start, from);
        b.end = std::min(b.end, to);
        if (b.end < b.start)
            return;
        const bool narrow = folded || b.end - b.start < minWidthNs;
        if (narrow && !out.empty()) {
            LaneBox &last = out.back();
            const bool lastNarrow = last.state == Interval::Mixed || last.end - last.start < minWidthNs;
            if (lastNarrow && b.start - last.end < minWidthNs) {
                const double lastNs = double(last.end - last.start), ns = double(b.end - b.start);
                if (lastNs + ns > 0)
                    for (std::size_t s = 0; s < Interval::States; ++s)
                        last.share[s] = float((last.share[s] * lastNs + b.share[s] * ns) / (lastNs + ns));
                if (last.state != b.state)
                    last.state = Interval::Mixed;
                last.end = b.end;
                return;
            }
        }
        out.push_back(b);
    };
    // Intervals are sorted and do not overlap: the first one that ends at or after `from`.
    auto it = std::lower_bound(m_intervals.begin(), m_intervals.end(), from, byEnd);
    while (it != m_intervals.end() && it->start() <= to) {
        if (it->length() >= minWidthNs) {
            emit(single(*it), false);
            ++it;
            continue;
        }
        // A narrow box: everything that starts within one minimum width of it folds into one box,
        // found by binary search, its shares from the prefix sums. A frame costs O(pixels x log n),
        // not O(intervals in view).
        auto stop = std::lower_bound(it + 1, m_intervals.end(), it->start() + minWidthNs, byStart);
        // Only the last of them can be wide (a wide one ends past the window): it keeps its own box.
        if (stop - it > 1 && (stop - 1)->length() >= minWidthNs)
            --stop;
        LaneBox box = single(*it);
        const bool several = stop - it > 1;
        if (several) {
            box.end = (stop - 1)->end();
            box.state = Interval::Mixed;
            const Durations before = durationsBefore(std::size_t(it - m_intervals.begin()));
            const Durations through = durationsBefore(std::size_t(stop - m_intervals.begin()));
            std::uint64_t total = 0;
            for (std::size_t s = 0; s < Interval::States; ++s)
                total += through[s] - before[s];
            for (std::size_t s = 0; s < Interval::States; ++s)
                box.share[s] = total > 0 ? float(double(through[s] - before[s]) / double(total)) : 0.f;
        }
        emit(box, several);
        it = stop;
    }
    if (m_open && m_currentStart <= to)
        emit(single(Interval(m_currentStart, std::max(to, m_currentStart), m_currentState)), false);
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

void TimelineData::moveThreadOfRole(std::uint32_t thread, trace::ThreadRole role, int state, double t)
{
    if (thread >= m_roleStateOf.size())
        m_roleStateOf.resize(thread + 1, -1);
    const int old = m_roleStateOf[thread];
    if (old == state)
        return;
    auto &series = m_roleInState[std::size_t(role)];
    auto &count = m_roleStateCount[std::size_t(role)];
    if (old >= 0)
        series[std::size_t(old)].add(t, double(--count[std::size_t(old)]));
    if (state >= 0 && state < int(States))
        series[std::size_t(state)].add(t, double(++count[std::size_t(state)]));
    m_roleStateOf[thread] = std::int16_t(state);
}

TimelineData::TimelineData()
{
    // Threads by state flip every few microseconds in a busy loop: at 1 ms they draw as a dense band that
    // cost a frame 4.5 ms more at 10 M events (frame_ms 12.1 against 7.5); at 50 ms, 0.3 ms more. Each
    // 50 ms keeps its peak and where it ended, and a state held longer than that shows exactly.
    constexpr double StateCountResolutionS = 0.05;
    for (Series &series : m_inState)
        series.resolutionS = StateCountResolutionS;
    for (auto &role : m_roleInState)
        for (Series &series : role)
            series.resolutionS = StateCountResolutionS;
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
    // The event's time in seconds only where a point is added: the division was a fifth of the fold.
    const auto record = [this, &e](Series &series, double &last, double now) {
        if (now != last)
            series.add(toSeconds(e.timeNs), last = now);
    };
    switch (e.type) {
    case trace::EventType::ThreadCreated:
    case trace::EventType::ThreadExited:
    case trace::EventType::ThreadState: {
        const double t = toSeconds(e.timeNs);
        const ThreadView &thread = after.threads[e.thread];
        record(m_threadCount, m_threads, double(after.lessonThreads()));
        // The counts by state are the lesson's threads too: Porthole's own and the kernel's stay out.
        const bool counted = isLessonRole(thread.role);
        if (thread.alive) {
            m_lanes[e.thread].setState(e.timeNs, std::uint8_t(thread.state));
            moveThread(e.thread, counted ? int(thread.state) : -1, t);
            moveThreadOfRole(e.thread, thread.role, int(thread.state), t);
        } else {
            m_lanes[e.thread].close(e.timeNs);
            moveThread(e.thread, -1, t);
            moveThreadOfRole(e.thread, thread.role, -1, t);
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
