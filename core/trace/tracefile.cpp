#include "trace/tracefile.h"

#include <cstring>
#include <filesystem>
#include <fstream>

namespace porthole::trace {

namespace {

constexpr char Magic[8] = {'P', 'O', 'R', 'T', 'H', 'O', 'L', 'E'};
constexpr std::uint32_t MaxThreadName = 256;

#pragma pack(push, 1)
struct FileHeader {
    char magic[8];
    std::uint32_t version;
    std::uint32_t headerBytes;
    std::uint32_t threadCount;
    std::uint32_t reserved;
    std::uint64_t eventCount;
    std::uint64_t droppedEvents;
};
struct FileThread {
    std::uint32_t index;
    std::int32_t osThreadId;
    std::uint8_t role;
    std::uint8_t unused;
    std::uint16_t nameBytes;
};
#pragma pack(pop)

template<typename T>
void append(std::string &out, const T &value)
{
    out.append(reinterpret_cast<const char *>(&value), sizeof(T));
}

class Reader
{
public:
    explicit Reader(const std::string &bytes) : m_bytes(bytes) {}
    template<typename T>
    bool read(T &value)
    {
        if (m_bytes.size() - m_offset < sizeof(T))
            return false;
        std::memcpy(&value, m_bytes.data() + m_offset, sizeof(T));
        m_offset += sizeof(T);
        return true;
    }
    bool readString(std::string &out, std::size_t length)
    {
        if (m_bytes.size() - m_offset < length)
            return false;
        out.assign(m_bytes, m_offset, length);
        m_offset += length;
        return true;
    }
    std::size_t remaining() const { return m_bytes.size() - m_offset; }
    std::size_t offset() const { return m_offset; }

private:
    const std::string &m_bytes;
    std::size_t m_offset = 0;
};

TraceLoadResult fail(const std::string &source, const std::string &what)
{
    return {std::nullopt, source + ": " + what};
}

} // namespace

std::string saveTrace(const Trace &trace, const std::string &path)
{
    std::string bytes;
    FileHeader header{};
    std::memcpy(header.magic, Magic, sizeof(Magic));
    header.version = TraceFileVersion;
    header.headerBytes = sizeof(FileHeader);
    header.threadCount = std::uint32_t(trace.threads.size());
    header.eventCount = trace.events.size();
    header.droppedEvents = trace.droppedEvents;
    append(bytes, header);
    for (const ThreadInfo &info : trace.threads) {
        const std::string name = info.name.substr(0, MaxThreadName);
        append(bytes, FileThread{info.index, info.osThreadId, std::uint8_t(info.role), 0, std::uint16_t(name.size())});
        bytes += name;
    }
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (!file)
        return path + ": cannot open for writing: " + std::strerror(errno);
    file.write(bytes.data(), std::streamsize(bytes.size()));
    file.write(reinterpret_cast<const char *>(trace.events.data()), std::streamsize(trace.events.size() * sizeof(Event)));
    file.close();
    if (!file)
        return path + ": write failed (disk full?)";
    return {};
}

TraceLoadResult loadTrace(const std::string &path)
{
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status))
        return fail(path, "no such file");
    if (std::filesystem::is_directory(status))
        return fail(path, "is a directory, not a trace file");
    const auto size = std::filesystem::file_size(path, ec);
    if (ec)
        return fail(path, "cannot read its size: " + ec.message());
    if (size > MaxTraceFileBytes)
        return fail(path, "is " + std::to_string(size >> 20) + " MiB; Porthole opens traces up to "
                              + std::to_string(MaxTraceFileBytes >> 20) + " MiB");
    std::ifstream file(path, std::ios::binary);
    if (!file)
        return fail(path, std::string("cannot open: ") + std::strerror(errno));
    std::string bytes(size, '\0');
    file.read(bytes.data(), std::streamsize(size));
    if (std::size_t(file.gcount()) != size)
        return fail(path, "could not read the whole file");
    return parseTrace(bytes, path);
}

TraceLoadResult parseTrace(const std::string &bytes, const std::string &source)
{
    if (bytes.empty())
        return fail(source, "the file is empty");
    Reader reader(bytes);
    FileHeader header{};
    if (bytes.size() >= sizeof(Magic) && std::memcmp(bytes.data(), Magic, sizeof(Magic)) != 0)
        return fail(source, "not a Porthole trace (it does not start with \"PORTHOLE\")");
    if (!reader.read(header))
        return fail(source, "truncated: the header needs " + std::to_string(sizeof(FileHeader)) + " bytes, the file has "
                                + std::to_string(bytes.size()));
    if (std::memcmp(header.magic, Magic, sizeof(Magic)) != 0)
        return fail(source, "not a Porthole trace (it does not start with \"PORTHOLE\")");
    if (header.version != TraceFileVersion)
        return fail(source, "trace format version " + std::to_string(header.version) + " is not supported (this build reads version "
                                + std::to_string(TraceFileVersion) + ")");
    if (header.headerBytes != sizeof(FileHeader))
        return fail(source, "corrupted header: header size " + std::to_string(header.headerBytes) + ", expected "
                                + std::to_string(sizeof(FileHeader)));
    if (header.threadCount > bytes.size() / sizeof(FileThread))
        return fail(source, "corrupted header: " + std::to_string(header.threadCount) + " threads cannot fit in "
                                + std::to_string(bytes.size()) + " bytes");

    Trace trace;
    trace.droppedEvents = header.droppedEvents;
    trace.threads.reserve(header.threadCount);
    for (std::uint32_t i = 0; i < header.threadCount; ++i) {
        FileThread record{};
        ThreadInfo info;
        if (!reader.read(record) || !reader.readString(info.name, record.nameBytes))
            return fail(source, "truncated in the thread table (thread " + std::to_string(i) + " of "
                                    + std::to_string(header.threadCount) + ")");
        if (record.index != i || record.role > std::uint8_t(ThreadRole::Last) || record.nameBytes > MaxThreadName)
            return fail(source, "corrupted thread table entry " + std::to_string(i));
        info.index = record.index;
        info.osThreadId = record.osThreadId;
        info.role = ThreadRole(record.role);
        trace.threads.push_back(std::move(info));
    }

    const std::uint64_t eventBytes = reader.remaining();
    if (eventBytes / sizeof(Event) < header.eventCount)
        return fail(source, "truncated: the header promises " + std::to_string(header.eventCount) + " events, the file holds "
                                + std::to_string(eventBytes / sizeof(Event)));
    if (eventBytes != header.eventCount * sizeof(Event))
        return fail(source, "corrupted: " + std::to_string(eventBytes - header.eventCount * sizeof(Event))
                                + " stray bytes after the last event");
    trace.events.resize(header.eventCount);
    std::memcpy(trace.events.data(), bytes.data() + reader.offset(), eventBytes);
    for (std::size_t i = 0; i < trace.events.size(); ++i) {
        const Event &e = trace.events[i];
        if (!isValidEventType(std::uint8_t(e.type)))
            return fail(source, "corrupted: event " + std::to_string(i) + " has unknown type " + std::to_string(int(e.type)));
        if (e.thread >= trace.threads.size())
            return fail(source, "corrupted: event " + std::to_string(i) + " names thread " + std::to_string(e.thread)
                                    + " but the trace has " + std::to_string(trace.threads.size()));
        if (i > 0 && e.timeNs < trace.events[i - 1].timeNs)
            return fail(source, "corrupted: event " + std::to_string(i) + " is older than the one before it");
    }
    return {std::move(trace), {}};
}

} // namespace porthole::trace
