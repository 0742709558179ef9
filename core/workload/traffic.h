#pragma once

#include "workload/trafficoptions.h"

#include "workload/peerhost.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace porthole::workload {


// Tells the peer process what to write, paced in real time and stretched by the slow-motion factor.
class TrafficGenerator
{
public:
    TrafficGenerator(PeerHost &peers, const TrafficOptions &options);
    ~TrafficGenerator();

    void start();
    void stop();
    void setSlowMotion(double factor) { m_slowMotion.store(factor, std::memory_order_relaxed); } // any thread; a setting
    void setMessagesPerSecond(double rate) { m_rate.store(rate, std::memory_order_relaxed); }    // any thread; a setting
    std::uint64_t messagesSent() const { return m_sent.load(std::memory_order_relaxed); }      // a statistic

private:
    void run();

    PeerHost &m_peers;
    const TrafficOptions m_options;
    std::atomic<double> m_slowMotion{1.0};
    std::atomic<double> m_rate{0}; // messages per second, changeable while running
    std::atomic<std::uint64_t> m_sent{0};
    std::mutex m_mutex; // guards m_stopping
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace porthole::workload
