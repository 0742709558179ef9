#include "streamrun.h"

#include "scenario/runner.h"
#include "scenario/runstream.h"
#include "scenario/scenariofile.h"
#include "trace/tracefile.h"

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <unistd.h>

namespace porthole::app {

namespace rs = scenario::runstream;

namespace {

// The command lines from stdin; EOF counts as "stop". Shared with a reader thread that is never
// joined (it may sit in read() until the process exits), so it lives as long as the process.
struct Commands {
    std::mutex mutex;
    std::condition_variable arrived;
    std::deque<std::string> lines;
};

bool writeAll(const std::string &bytes)
{
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(STDOUT_FILENO, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false; // the watching process is gone
        done += std::size_t(n);
    }
    return true;
}

Commands &commands()
{
    static Commands c;
    return c;
}

} // namespace

void startStreamCommands()
{
    std::signal(SIGPIPE, SIG_IGN); // a write to a closed pipe fails instead of killing the run
    std::thread([] {
        Commands &c = commands();
        std::string line;
        while (std::getline(std::cin, line)) {
            std::lock_guard lock(c.mutex);
            c.lines.push_back(line);
            c.arrived.notify_all();
        }
        std::lock_guard lock(c.mutex);
        c.lines.push_back(rs::stopCommand());
        c.arrived.notify_all();
    }).detach();
}

int streamRun(scenario::RunSource &runner, double durationS)
{
    bool alive = writeAll(rs::frame(rs::Frame::Started, {}));
    std::size_t sent = 0, threadsSent = 0;
    bool first = true;
    // One frame: every thread and string so far, the events since the last frame, then the watermark.
    const auto sendEvents = [&](std::uint64_t settleNs) {
        const std::uint64_t now = trace::nowNs();
        const std::uint64_t drained = runner.drainedThroughNs();
        trace::Trace chunk;
        chunk.events = runner.eventsSince(sent, settleNs);
        chunk.threads = runner.threads();
        if (chunk.events.empty() && chunk.threads.size() == threadsSent && !first)
            return writeAll(rs::frame(rs::Frame::Watermark, rs::watermarkPayload(settleNs ? std::min(drained, now - settleNs) : ~0ull)));
        chunk.strings = runner.strings();
        chunk.droppedEvents = runner.droppedEvents();
        if (first)
            chunk.scenarioJson = scenario::scenarioToJson(runner.scenario()).toStdString();
        first = false;
        sent += chunk.events.size();
        threadsSent = chunk.threads.size();
        return writeAll(rs::frame(rs::Frame::Trace, trace::serializeTrace(chunk)))
               && writeAll(rs::frame(rs::Frame::Watermark, rs::watermarkPayload(settleNs ? std::min(drained, now - settleNs) : ~0ull)));
    };

    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(durationS);
    bool stop = false;
    while (alive && !stop && std::chrono::steady_clock::now() < until) {
        std::deque<std::string> lines;
        {
            Commands &c = commands();
            std::unique_lock lock(c.mutex);
            c.arrived.wait_for(lock, std::chrono::milliseconds(50), [&c] { return !c.lines.empty(); });
            lines.swap(c.lines);
        }
        for (const std::string &line : lines) {
            const std::optional<rs::Command> c = rs::parseCommand(line);
            if (!c) {
                std::cerr << "porthole --stream: ignored the command line '" << line << "'\n";
                continue;
            }
            switch (c->kind) {
            case rs::Command::Pause: runner.pause(); break;
            case rs::Command::Resume: runner.resume(); break;
            case rs::Command::Step: runner.step(); break;
            case rs::Command::Stop: stop = true; break;
            case rs::Command::TrafficDuringPause: runner.setTrafficDuringPause(c->value != 0); break;
            case rs::Command::SlowMotion: runner.setSlowMotion(c->value); break;
            case rs::Command::Rate: runner.setMessagesPerSecond(c->value); break;
            case rs::Command::Limits: runner.setThreadLimits(c->limits); break;
            }
        }
        alive = sendEvents(scenario::Runner::SettleNs);
    }
    runner.stop();
    if (!alive)
        return 3;
    sendEvents(0);
    if (const QString why = runner.failure(); !why.isEmpty())
        writeAll(rs::frame(rs::Frame::Failure, why.toStdString()));
    writeAll(rs::frame(rs::Frame::End, {}));
    return 0;
}

} // namespace porthole::app
