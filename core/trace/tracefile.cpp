#include "trace/tracefile.h"

#include "trace/bytereader_p.h"
#include "trace/safefile.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace porthole::trace {

namespace {

using bytes::append;
using bytes::Reader;

constexpr char Magic[8] = {'P', 'O', 'R', 'T', 'H', 'O', 'L', 'E'};
constexpr std::uint32_t MaxThreadName = 256;
constexpr std::uint32_t MaxStringBytes = 1u << 20; // a name, a wait channel, or the scenario's JSON
constexpr std::uint32_t MaxListEntries = 1u << 20; // strings in one table: a real trace has hundreds
constexpr std::uint64_t MaxNamesBytes = 64ull << 20; // vocabulary, strings and scenario together
constexpr std::uint32_t MaxThreads = 1u << 17;      // threads in one trace (the descriptor limit allows ~20,000 sockets)

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

void appendString(std::string &out, std::string_view text)
{
    append(out, std::uint32_t(text.size()));
    out.append(text);
}

void appendList(std::string &out, const std::vector<std::string> &list)
{
    append(out, std::uint32_t(list.size()));
    for (const std::string &text : list)
        appendString(out, text);
}

bool readString(Reader &reader, std::string &out)
{
    std::uint32_t length = 0;
    return reader.read(length) && length <= MaxStringBytes && reader.readString(out, length);
}

bool readList(Reader &reader, std::vector<std::string> &list)
{
    std::uint32_t count = 0;
    if (!reader.read(count) || count > MaxListEntries || count > reader.remaining() / sizeof(std::uint32_t))
        return false;
    list.resize(count);
    for (std::string &text : list)
        if (!readString(reader, text))
            return false;
    return true;
}

void appendVocabulary(std::string &out, const Vocabulary &v)
{
    append(out, std::uint32_t(v.frames.size()));
    for (const FrameText &f : v.frames) {
        appendString(out, f.dotnetName);
        appendString(out, f.version);
    }
    for (const auto *list : {&v.roles, &v.states, &v.reasons, &v.queues, &v.ops, &v.metrics})
        appendList(out, *list);
}

bool readVocabulary(Reader &reader, Vocabulary &v)
{
    std::uint32_t frames = 0;
    if (!reader.read(frames) || frames > MaxListEntries || frames > reader.remaining() / (2 * sizeof(std::uint32_t)))
        return false;
    v.frames.resize(frames);
    for (FrameText &f : v.frames)
        if (!readString(reader, f.dotnetName) || !readString(reader, f.version))
            return false;
    for (auto *list : {&v.roles, &v.states, &v.reasons, &v.queues, &v.ops, &v.metrics})
        if (!readList(reader, *list))
            return false;
    return true;
}

TraceLoadResult fail(const std::string &source, const std::string &what)
{
    return {std::nullopt, source + ": " + what};
}

// Every field a view or the interpreter indexes by must be in range.
std::string checkFields(const Event &e, const Trace &trace)
{
    switch (e.type) {
    case EventType::ThreadCreated:
        return e.small <= std::uint8_t(ThreadRole::Last) ? std::string() : "has an unknown thread role " + std::to_string(e.small);
    case EventType::ThreadState:
        return e.small <= std::uint8_t(ThreadState::Last) ? std::string() : "has an unknown thread state " + std::to_string(e.small);
    case EventType::StackPush:
        if (e.id >= trace.strings.size())
            return "names string " + std::to_string(e.id) + " of " + std::to_string(trace.strings.size());
        [[fallthrough]];
    case EventType::StackPop:
        return e.aux < trace.vocabulary.frames.size() ? std::string() : "names frame " + std::to_string(e.aux) + " of "
                       + std::to_string(trace.vocabulary.frames.size());
    case EventType::QueueSample:
        return e.small <= std::uint8_t(QueueKind::Last) ? std::string() : "has an unknown queue " + std::to_string(e.small);
    case EventType::Observed:
        return e.aux < trace.vocabulary.metrics.size() ? std::string() : "names metric " + std::to_string(e.aux) + " of "
                       + std::to_string(trace.vocabulary.metrics.size());
    case EventType::RunControl:
        return e.small <= std::uint8_t(RunAction::Last) ? std::string() : "has an unknown run action " + std::to_string(e.small);
    case EventType::ThreadLimit:
        return e.small <= std::uint8_t(ThreadLimitKind::Last) ? std::string() : "has an unknown thread limit " + std::to_string(e.small);
    case EventType::KernelState:
        return std::uint32_t(e.id) < trace.strings.size() ? std::string() : "names wait channel " + std::to_string(std::uint32_t(e.id));
    default:
        return {};
    }
}

// Observed events name metrics by the file's own table: turn them into this build's numbers (a metric
// this build does not know is dropped).
void remapMetrics(Trace &trace)
{
    std::vector<std::uint16_t> toCurrent(trace.vocabulary.metrics.size(), std::uint16_t(0xFFFF));
    for (std::size_t i = 0; i < toCurrent.size(); ++i)
        for (std::size_t m = 0; m < MetricCount; ++m)
            if (trace.vocabulary.metrics[i] == metricName(Metric(m)))
                toCurrent[i] = std::uint16_t(m);
    std::erase_if(trace.events, [&](Event &e) {
        if (e.type != EventType::Observed)
            return false;
        e.aux = toCurrent[e.aux];
        return e.aux == 0xFFFF;
    });
    trace.vocabulary.metrics = Vocabulary::current().metrics;
}

// The header's checks, on its bytes and the whole file's size: a loader runs them before it reads the rest.
std::string checkHeader(const std::string &bytes, std::uint64_t fileBytes, FileHeader &header)
{
    Reader reader(bytes);
    if (bytes.size() >= sizeof(Magic) && std::memcmp(bytes.data(), Magic, sizeof(Magic)) != 0)
        return std::string("not a Porthole trace (it does not start with \"PORTHOLE\")");
    if (!reader.read(header))
        return std::string("truncated: the header needs " + std::to_string(sizeof(FileHeader)) + " bytes, the file has "
                                + std::to_string(bytes.size()));
    if (std::memcmp(header.magic, Magic, sizeof(Magic)) != 0)
        return std::string("not a Porthole trace (it does not start with \"PORTHOLE\")");
    if (header.version < TraceFileVersion)
        return std::string("written by an older Porthole (trace format " + std::to_string(header.version)
                                + "), which did not record the names and the scenario this build needs to replay it; "
                                  "run the scenario again and save a new trace (this build reads format "
                                + std::to_string(TraceFileVersion) + ")");
    if (header.version != TraceFileVersion)
        return std::string("trace format version " + std::to_string(header.version) + " is newer than this build reads (version "
                                + std::to_string(TraceFileVersion) + "): open it with a newer Porthole");
    if (header.headerBytes != sizeof(FileHeader))
        return std::string("corrupted header: header size " + std::to_string(header.headerBytes) + ", expected "
                                + std::to_string(sizeof(FileHeader)));
    if (header.threadCount > fileBytes / sizeof(FileThread))
        return std::string("corrupted header: " + std::to_string(header.threadCount) + " threads cannot fit in "
                                + std::to_string(fileBytes) + " bytes");

    if (header.eventCount > fileBytes / sizeof(Event))
        return "corrupted header: " + std::to_string(header.eventCount) + " events cannot fit in " + std::to_string(fileBytes) + " bytes";
    if (header.threadCount > MaxThreads)
        return "corrupted header: " + std::to_string(header.threadCount) + " threads; a trace holds at most " + std::to_string(MaxThreads);
    // What is not events is names and threads, bounded: a file much larger than its header says is
    // refused before it is read, so loading never takes much more memory than the trace it holds.
    const std::uint64_t rest = fileBytes - std::min<std::uint64_t>(fileBytes, sizeof(FileHeader) + header.eventCount * sizeof(Event));
    if (rest > MaxNamesBytes + std::uint64_t(header.threadCount) * (sizeof(FileThread) + MaxThreadName))
        return "corrupted: " + std::to_string(rest) + " bytes besides the " + std::to_string(header.eventCount)
               + " events the header promises; names and threads take far less";
    return {};
}

} // namespace

namespace {

// Everything before the events.
std::string serializeHead(const Trace &trace)
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
    appendVocabulary(bytes, trace.vocabulary);
    appendList(bytes, trace.strings);
    appendString(bytes, trace.scenarioJson.size() <= MaxStringBytes ? std::string_view(trace.scenarioJson) : std::string_view());
    for (const ThreadInfo &info : trace.threads) {
        const std::string name = info.name.substr(0, MaxThreadName);
        append(bytes, FileThread{info.index, info.osThreadId, std::uint8_t(info.role), 0, std::uint16_t(name.size())});
        bytes += name;
    }
    return bytes;
}

} // namespace

std::string serializeTrace(const Trace &trace)
{
    std::string bytes = serializeHead(trace);
    bytes.append(reinterpret_cast<const char *>(trace.events.data()), trace.events.size() * sizeof(Event));
    return bytes;
}

std::string saveTrace(const Trace &trace, const std::string &path)
{
    const std::string head = serializeHead(trace);
    SafeFile file(path);
    if (!file.isOpen())
        return file.error();
    file.write(head);
    if (!trace.events.empty())
        file.write({reinterpret_cast<const char *>(trace.events.data()), trace.events.size() * sizeof(Event)});
    return file.commit();
}

TraceLoadResult loadTrace(const std::string &path)
{
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec && ec != std::errc::no_such_file_or_directory)
        return fail(path, "cannot be opened: " + ec.message()); // a symlink loop, no permission
    if (!std::filesystem::exists(status))
        return fail(path, std::filesystem::is_symlink(std::filesystem::symlink_status(path, ec)) ? "is a symlink to nothing" : "no such file");
    if (std::filesystem::is_directory(status))
        return fail(path, "is a directory, not a trace file");
    if (!std::filesystem::is_regular_file(status))
        return fail(path, "is not a regular file (a device, a FIFO or a socket); traces are regular files");
    const auto size = std::filesystem::file_size(path, ec);
    if (ec)
        return fail(path, "cannot read its size: " + ec.message());
    if (size > MaxTraceFileBytes)
        return fail(path, "is " + std::to_string(size >> 20) + " MiB; Porthole opens traces up to "
                              + std::to_string(MaxTraceFileBytes >> 20) + " MiB");
    if (size == 0)
        return fail(path, "the file is empty");
    std::ifstream file(path, std::ios::binary);
    if (!file)
        return fail(path, std::string("cannot open: ") + std::strerror(errno));
    // The header first: a file that is not a trace of this format is refused before its bulk is read.
    std::string bytes(std::min<std::uint64_t>(size, sizeof(FileHeader)), '\0');
    file.read(bytes.data(), std::streamsize(bytes.size()));
    FileHeader header{};
    if (const std::string why = checkHeader(bytes, size, header); !why.empty())
        return fail(path, why);
    bytes.resize(size);
    file.read(bytes.data() + sizeof(FileHeader), std::streamsize(size - sizeof(FileHeader)));
    if (std::uint64_t(file.gcount()) != size - sizeof(FileHeader))
        return fail(path, "could not read the whole file (it changed while being read?)");
    return parseTrace(bytes, path);
}

TraceLoadResult parseTrace(const std::string &bytes, const std::string &source)
{
    if (bytes.empty())
        return fail(source, "the file is empty");
    Reader reader(bytes);
    FileHeader header{};
    if (const std::string why = checkHeader(bytes, bytes.size(), header); !why.empty())
        return fail(source, why);
    reader.read(header);

    Trace trace;
    trace.droppedEvents = header.droppedEvents;
    if (!readVocabulary(reader, trace.vocabulary))
        return fail(source, "truncated or corrupted in the vocabulary (the names of the trace's ids)");
    if (!readList(reader, trace.strings))
        return fail(source, "truncated or corrupted in the string table");
    if (!readString(reader, trace.scenarioJson))
        return fail(source, "truncated or corrupted in the scenario's JSON");
    if (header.threadCount > reader.remaining() / sizeof(FileThread))
        return fail(source, "corrupted header: " + std::to_string(header.threadCount) + " threads cannot fit in the "
                                + std::to_string(reader.remaining()) + " bytes left");
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
    if (eventBytes > 0)
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
        if (const std::string why = checkFields(e, trace); !why.empty())
            return fail(source, "corrupted: event " + std::to_string(i) + " (" + std::string(eventTypeName(e.type)) + ") " + why);
    }
    remapMetrics(trace);
    return {std::move(trace), {}};
}

} // namespace porthole::trace
