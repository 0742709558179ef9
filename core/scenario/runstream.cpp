#include "scenario/runstream.h"

#include <cstring>
#include <sstream>

namespace porthole::scenario::runstream {

std::string frame(Frame kind, const std::string &payload)
{
    std::string out(1, char(kind));
    const std::uint64_t length = payload.size();
    out.append(reinterpret_cast<const char *>(&length), sizeof length);
    out += payload;
    return out;
}

std::string watermarkPayload(std::uint64_t timeNs) { return std::string(reinterpret_cast<const char *>(&timeNs), sizeof timeNs); }

std::string pauseCommand() { return "pause\n"; }
std::string resumeCommand() { return "resume\n"; }
std::string stepCommand() { return "step\n"; }
std::string stopCommand() { return "stop\n"; }
std::string trafficDuringPauseCommand(bool flows) { return flows ? "traffic-during-pause 1\n" : "traffic-during-pause 0\n"; }
std::string slowMotionCommand(double factor) { return "speed " + std::to_string(factor) + "\n"; }
std::string rateCommand(double messagesPerSecond) { return "rate " + std::to_string(messagesPerSecond) + "\n"; }

std::string limitsCommand(const runtime::ThreadLimits &limits)
{
    // "-" for a value the call leaves as it is.
    const auto value = [](const std::optional<unsigned> &v) { return v ? std::to_string(*v) : std::string("-"); };
    return "limits " + value(limits.workerMin) + " " + value(limits.workerMax) + " " + value(limits.ioMin) + " "
           + value(limits.ioMax) + "\n";
}

std::optional<Command> parseCommand(const std::string &line)
{
    std::istringstream in(line);
    std::string word;
    in >> word;
    Command c;
    if (word == "pause")
        c.kind = Command::Pause;
    else if (word == "resume")
        c.kind = Command::Resume;
    else if (word == "step")
        c.kind = Command::Step;
    else if (word == "stop")
        c.kind = Command::Stop;
    else if (word == "traffic-during-pause" || word == "speed" || word == "rate") {
        c.kind = word == "speed" ? Command::SlowMotion : word == "rate" ? Command::Rate : Command::TrafficDuringPause;
        if (!(in >> c.value) || !(c.value >= 0 && c.value <= 1e9))
            return std::nullopt;
    } else if (word == "limits") {
        c.kind = Command::Limits;
        std::optional<unsigned> *fields[] = {&c.limits.workerMin, &c.limits.workerMax, &c.limits.ioMin, &c.limits.ioMax};
        for (std::optional<unsigned> *field : fields) {
            std::string v;
            if (!(in >> v))
                return std::nullopt;
            if (v == "-")
                continue;
            try {
                std::size_t used = 0;
                const unsigned long n = std::stoul(v, &used);
                if (used != v.size() || n > 100000)
                    return std::nullopt;
                *field = unsigned(n);
            } catch (...) {
                return std::nullopt;
            }
        }
    } else {
        return std::nullopt;
    }
    return c;
}

std::optional<std::pair<Frame, std::string>> FrameReader::next()
{
    if (!m_error.empty())
        return std::nullopt;
    constexpr std::size_t Head = 1 + sizeof(std::uint64_t);
    if (m_buffer.size() - m_offset < Head)
        return std::nullopt;
    const char kind = m_buffer[m_offset];
    if (std::string_view("SETWFZ").find(kind) == std::string_view::npos) {
        m_error = "the run's process wrote something that is not a Porthole run stream (frame kind "
                  + std::to_string(int(static_cast<unsigned char>(kind))) + ")";
        return std::nullopt;
    }
    std::uint64_t length = 0;
    std::memcpy(&length, m_buffer.data() + m_offset + 1, sizeof length);
    if (length > MaxFrameBytes) {
        m_error = "the run's process sent a frame of " + std::to_string(length) + " bytes";
        return std::nullopt;
    }
    if (m_buffer.size() - m_offset - Head < length)
        return std::nullopt;
    std::pair<Frame, std::string> out{Frame(kind), m_buffer.substr(m_offset + Head, std::size_t(length))};
    m_offset += Head + std::size_t(length);
    if (m_offset > (1u << 20) && m_offset * 2 > m_buffer.size()) { // drop what was read, now and then
        m_buffer.erase(0, m_offset);
        m_offset = 0;
    }
    return out;
}

} // namespace porthole::scenario::runstream
