#pragma once

#include "workload/peerhost.h"

#include <benchmark/benchmark.h>

#include <memory>
#include <string>

namespace porthole::bench {

// One farm of peer sockets at a time, kept from one benchmark to the next that wants the same size
// (setting up 10,000 takes a while); started again when one wants another size. A benchmark that sets
// up sockets of its own releases it first: with random interleaving it runs between the farm's users,
// and 19,000 sockets leave no room under the descriptor limit (20,000 here) for 9,000 more.
class SharedPeers
{
public:
    // The farm of `count` sockets, or null (the benchmark is skipped with the reason).
    static workload::PeerHost *get(benchmark::State &state, std::size_t count)
    {
        SharedPeers &shared = instance();
        if (!shared.m_peers || shared.m_count != count) {
            shared.m_peers.reset(); // closes the old farm first
            shared.m_peers = std::make_unique<workload::PeerHost>();
            shared.m_count = count;
            if (const std::string error = shared.m_peers->start(count); !error.empty()) {
                shared.m_peers.reset();
                state.SkipWithError(error.c_str());
                return nullptr;
            }
        }
        return shared.m_peers.get();
    }
    static void release() { instance().m_peers.reset(); }

private:
    static SharedPeers &instance()
    {
        static SharedPeers shared;
        return shared;
    }
    std::unique_ptr<workload::PeerHost> m_peers;
    std::size_t m_count = 0;
};

} // namespace porthole::bench
