#pragma once

#include "workload/trafficoptions.h"

#include "workload/peerhost.h"
#include "workload/runclock.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace porthole::workload {


// Tells the peer process what to write, paced in the run's time (it sends nothing while the run is
// paused) and stretched by the slow-motion factor.
class TrafficGenerator
{
public:
    TrafficGenerator(PeerHost &peers, const TrafficOptions &options, const RunClock &clock);
    ~TrafficGenerator();

    void start();
    void stop();
    void setSlowMotion(double factor) { m_slowMotion.store(factor, std::memory_order_relaxed); } // any thread; a setting
    void setMessagesPerSecond(double rate) { m_rate.store(rate, std::memory_order_relaxed); }    // any thread; a setting
    // Whether traffic stops while the run is paused (the default) or keeps arriving, so that steps find
    // completions to let through. Any thread.
    void setFollowsPause(bool follows) { m_followsPause.store(follows, std::memory_order_relaxed); }
    bool followsPause() const { return m_followsPause.load(std::memory_order_relaxed); }
    // One message now, whatever the schedule: a step of a paused run with no completion waiting.
    void sendOne();
    std::uint64_t messagesSent() const { return m_sent.load(std::memory_order_relaxed); }      // a statistic

private:
    void run();

    PeerHost &m_peers;
    const TrafficOptions m_options;
    const RunClock &m_runClock;
    const RunClock m_wallClock; // never paused
    std::atomic<bool> m_followsPause{true};
    std::atomic<double> m_slowMotion{1.0};
    std::atomic<double> m_rate{0}; // messages per second, changeable while running
    std::atomic<std::uint64_t> m_sent{0};
    std::atomic<std::size_t> m_nextStepSocket{0};
    std::mutex m_mutex; // guards m_stopping
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace porthole::workload
