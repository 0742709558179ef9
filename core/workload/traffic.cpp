#include "workload/traffic.h"

#include <algorithm>

namespace porthole::workload {

TrafficGenerator::TrafficGenerator(PeerHost &peers, const TrafficOptions &options)
    : m_peers(peers)
    , m_options(options)
    , m_rate(options.messagesPerSecond)
{
}

TrafficGenerator::~TrafficGenerator() { stop(); }

void TrafficGenerator::start()
{
    if (!m_thread.joinable())
        m_thread = std::thread([this] { run(); });
}

void TrafficGenerator::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void TrafficGenerator::run()
{
    using namespace std::chrono;
    const std::size_t sockets = m_peers.localFds().size();
    if (sockets == 0)
        return;
    constexpr auto Tick = milliseconds(10);
    std::size_t cursor = 0;
    double owed = 0; // messages due but not yet sent (fractions carry over between ticks)
    auto nextBurst = steady_clock::now();
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        const double slow = std::max(1e-3, m_slowMotion.load(std::memory_order_relaxed));
        m_wake.wait_for(lock, duration_cast<microseconds>(Tick * slow), [this] { return m_stopping; });
        if (m_stopping)
            break;
        lock.unlock();
        switch (m_options.pattern) {
        case TrafficOptions::Pattern::Burst:
            if (steady_clock::now() >= nextBurst) {
                m_peers.sendToAll(m_options.messageBytes);
                m_sent.fetch_add(sockets, std::memory_order_relaxed);
                nextBurst = steady_clock::now() + duration_cast<microseconds>(m_options.burstPeriod * slow);
            }
            break;
        case TrafficOptions::Pattern::HotSocket:
        case TrafficOptions::Pattern::Uniform: {
            owed += m_rate.load(std::memory_order_relaxed) * duration<double>(Tick).count();
            const auto count = std::size_t(owed);
            owed -= double(count);
            if (count == 0)
                break;
            if (m_options.pattern == TrafficOptions::Pattern::HotSocket) {
                m_peers.sendToRange(0, 1, m_options.messageBytes, std::uint32_t(count));
            } else {
                // Round-robin over the sockets, in at most two contiguous ranges.
                const std::size_t rounds = count / sockets;
                if (rounds > 0)
                    m_peers.sendToAll(m_options.messageBytes, std::uint32_t(rounds));
                std::size_t left = count % sockets;
                while (left > 0) {
                    const std::size_t chunk = std::min(left, sockets - cursor);
                    m_peers.sendToRange(cursor, chunk, m_options.messageBytes);
                    cursor = (cursor + chunk) % sockets;
                    left -= chunk;
                }
            }
            m_sent.fetch_add(count, std::memory_order_relaxed);
            break;
        }
        }
        lock.lock();
    }
}

} // namespace porthole::workload
