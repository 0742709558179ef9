// engine_vs_raw_uring: one thread serving 10,000 sockets with pending receives, through the port with
// tracing on, against a bare liburing loop on the same sockets in the same run: completions/s of each
// repetition's median round (40 rounds of one byte to every socket), 20 repetitions a side.
// pending_op_bytes, pending_op_bytes_19000: the heap each pending receive adds, with 10,000 and with 19,000
// pending (the descriptor limit here is 20,000), against a bare loop that gives each pending receive its own
// buffer (what liburing code without buffer rings does). The port's fixed part — its provided-buffer ring,
// shared by every socket and holding only data that arrived — is measured apart (port_fixed_bytes).

#include "ratioreporter.h"

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
#include <vector>

namespace {

using namespace porthole;
using namespace std::chrono_literals;

constexpr std::size_t Sockets = 10000;
const unsigned BufferBytes = engine::PortOptions{}.recvBufferBytes; // the same size on both sides

// One socket farm at a time (10,000 and 19,000 together would pass the descriptor limit): started again when a
// benchmark wants another size.
workload::PeerHost *sharedPeers(benchmark::State &state, std::size_t count = Sockets)
{
    static std::unique_ptr<workload::PeerHost> peers;
    static std::size_t started = 0;
    if (!peers || started != count) {
        peers.reset(); // closes the old farm first
        peers = std::make_unique<workload::PeerHost>();
        started = count;
        if (const std::string error = peers->start(count); !error.empty()) {
            peers.reset();
            state.SkipWithError(error.c_str());
            return nullptr;
        }
    }
    return peers.get();
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
        params.cq_entries = 8192;
        io_uring_queue_init_params(4096, &ring, &params);
        for (std::size_t i = 0; i < fds.size(); ++i)
            arm(i);
        io_uring_submit(&ring);
    }
    ~RawLoop()
    {
        io_uring_sqe *sqe = sqeOrSubmit();
        io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
        io_uring_sqe_set_data64(sqe, ~0ull);
        io_uring_submit(&ring);
        std::size_t outstanding = fds.size() + 1;
        while (outstanding > 0) {
            io_uring_cqe *cqe = nullptr;
            if (io_uring_wait_cqe(&ring, &cqe) != 0)
                break;
            io_uring_cqe_seen(&ring, cqe);
            --outstanding;
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

void BM_RawUringServe(benchmark::State &state)
{
    workload::PeerHost *peers = sharedPeers(state);
    if (!peers)
        return;
    RawLoop loop(peers->localFds());
    std::size_t completions = 0;
    RoundClock rounds;
    for (auto _ : state) {
        rounds.begin();
        peers->sendToAll(1);
        completions += loop.serveRound();
        rounds.end();
    }
    state.counters["completions_per_s"] = benchmark::Counter(double(completions), benchmark::Counter::kIsRate);
    state.counters["median_round_rate"] = rounds.medianRate(peers->localFds().size());
}
BENCHMARK(BM_RawUringServe)->Iterations(40)->Repetitions(20)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_EngineServe(benchmark::State &state)
{
    workload::PeerHost *peers = sharedPeers(state);
    if (!peers)
        return;
    const std::vector<int> &fds = peers->localFds();
    trace::TraceRecorder recorder;
    trace::TraceStore store;
    trace::Collector collector(recorder, store);
    const std::uint32_t servingThread =
        recorder.attachCurrentThread("serving thread", trace::ThreadRole::IoCompletion, trace::ThreadReason::Startup);
    auto port = armedPort(fds);
    if (!port) {
        state.SkipWithError("cannot create the completion port");
        return;
    }
    port->submitOnThisThread(); // one thread serves the ring for its whole life, as in the bare loop
    std::size_t completions = 0;
    engine::Completion batch[256];
    RoundClock rounds;
    for (auto _ : state) {
        rounds.begin();
        peers->sendToAll(1);
        std::size_t bytes = 0;
        while (bytes < fds.size()) {
            engine::DequeueStatus status;
            const std::size_t n = port->dequeueBatch(batch, 10000ms, status);
            if (status != engine::DequeueStatus::Ok) {
                const auto stats = port->stats();
                std::fprintf(stderr, "round stalled: %zu of %zu bytes, %llu pending, %llu queued, %llu starved, %llu free buffers, %llu rearmed\n",
                             bytes, fds.size(), (unsigned long long)stats.pendingOps, (unsigned long long)stats.queued,
                             (unsigned long long)stats.starvedRecvs, (unsigned long long)stats.freeBuffers, (unsigned long long)stats.rearmedRecvs);
                state.SkipWithError("dequeue timed out: a round stalled");
                return;
            }
            engine::SubmitBatch rearm(*port);
            for (std::size_t i = 0; i < n; ++i) {
                bytes += std::size_t(std::max<std::int64_t>(0, batch[i].result));
                port->recycle(batch[i]);
                port->recv(fds[batch[i].key], batch[i].token);
            }
            completions += n;
        }
        rounds.end();
    }
    state.counters["completions_per_s"] = benchmark::Counter(double(completions), benchmark::Counter::kIsRate);
    state.counters["median_round_rate"] = rounds.medianRate(fds.size());
    port->close();
    recorder.detachCurrentThread(trace::ThreadReason::Shutdown);
    collector.stop();
    state.counters["events_recorded"] = double(store.eventCount());
    // How many of the serving thread's events share a clock read (trace::Moment): events over distinct time stamps.
    std::size_t events = 0, stamps = 0;
    std::uint64_t lastStamp = ~0ull;
    for (const trace::Event &e : store.snapshot(recorder).events)
        if (e.thread == servingThread) {
            ++events;
            stamps += e.timeNs != lastStamp;
            lastStamp = e.timeNs;
        }
    state.counters["events_per_clock_read"] = stamps ? double(events) / double(stamps) : 0.0;
    state.counters["events_dropped"] = double(recorder.droppedEvents());
}
BENCHMARK(BM_EngineServe)->Iterations(40)->Repetitions(20)->UseRealTime()->Unit(benchmark::kMillisecond);

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
        {"engine_vs_raw_uring", "BM_EngineServe/iterations:40/repeats:20/real_time", "BM_RawUringServe/iterations:40/repeats:20/real_time",
         "median_round_rate", "completions/s", {}, {"events_per_clock_read"}});
    bench::registerComparison(
        {"pending_op_bytes", "BM_EnginePendingMemory/10000/iterations:1", "BM_RawPendingMemory/10000/iterations:1", "bytes_per_op",
         "bytes/pending op"});
    bench::registerComparison({"pending_op_bytes_19000", "BM_EnginePendingMemory/19000/iterations:1",
                               "BM_RawPendingMemory/19000/iterations:1", "bytes_per_op", "bytes/pending op"});
    return true;
}();

} // namespace
