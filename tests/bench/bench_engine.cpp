// engine_vs_raw_uring: one thread serving 10,000 sockets with pending receives, through the port with
// tracing on, against a bare liburing loop on the same sockets in the same run: completions/s of the median
// round (one byte to every socket) of a block of 10 rounds. 40 pairs of blocks, a pair's two blocks one right
// after the other, each side armed on the sockets for its own block (and its receives cancelled after it).
// pending_op_bytes, pending_op_bytes_19000: the heap each pending receive adds, with 10,000 and with 19,000
// pending (the descriptor limit here is 20,000), against a bare loop that gives each pending receive its own
// buffer (what liburing code without buffer rings does). The port's fixed part — its provided-buffer ring,
// shared by every socket and holding only data that arrived — is measured apart (port_fixed_bytes).

#include "ratioreporter.h"
#include "sharedpeers.h"

#include "engine/completionport.h"
#include "trace/collector.h"
#include "workload/peerhost.h"

#include <liburing.h>
#include <malloc.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace {

using namespace porthole;
using namespace std::chrono_literals;

constexpr std::size_t Sockets = 10000;
const unsigned BufferBytes = engine::PortOptions{}.recvBufferBytes; // the same size on both sides
constexpr unsigned RawCqEntries = 8192; // the bare loop's completion queue: what it can reap per wakeup

workload::PeerHost *sharedPeers(benchmark::State &state, std::size_t count = Sockets)
{
    return bench::SharedPeers::get(state, count);
}

// Completions per second of the median round: a round the machine stalled (another guest, a page of the
// kernel's socket memory) weighs no more than any other. Each side times its own rounds the same way.
struct RoundClock {
    std::vector<double> seconds;
    std::chrono::steady_clock::time_point start;
    void begin() { start = std::chrono::steady_clock::now(); }
    void end() { seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()); }
    double medianRate(std::size_t completionsPerRound)
    {
        if (seconds.empty())
            return 0;
        std::nth_element(seconds.begin(), seconds.begin() + std::ptrdiff_t(seconds.size() / 2), seconds.end());
        return double(completionsPerRound) / seconds[seconds.size() / 2];
    }
};

std::size_t heapBytes()
{
    const struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd; // in use from the arenas + chunks malloc mapped on its own
}

std::unique_ptr<engine::CompletionPort> newPort()
{
    engine::PortOptions options;
    options.concurrency = 1;
    std::string error;
    return engine::CompletionPort::create(options, error);
}

void arm(engine::CompletionPort &port, const std::vector<int> &fds)
{
    engine::SubmitBatch batch(port);
    for (std::size_t i = 0; i < fds.size(); ++i) {
        port.associate(fds[i], i);
        port.recv(fds[i], i);
    }
}

std::unique_ptr<engine::CompletionPort> armedPort(const std::vector<int> &fds)
{
    auto port = newPort();
    if (port)
        arm(*port, fds);
    return port;
}

// The bare loop: one ring, one buffer per socket, user_data = socket index.
struct RawLoop {
    io_uring ring{};
    std::vector<std::unique_ptr<char[]>> buffers;
    const std::vector<int> &fds;

    explicit RawLoop(const std::vector<int> &f) : fds(f)
    {
        for (std::size_t i = 0; i < fds.size(); ++i)
            buffers.push_back(std::make_unique<char[]>(BufferBytes));
        io_uring_params params{};
        params.flags = IORING_SETUP_CQSIZE;
        params.cq_entries = RawCqEntries;
        io_uring_queue_init_params(4096, &ring, &params);
        for (std::size_t i = 0; i < fds.size(); ++i)
            arm(i);
        io_uring_submit(&ring);
    }
    ~RawLoop()
    {
        // One cancel per receive, by its user_data (the kernel finds it in a hash), as the port closes.
        std::size_t outstanding = 2 * fds.size(); // each receive's completion and its cancel's
        const auto reap = [&] {
            io_uring_cqe *cqe;
            unsigned head, count = 0;
            io_uring_for_each_cqe(&ring, head, cqe) ++count;
            io_uring_cq_advance(&ring, count);
            outstanding -= count;
        };
        for (std::size_t i = 0; i < fds.size(); ++i) {
            io_uring_sqe *sqe = io_uring_get_sqe(&ring);
            if (!sqe) {
                io_uring_submit(&ring);
                reap();
                sqe = io_uring_get_sqe(&ring);
            }
            io_uring_prep_cancel64(sqe, i, 0);
            io_uring_sqe_set_data64(sqe, ~0ull);
        }
        io_uring_submit(&ring);
        while (outstanding > 0) {
            io_uring_cqe *cqe = nullptr;
            if (io_uring_wait_cqe(&ring, &cqe) != 0)
                break;
            reap();
        }
        io_uring_queue_exit(&ring);
    }
    io_uring_sqe *sqeOrSubmit()
    {
        io_uring_sqe *sqe = io_uring_get_sqe(&ring);
        if (!sqe) {
            io_uring_submit(&ring);
            sqe = io_uring_get_sqe(&ring);
        }
        return sqe;
    }
    void arm(std::size_t i)
    {
        io_uring_sqe *sqe = sqeOrSubmit();
        io_uring_prep_recv(sqe, fds[i], buffers[i].get(), BufferBytes, 0);
        io_uring_sqe_set_data64(sqe, i);
    }
    std::size_t serveRound()
    {
        std::size_t bytes = 0, completions = 0;
        while (bytes < fds.size()) {
            io_uring_submit_and_wait(&ring, 1);
            io_uring_cqe *cqe;
            unsigned head, count = 0;
            io_uring_for_each_cqe(&ring, head, cqe)
            {
                bytes += std::size_t(std::max(0, cqe->res));
                arm(std::size_t(io_uring_cqe_get_data64(cqe)));
                ++count;
            }
            io_uring_cq_advance(&ring, count);
            completions += count;
        }
        return completions;
    }
};

// One block of rounds through a bare loop armed on the sockets for the block: its median round's rate.
double rawBlock(workload::PeerHost &peers, int rounds)
{
    RawLoop loop(peers.localFds());
    RoundClock clock;
    for (int r = 0; r < rounds; ++r) {
        clock.begin();
        peers.sendToAll(1);
        loop.serveRound();
        clock.end();
    }
    return clock.medianRate(peers.localFds().size());
}

struct EngineBlock {
    double rate = 0; // completions per second of the median round
    double eventsPerClockRead = 0; // the serving thread's events over its distinct time stamps (trace::Moment)
    double dropped = 0;
    double closeMs = 0; // the port's close() with every receive pending
    double sharedBuffers = 0; // the pool of receive buffers after the rounds (it grows while receives starve)
    std::string error;
};

// The same rounds through the port, with tracing on: a recorder and its collector for the block, one thread
// serving the ring for its whole life (as the bare loop), taking as many packets per call as the bare loop
// can find in its completion queue.
EngineBlock engineBlock(workload::PeerHost &peers, int rounds)
{
    const std::vector<int> &fds = peers.localFds();
    trace::TraceRecorder recorder;
    trace::TraceStore store;
    trace::Collector collector(recorder, store);
    const std::uint32_t servingThread =
        recorder.attachCurrentThread("serving thread", trace::ThreadRole::IoCompletion, trace::ThreadReason::Startup);
    EngineBlock block;
    auto port = armedPort(fds);
    if (!port) {
        block.error = "cannot create the completion port";
        return block;
    }
    port->submitOnThisThread();
    std::vector<engine::Completion> batch(RawCqEntries);
    RoundClock clock;
    for (int r = 0; r < rounds && block.error.empty(); ++r) {
        clock.begin();
        peers.sendToAll(1);
        std::size_t bytes = 0;
        while (bytes < fds.size()) {
            engine::DequeueStatus status;
            const std::size_t n = port->dequeueBatch(std::span(batch), 10000ms, status);
            if (status != engine::DequeueStatus::Ok) {
                const auto stats = port->stats();
                std::fprintf(stderr, "round stalled: %zu of %zu bytes, %llu pending, %llu queued, %llu starved, %llu free buffers, %llu rearmed\n",
                             bytes, fds.size(), (unsigned long long)stats.pendingOps, (unsigned long long)stats.queued,
                             (unsigned long long)stats.starvedRecvs, (unsigned long long)stats.freeBuffers, (unsigned long long)stats.rearmedRecvs);
                block.error = "dequeue timed out: a round stalled";
                break;
            }
            engine::SubmitBatch rearm(*port);
            for (std::size_t i = 0; i < n; ++i) {
                bytes += std::size_t(std::max<std::int64_t>(0, batch[i].result));
                port->recycle(batch[i]);
                port->recv(fds[batch[i].key], batch[i].token);
            }
        }
        clock.end();
    }
    block.rate = clock.medianRate(fds.size());
    block.sharedBuffers = double(port->stats().sharedBuffers);
    const auto closing = std::chrono::steady_clock::now();
    port->close(); // cancels the 10,000 pending receives and waits for the kernel to give them back
    block.closeMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - closing).count();
    recorder.detachCurrentThread(trace::ThreadReason::Shutdown);
    collector.stop();
    std::size_t events = 0, stamps = 0;
    std::uint64_t lastStamp = ~0ull;
    for (const trace::Event &e : store.snapshot(recorder).events)
        if (e.thread == servingThread) {
            ++events;
            stamps += e.timeNs != lastStamp;
            lastStamp = e.timeNs;
        }
    block.eventsPerClockRead = stamps ? double(events) / double(stamps) : 0.0;
    block.dropped = double(recorder.droppedEvents());
    return block;
}

// One pair: a block of rounds of each side, one right after the other on the same sockets, the order
// alternating from pair to pair, so a slow phase of the machine falls on both sides of a pair.
void BM_EngineVsRawServe(benchmark::State &state)
{
    constexpr int Rounds = 10;
    static int pair = 0;
    workload::PeerHost *peers = sharedPeers(state);
    if (!peers)
        return;
    for (auto _ : state) {
        const bool rawFirst = pair++ % 2 == 0;
        double raw = rawFirst ? rawBlock(*peers, Rounds) : 0;
        const EngineBlock ours = engineBlock(*peers, Rounds);
        if (!rawFirst)
            raw = rawBlock(*peers, Rounds);
        if (!ours.error.empty()) {
            state.SkipWithError(ours.error.c_str());
            return;
        }
        state.counters["engine_round_rate"] = ours.rate;
        state.counters["raw_round_rate"] = raw;
        state.counters["events_per_clock_read"] = ours.eventsPerClockRead;
        state.counters["events_dropped"] = ours.dropped;
        state.counters["close_ms"] = ours.closeMs;
        state.counters["shared_buffers"] = ours.sharedBuffers;
    }
}
BENCHMARK(BM_EngineVsRawServe)->Iterations(1)->Repetitions(40)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_EnginePendingMemory(benchmark::State &state)
{
    const auto count = std::size_t(state.range(0));
    workload::PeerHost *peers = sharedPeers(state, count);
    if (!peers)
        return;
    for (auto _ : state) {
        const std::size_t empty = heapBytes();
        auto port = newPort();
        if (!port) {
            state.SkipWithError("cannot create the completion port");
            return;
        }
        const std::size_t before = heapBytes();
        arm(*port, peers->localFds());
        const std::size_t after = heapBytes();
        state.counters["bytes_per_op"] = double(after - before) / double(count);
        state.counters["port_fixed_bytes"] = double(before - empty);
        state.counters["pending_ops"] = double(port->stats().pendingOps);
    }
}
BENCHMARK(BM_EnginePendingMemory)->Arg(10000)->Arg(19000)->Iterations(1);

void BM_RawPendingMemory(benchmark::State &state)
{
    const auto count = std::size_t(state.range(0));
    workload::PeerHost *peers = sharedPeers(state, count);
    if (!peers)
        return;
    for (auto _ : state) {
        const std::size_t before = heapBytes();
        auto loop = std::make_unique<RawLoop>(peers->localFds());
        const std::size_t after = heapBytes();
        state.counters["bytes_per_op"] = double(after - before) / double(count);
    }
}
BENCHMARK(BM_RawPendingMemory)->Arg(10000)->Arg(19000)->Iterations(1);

[[maybe_unused]] const bool registered = [] {
    bench::registerComparison(
        {"engine_vs_raw_uring", "BM_EngineVsRawServe/iterations:1/repeats:40/real_time",
         "BM_EngineVsRawServe/iterations:1/repeats:40/real_time", "engine_round_rate", "completions/s",
         {"events_dropped", "close_ms"}, {"events_per_clock_read", "shared_buffers"}, "raw_round_rate"});
    bench::registerComparison(
        {"pending_op_bytes", "BM_EnginePendingMemory/10000/iterations:1", "BM_RawPendingMemory/10000/iterations:1", "bytes_per_op",
         "bytes/pending op"});
    bench::registerComparison({"pending_op_bytes_19000", "BM_EnginePendingMemory/19000/iterations:1",
                               "BM_RawPendingMemory/19000/iterations:1", "bytes_per_op", "bytes/pending op"});
    return true;
}();

} // namespace
