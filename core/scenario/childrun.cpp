#include "scenario/childrun.h"

#include "scenario/runstream.h"
#include "scenario/scenariofile.h"
#include "trace/tracefile.h"

#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryFile>

#include <algorithm>
#include <cstring>

namespace porthole::scenario {

namespace rs = runstream;

ChildRun::ChildRun(Scenario scenario, QString program, double durationS)
    : m_scenario(std::move(scenario))
    , m_program(std::move(program))
    , m_durationS(durationS)
{
}

ChildRun::~ChildRun()
{
    stop();
    if (!m_scenarioFile.isEmpty())
        QFile::remove(m_scenarioFile);
}

QString ChildRun::start()
{
    QTemporaryFile file(QDir::tempPath() + QStringLiteral("/porthole-run-XXXXXX.json"));
    file.setAutoRemove(false);
    if (!file.open())
        return QStringLiteral("cannot write the scenario for the run's process to %1: %2").arg(QDir::tempPath(), file.errorString());
    file.write(scenarioToJson(m_scenario));
    file.close();
    m_scenarioFile = file.fileName();
    m_io = std::thread([this] { ioLoop(); });
    std::unique_lock lock(m_mutex);
    // Setting up thousands of sockets takes seconds; a child silent for two minutes is stopped.
    if (!m_changed.wait_for(lock, std::chrono::minutes(2), [this] { return m_started || m_ended; })) {
        m_stopRequested = true;
        lock.unlock();
        m_io.join();
        return QStringLiteral("the run's process (%1) did not start its run within two minutes and was stopped").arg(m_program);
    }
    if (m_started)
        return {};
    if (!m_startError.isEmpty())
        return m_startError;
    return QStringLiteral("the run's process (%1) ended before its run started%2")
        .arg(m_program, m_stderrTail.isEmpty() ? QString() : QStringLiteral(": ") + m_stderrTail.trimmed());
}

void ChildRun::ioLoop()
{
    QProcess process;
    process.setProgram(m_program);
    process.setArguments({QStringLiteral("run"), m_scenarioFile, QStringLiteral("--headless"), QStringLiteral("--stream"),
                          QStringLiteral("--duration"), QString::number(m_durationS)});
    process.start();
    if (!process.waitForStarted(30000)) {
        std::lock_guard lock(m_mutex);
        m_startError = QStringLiteral("cannot start the run's process %1: %2").arg(m_program, process.errorString());
        m_ended = true;
        m_changed.notify_all();
        return;
    }
    {
        std::lock_guard lock(m_mutex);
        m_pid = process.processId();
    }
    rs::FrameReader reader;
    bool stopSent = false;
    QElapsedTimer sinceStop;
    for (;;) {
        process.waitForReadyRead(20);
        const QByteArray bytes = process.readAllStandardOutput();
        reader.add(bytes.constData(), std::size_t(bytes.size()));
        while (auto f = reader.next())
            onFrame(char(f->first), f->second);
        const QByteArray errors = process.readAllStandardError();
        std::deque<std::string> commands;
        bool ended = false;
        {
            std::lock_guard lock(m_mutex);
            if (!errors.isEmpty())
                m_stderrTail = (m_stderrTail + QString::fromLocal8Bit(errors)).right(2000);
            if (!reader.error().empty() && m_failure.isEmpty())
                m_failure = QString::fromStdString(reader.error());
            commands.swap(m_commands);
            ended = m_ended;
            if (m_stopRequested && !stopSent) {
                commands.push_back(rs::stopCommand());
                stopSent = true;
                sinceStop.start();
            }
        }
        for (const std::string &c : commands)
            process.write(c.data(), qint64(c.size()));
        if (!commands.empty())
            process.waitForBytesWritten(1000);
        if (ended || !reader.error().empty())
            break;
        if (process.state() == QProcess::NotRunning && process.bytesAvailable() == 0) {
            // Anything still buffered was read above; the child is gone without its last frame.
            std::lock_guard lock(m_mutex);
            if (!m_started && m_startError.isEmpty() && m_failure.isEmpty())
                m_startError = QStringLiteral("the run's process ended before its run started: %1").arg(m_stderrTail.trimmed());
            else if (m_started && m_failure.isEmpty())
                m_failure = QStringLiteral("the run's process ended without finishing its trace (exit code %1)").arg(process.exitCode());
            m_ended = true;
            m_changed.notify_all();
            break;
        }
        if (stopSent && sinceStop.elapsed() > 30000) { // a child that does not stop is stopped
            process.kill();
            process.waitForFinished(5000);
            std::lock_guard lock(m_mutex);
            if (m_failure.isEmpty())
                m_failure = QStringLiteral("the run's process did not stop within 30 s and was killed");
            m_ended = true;
            m_changed.notify_all();
            break;
        }
    }
    process.closeWriteChannel();
    if (!process.waitForFinished(10000)) {
        process.kill();
        process.waitForFinished(5000);
    }
}

void ChildRun::onFrame(char kind, const std::string &payload)
{
    std::lock_guard lock(m_mutex);
    switch (rs::Frame(kind)) {
    case rs::Frame::Started:
        m_started = true;
        break;
    case rs::Frame::StartError:
        m_startError = QString::fromStdString(payload);
        m_ended = true;
        break;
    case rs::Frame::Trace: {
        trace::TraceLoadResult chunk = trace::parseTrace(payload, "the run's process");
        if (!chunk.trace) {
            if (m_failure.isEmpty())
                m_failure = QString::fromStdString(chunk.error);
            break;
        }
        trace::Trace &t = *chunk.trace;
        if (!t.events.empty() && !m_trace.events.empty() && t.events.front().timeNs < m_trace.events.back().timeNs) {
            if (m_failure.isEmpty())
                m_failure = QStringLiteral("the run's process sent events out of order");
            break;
        }
        m_trace.threads = std::move(t.threads);
        m_trace.strings = std::move(t.strings);
        m_trace.vocabulary = std::move(t.vocabulary);
        m_trace.droppedEvents = t.droppedEvents;
        if (!t.scenarioJson.empty())
            m_trace.scenarioJson = std::move(t.scenarioJson);
        m_trace.events.insert(m_trace.events.end(), t.events.begin(), t.events.end());
        break;
    }
    case rs::Frame::Watermark:
        if (payload.size() == sizeof(std::uint64_t))
            std::memcpy(&m_watermarkNs, payload.data(), sizeof(std::uint64_t));
        break;
    case rs::Frame::Failure:
        if (m_failure.isEmpty())
            m_failure = QString::fromStdString(payload);
        break;
    case rs::Frame::End:
        m_ended = true;
        m_watermarkNs = ~0ull;
        break;
    }
    m_changed.notify_all();
}

void ChildRun::send(std::string command)
{
    std::lock_guard lock(m_mutex);
    m_commands.push_back(std::move(command));
}

void ChildRun::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopRequested = true;
    }
    if (m_io.joinable())
        m_io.join();
}

void ChildRun::pause() { send(rs::pauseCommand()); }
void ChildRun::resume() { send(rs::resumeCommand()); }
void ChildRun::step() { send(rs::stepCommand()); }
void ChildRun::setTrafficDuringPause(bool flows) { send(rs::trafficDuringPauseCommand(flows)); }
void ChildRun::setSlowMotion(double factor) { send(rs::slowMotionCommand(factor)); }
void ChildRun::setMessagesPerSecond(double rate) { send(rs::rateCommand(rate)); }
void ChildRun::setThreadLimits(const runtime::ThreadLimits &limits) { send(rs::limitsCommand(limits)); }

QString ChildRun::failure() const
{
    std::lock_guard lock(m_mutex);
    return m_failure;
}

std::vector<trace::Event> ChildRun::eventsSince(std::size_t from, std::uint64_t, std::size_t limit) const
{
    std::lock_guard lock(m_mutex);
    if (from >= m_trace.events.size())
        return {};
    const std::size_t count = std::min(limit, m_trace.events.size() - from);
    return {m_trace.events.begin() + std::ptrdiff_t(from), m_trace.events.begin() + std::ptrdiff_t(from + count)};
}

std::vector<trace::ThreadInfo> ChildRun::threads() const
{
    std::lock_guard lock(m_mutex);
    return m_trace.threads;
}

std::vector<std::string> ChildRun::strings() const
{
    std::lock_guard lock(m_mutex);
    return m_trace.strings;
}

std::uint64_t ChildRun::droppedEvents() const
{
    std::lock_guard lock(m_mutex);
    return m_trace.droppedEvents;
}

bool ChildRun::waitUntilDrained(std::uint64_t timeNs, std::chrono::milliseconds timeout) const
{
    std::unique_lock lock(m_mutex);
    return m_changed.wait_for(lock, timeout, [&] { return m_watermarkNs >= timeNs || m_ended; });
}

trace::Trace ChildRun::trace() const
{
    std::lock_guard lock(m_mutex);
    trace::Trace t = m_trace;
    if (t.scenarioJson.empty())
        t.scenarioJson = scenarioToJson(m_scenario).toStdString();
    return t;
}

std::uint64_t ChildRun::drainedThroughNs() const
{
    std::lock_guard lock(m_mutex);
    return m_watermarkNs;
}

bool ChildRun::hasEnded() const
{
    std::lock_guard lock(m_mutex);
    return m_ended;
}

qint64 ChildRun::processId() const
{
    std::lock_guard lock(m_mutex);
    return m_pid;
}

} // namespace porthole::scenario
