#include "workload/traffic.h"

#include <algorithm>

namespace porthole::workload {

TrafficGenerator::TrafficGenerator(PeerHost &peers, const TrafficOptions &options, const RunClock &clock)
    : m_peers(peers)
    , m_options(options)
    , m_runClock(clock)
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

void TrafficGenerator::sendOne()
{
    const std::size_t sockets = m_peers.localFds().size();
    if (sockets == 0)
        return;
    const std::size_t socket = m_options.pattern == TrafficOptions::Pattern::HotSocket ? 0 : m_nextStepSocket++ % sockets;
    if (m_peers.sendToRange(socket, 1, m_options.messageBytes))
        m_sent.fetch_add(1, std::memory_order_relaxed);
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
    const RunClock *clock = &m_runClock;
    auto nextBurst = clock->now();
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        const double slow = std::max(1e-3, m_slowMotion.load(std::memory_order_relaxed));
        if (const RunClock *chosen = m_followsPause.load(std::memory_order_relaxed) ? &m_runClock : &m_wallClock; chosen != clock) {
            clock = chosen; // the two clocks differ by the time paused: bursts start over
            nextBurst = clock->now();
        }
        // A tick of the run's time: a pause holds the generator here, so it sends nothing then.
        if (clock->waitFor(lock, m_wake, duration_cast<microseconds>(Tick * slow), [this] { return m_stopping; }))
            break;
        lock.unlock();
        switch (m_options.pattern) {
        case TrafficOptions::Pattern::Burst:
            if (clock->now() >= nextBurst) {
                m_peers.sendToAll(m_options.messageBytes);
                m_sent.fetch_add(sockets, std::memory_order_relaxed);
                nextBurst = clock->now() + duration_cast<microseconds>(m_options.burstPeriod * slow);
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
