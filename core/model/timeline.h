#pragma once

#include "model/modelstate.h"
#include "trace/event.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace porthole::model {

// One span of a thread's lane in one trace::ThreadState: 16 bytes, its length and state in one word
// (56 bits of nanoseconds: two years), so a lane costs 2 bytes per event of a busy loop, not 3.
class Interval
{
public:
    static constexpr std::size_t States = std::size_t(trace::ThreadState::Last) + 1;
    static constexpr std::uint8_t Mixed = 255;
    Interval() = default;
    Interval(std::uint64_t start, std::uint64_t end, std::uint8_t state)
        : m_start(start), m_lengthAndState((std::min(end - start, MaxLength) << 8) | state)
    {
    }
    std::uint64_t start() const { return m_start; }
    std::uint64_t end() const { return m_start + (m_lengthAndState >> 8); }
    std::uint64_t length() const { return m_lengthAndState >> 8; }
    std::uint8_t state() const { return std::uint8_t(m_lengthAndState); }

private:
    static constexpr std::uint64_t MaxLength = (std::uint64_t(1) << 56) - 1;
    std::uint64_t m_start = 0;
    std::uint64_t m_lengthAndState = 0;
};
static_assert(sizeof(Interval) == 16);

// What a frame draws of a lane: an interval, or several too narrow to draw one by one folded into
// one box (state Mixed) that says what share of its time the thread spent in each state.
struct LaneBox {
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    std::uint8_t state = 0;
    std::array<float, Interval::States> share{}; // of the box's time, per state; sums to 1
};

// A thread's states over time: sorted, non-overlapping intervals.
class TimelineLane
{
public:
    void setState(std::uint64_t timeNs, std::uint8_t state); // closes the open interval, opens a new one
    void close(std::uint64_t timeNs);
    // The intervals overlapping [from, to] (the open one ends at `to`), with every run of intervals
    // narrower than minWidthNs folded into one Mixed box with each state's share of its time: what a
    // frame draws, whatever the trace size (O(boxes x (log n + Block))).
    std::vector<LaneBox> visible(std::uint64_t from, std::uint64_t to, std::uint64_t minWidthNs) const;
    std::size_t size() const { return m_intervals.size() + (m_open ? 1 : 0); }

private:
    static constexpr std::size_t Block = 32; // intervals per prefix sum
    using Durations = std::array<std::uint64_t, Interval::States>;
    Durations durationsBefore(std::size_t index) const; // time per state of intervals [0, index)

    std::vector<Interval> m_intervals; // closed, sorted by start
    std::vector<Durations> m_blockSums{Durations{}}; // [b]: time per state of intervals [0, b * Block)
    Durations m_sums{};                               // of every closed interval
    bool m_open = false;
    std::uint64_t m_currentStart = 0; // the open interval
    std::uint8_t m_currentState = 0;
};

// A step series (value holds until the next point), for queue depths and counts. Level of detail:
// at most two points per millisecond — its largest value, and the value it ended on — so a graph
// of a ten-million-event trace draws thousands of points, not millions, and spikes stay visible.
// Coarser copies (4, 16 and 64 times the resolution, the same rule) are what a graph zoomed out to
// several buckets per pixel draws: a few points per pixel, whatever the run's length.
struct Series {
    static constexpr double ResolutionS = 0.001;
    static constexpr std::size_t CoarserLevels = 3;
    static constexpr double CoarserFactor = 4;
    struct Points {
        std::vector<double> timeS;
        std::vector<double> value;
        double bucketStart = 0;
    };
    double resolutionS = ResolutionS; // coarser for counts that flip every few microseconds
    std::vector<double> timeS;
    std::vector<double> value;
    double maxValue = 0;
    double at(double t) const // the value at time t (a step series: the last point at or before t), 0 before any
    {
        const auto it = std::upper_bound(timeS.begin(), timeS.end(), t);
        return it == timeS.begin() ? 0 : value[std::size_t(it - timeS.begin()) - 1];
    }
    // Where the last bucket ended (its points keep its peak until the next bucket starts).
    double endValue() const { return m_endValue; }
    double endTime() const { return m_endTime; }
    // Level 0 is timeS and value; level k has buckets CoarserFactor^k times as long.
    double levelResolutionS(std::size_t level) const
    {
        double r = resolutionS;
        for (std::size_t k = 0; k < level; ++k)
            r *= CoarserFactor;
        return r;
    }
    const std::vector<double> &levelTimeS(std::size_t level) const { return level == 0 ? timeS : m_coarser[level - 1].timeS; }
    const std::vector<double> &levelValue(std::size_t level) const { return level == 0 ? value : m_coarser[level - 1].value; }
    void add(double t, double v)
    {
        maxValue = std::max(maxValue, v);
        addToBuckets(timeS, value, m_bucketStart, resolutionS, t, v);
        for (std::size_t k = 0; k < CoarserLevels; ++k)
            addToBuckets(m_coarser[k].timeS, m_coarser[k].value, m_coarser[k].bucketStart, levelResolutionS(k + 1), t, v);
        m_endTime = t;
        m_endValue = v;
    }

private:
    // One bucket keeps its largest value; a new bucket first says where the last one ended, if not at its peak.
    void addToBuckets(std::vector<double> &times, std::vector<double> &values, double &bucketStart, double resolution, double t,
                      double v) const
    {
        if (!values.empty() && t - bucketStart < resolution) {
            values.back() = std::max(values.back(), v);
            return;
        }
        if (!values.empty() && m_endValue != values.back() && m_endTime > times.back()) {
            times.push_back(m_endTime);
            values.push_back(m_endValue);
        }
        times.push_back(t);
        values.push_back(v);
        bucketStart = t;
    }

    double m_bucketStart = 0;
    double m_endTime = 0;
    double m_endValue = 0;
    std::array<Points, CoarserLevels> m_coarser;
};

// Everything the timeline draws. It interprets nothing itself: after the interpreter applied an
// event, follow() records what that event changed of the state (a lane, a count, a depth).
class TimelineData
{
public:
    void reset(std::uint64_t originNs);
    TimelineData();
    void follow(const trace::Event &e, const ModelState &after);

    const std::vector<TimelineLane> &lanes() const { return m_lanes; }
    const Series &queueDepth() const { return m_queueDepth; }
    const Series &pendingOps() const { return m_pendingOps; }
    const Series &threadCount() const { return m_threadCount; }
    const Series &completionsPerS() const { return m_completionsPerS; }
    // How many of the lesson's threads are in each trace::ThreadState over time (threadCount() too
    // counts the lesson's threads only).
    const Series &threadsInState(std::uint8_t state) const { return m_inState[state]; }
    // The same, for one role's threads only: what a folded group of lanes draws.
    const Series &roleThreadsInState(trace::ThreadRole role, std::uint8_t state) const
    {
        return m_roleInState[std::size_t(role)][state];
    }
    std::uint64_t originNs() const { return m_origin; }
    double toSeconds(std::uint64_t ns) const { return double(std::int64_t(ns - m_origin)) / 1e9; } // before the origin: negative

private:
    std::uint64_t m_origin = 0;
    std::vector<TimelineLane> m_lanes;
    Series m_queueDepth, m_pendingOps, m_threadCount, m_completionsPerS;
    double m_threads = 0, m_pending = 0, m_depth = 0; // the last values recorded (none yet: 0)
    static constexpr std::size_t States = std::size_t(trace::ThreadState::Last) + 1;
    std::array<Series, States> m_inState;
    std::array<std::int64_t, States> m_stateCount{};
    std::vector<std::int16_t> m_stateOf; // per thread: its state, or -1 when not alive
    static constexpr std::size_t Roles = std::size_t(trace::ThreadRole::Last) + 1;
    std::array<std::array<Series, States>, Roles> m_roleInState;
    std::array<std::array<std::int64_t, States>, Roles> m_roleStateCount{};
    std::vector<std::int16_t> m_roleStateOf; // per thread: its state as its role counts it, or -1
    void moveThread(std::uint32_t thread, int state, double t);
    void moveThreadOfRole(std::uint32_t thread, trace::ThreadRole role, int state, double t);
    std::uint64_t m_binStart = 0, m_binCount = 0;
};

} // namespace porthole::model
