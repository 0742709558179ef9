#include "trace/chrometrace.h"

#include "trace/safefile.h"

#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <unordered_map>
#include <vector>

namespace porthole::trace {

namespace {

std::string jsonString(std::string_view text)
{
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buffer[8];
                std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
                out += buffer;
            } else {
                out += c;
            }
        }
    }
    return out + "\"";
}

// Microseconds relative to the first event, with ns precision.
std::string micros(std::uint64_t ns, std::uint64_t origin)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3f", double(ns - origin) / 1000.0);
    return buffer;
}

constexpr int StackPid = 1;
constexpr int StatePid = 2;

class Writer
{
public:
    Writer(std::ostream &out, std::uint64_t origin) : m_out(out), m_origin(origin) { m_out << "{\"traceEvents\":[\n"; }
    void finish() { m_out << "\n],\"displayTimeUnit\":\"ns\"}\n"; }

    // pid 1: each thread's callstack (nested slices), callbacks, ops and flows; pid 2: each thread's state.
    void begin(std::string_view ph, std::string_view name, std::uint32_t tid, std::uint64_t ns, int pid = StackPid)
    {
        m_out << (m_first ? "" : ",\n") << "{\"ph\":\"" << ph << "\",\"name\":" << jsonString(name)
              << ",\"pid\":" << pid << ",\"tid\":" << tid << ",\"ts\":" << micros(ns, m_origin);
        m_first = false;
    }
    void complete(std::string_view name, std::string_view category, std::uint32_t tid, std::uint64_t start, std::uint64_t end,
                  int pid = StackPid)
    {
        begin("X", name, tid, start, pid);
        m_out << ",\"cat\":\"" << category << "\",\"dur\":" << micros(end, start) << "}";
    }
    void frameBegin(std::string_view name, std::string_view version, std::string_view native, std::uint32_t tid, std::uint64_t ns)
    {
        begin("B", name, tid, ns);
        m_out << ",\"cat\":\"frame\",\"args\":{\"version\":" << jsonString(version) << ",\"native\":" << jsonString(native) << "}}";
    }
    void frameEnd(std::uint32_t tid, std::uint64_t ns)
    {
        begin("E", "", tid, ns);
        m_out << "}";
    }
    void flow(std::string_view ph, std::uint32_t tid, std::uint64_t ns, std::uint64_t id)
    {
        begin(ph, "op", tid, ns);
        m_out << ",\"cat\":\"op\",\"id\":" << id << (ph == "f" ? ",\"bp\":\"e\"" : "") << "}";
    }
    std::ostream &raw() { return m_out; }

private:
    std::ostream &m_out;
    const std::uint64_t m_origin;
    bool m_first = true;
};

struct OpenState {
    bool open = false;
    ThreadState state = ThreadState::Running;
    std::uint64_t since = 0;
};

} // namespace

void writeChromeTrace(const Trace &trace, std::ostream &out)
{
    const std::uint64_t origin = trace.events.empty() ? 0 : trace.events.front().timeNs;
    const std::uint64_t last = trace.events.empty() ? 0 : trace.events.back().timeNs;
    Writer writer(out, origin);
    for (const auto &[pid, name] : {std::pair{StackPid, "Porthole: callstacks, callbacks, ops"}, std::pair{StatePid, "Porthole: thread states"}}) {
        writer.begin("M", "process_name", 0, origin, pid);
        writer.raw() << ",\"args\":{\"name\":" << jsonString(name) << "}}";
    }
    for (const ThreadInfo &info : trace.threads) {
        for (const int pid : {StackPid, StatePid}) {
            writer.begin("M", "thread_name", info.index, origin, pid);
            writer.raw() << ",\"args\":{\"name\":"
                         << jsonString(info.name + " (" + std::string(trace.vocabulary.roleName(std::uint8_t(info.role))) + ", tid "
                                       + std::to_string(info.osThreadId) + ")")
                         << "}}";
        }
    }

    std::vector<OpenState> states(trace.threads.size());
    std::vector<std::uint32_t> openFrames(trace.threads.size()); // frames pushed and not yet popped, per thread
    std::unordered_map<std::uint64_t, std::uint64_t> callbackStart; // op id -> begin time
    for (const Event &e : trace.events) {
        switch (e.type) {
        case EventType::ThreadState: {
            OpenState &s = states[e.thread];
            if (s.open)
                writer.complete(trace.vocabulary.stateName(std::uint8_t(s.state)), "state", e.thread, s.since, e.timeNs, StatePid);
            s = {true, ThreadState(e.small), e.timeNs};
            break;
        }
        case EventType::ThreadExited: {
            OpenState &s = states[e.thread];
            if (s.open)
                writer.complete(trace.vocabulary.stateName(std::uint8_t(s.state)), "state", e.thread, s.since, e.timeNs, StatePid);
            s.open = false;
            for (; openFrames[e.thread] > 0; --openFrames[e.thread])
                writer.frameEnd(e.thread, e.timeNs);
            break;
        }
        case EventType::StackPush:
            writer.frameBegin(trace.vocabulary.frameLabel(e.aux, trace.string(e.id)), trace.vocabulary.frameVersion(e.aux), trace.string(e.id), e.thread, e.timeNs);
            ++openFrames[e.thread];
            break;
        case EventType::StackPop:
            if (openFrames[e.thread] > 0) {
                writer.frameEnd(e.thread, e.timeNs);
                --openFrames[e.thread];
            }
            break;
        case EventType::OpDequeued:
            writer.flow("t", e.thread, e.timeNs, e.id); // the completion reaches the thread that dequeued it
            break;
        case EventType::OpSubmitted:
        case EventType::OpCompleted: {
            const bool submitted = e.type == EventType::OpSubmitted;
            const std::string name = std::string(submitted ? "submit " : "reap ") + std::string(opKindName(OpKind(e.aux)));
            writer.complete(name, "op", e.thread, e.timeNs, e.timeNs);
            writer.flow(submitted ? "s" : "t", e.thread, e.timeNs, e.id);
            break;
        }
        case EventType::CallbackBegin:
            callbackStart[e.id] = e.timeNs;
            break;
        case EventType::CallbackEnd: {
            const auto it = callbackStart.find(e.id);
            if (it == callbackStart.end())
                break;
            writer.complete("callback", "callback", e.thread, it->second, e.timeNs);
            writer.flow("f", e.thread, it->second, e.id);
            callbackStart.erase(it);
            break;
        }
        case EventType::QueueSample:
            writer.begin("C", queueKindName(QueueKind(e.small)), 0, e.timeNs);
            writer.raw() << ",\"args\":{\"depth\":" << e.value << "}}";
            break;
        case EventType::Observed: {
            if (e.aux >= trace.vocabulary.metrics.size())
                break;
            const double v = std::bit_cast<double>(e.value);
            if (std::isnan(v))
                break;
            writer.begin("C", trace.vocabulary.metrics[e.aux], 0, e.timeNs);
            char number[32];
            std::snprintf(number, sizeof number, "%.6g", v);
            writer.raw() << ",\"args\":{\"value\":" << number << "}}";
            break;
        }
        case EventType::Post:
            writer.begin("i", "post", e.thread, e.timeNs);
            writer.raw() << ",\"s\":\"t\",\"args\":{\"key\":" << e.value << ",\"token\":" << e.id << "}}";
            break;
        default:
            break;
        }
    }
    for (std::size_t t = 0; t < states.size(); ++t) {
        if (states[t].open)
            writer.complete(trace.vocabulary.stateName(std::uint8_t(states[t].state)), "state", std::uint32_t(t), states[t].since, last, StatePid);
        for (; openFrames[t] > 0; --openFrames[t])
            writer.frameEnd(std::uint32_t(t), last);
    }
    writer.finish();
}

std::string saveChromeTrace(const Trace &trace, const std::string &path)
{
    SafeFile file(path);
    if (!file.isOpen())
        return file.error();
    writeChromeTrace(trace, file.stream());
    return file.commit();
}

} // namespace porthole::trace
