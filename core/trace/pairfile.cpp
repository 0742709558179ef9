#include "trace/pairfile.h"

#include "trace/bytereader_p.h"
#include "trace/safefile.h"

#include <cstring>
#include <filesystem>
#include <fstream>

namespace porthole::trace {

namespace {

using bytes::append;
using bytes::Reader;

constexpr char Magic[8] = {'P', 'O', 'R', 'T', 'P', 'A', 'I', 'R'};
constexpr std::uint32_t MaxLabelBytes = 4096;
constexpr std::uint32_t MaxJsonBytes = 1u << 20;

PairLoadResult fail(const std::string &source, const std::string &what) { return {std::nullopt, source + ": " + what}; }

} // namespace

bool looksLikePairFile(const std::string &firstBytes)
{
    return firstBytes.size() >= sizeof(Magic) && std::memcmp(firstBytes.data(), Magic, sizeof(Magic)) == 0;
}

bool isPairFile(const std::string &path)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return false;
    std::ifstream file(path, std::ios::binary);
    std::string head(sizeof(Magic), '\0');
    return bool(file.read(head.data(), std::streamsize(head.size()))) && looksLikePairFile(head);
}

std::string savePair(const TracePair &pair, const std::string &path)
{
    std::string bytes(Magic, sizeof(Magic));
    append(bytes, PairFileVersion);
    for (std::size_t i = 0; i < 2; ++i) {
        const std::string label = pair.labels[i].substr(0, MaxLabelBytes);
        append(bytes, std::uint32_t(label.size()));
        bytes += label;
        const std::string trace = serializeTrace(pair.runs[i]);
        append(bytes, std::uint64_t(trace.size()));
        bytes += trace;
    }
    const std::string json = pair.comparisonJson.size() <= MaxJsonBytes ? pair.comparisonJson : std::string();
    append(bytes, std::uint32_t(json.size()));
    bytes += json;
    return saveFileSafely(path, bytes);
}

PairLoadResult loadPair(const std::string &path)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return fail(path, std::filesystem::exists(path, ec) ? "is not a regular file" : "no such file");
    const auto size = std::filesystem::file_size(path, ec);
    if (ec)
        return fail(path, "cannot read its size: " + ec.message());
    if (size > 2 * MaxTraceFileBytes)
        return fail(path, "is " + std::to_string(size >> 20) + " MiB; Porthole opens pairs up to "
                              + std::to_string((2 * MaxTraceFileBytes) >> 20) + " MiB");
    std::ifstream file(path, std::ios::binary);
    if (!file)
        return fail(path, std::string("cannot open: ") + std::strerror(errno));
    std::string bytes(size, '\0');
    file.read(bytes.data(), std::streamsize(size));
    if (std::uint64_t(file.gcount()) != size)
        return fail(path, "could not read the whole file (it changed while being read?)");
    return parsePair(bytes, path);
}

PairLoadResult parsePair(const std::string &bytes, const std::string &source)
{
    if (!looksLikePairFile(bytes))
        return fail(source, "not a pair of Porthole runs (it does not start with \"PORTPAIR\")");
    Reader reader(bytes);
    char magic[8];
    std::uint32_t version = 0;
    reader.read(magic);
    if (!reader.read(version))
        return fail(source, "truncated: the header ends early");
    if (version != PairFileVersion)
        return fail(source, "pair format version " + std::to_string(version) + "; this build reads version "
                                + std::to_string(PairFileVersion));
    TracePair pair;
    for (std::size_t i = 0; i < 2; ++i) {
        const std::string which = i == 0 ? " (run A)" : " (run B)";
        std::uint32_t labelBytes = 0;
        if (!reader.read(labelBytes) || labelBytes > MaxLabelBytes || !reader.readString(pair.labels[i], labelBytes))
            return fail(source, "truncated or corrupted in the label" + which);
        std::uint64_t traceBytes = 0;
        std::string trace;
        if (!reader.read(traceBytes) || traceBytes > reader.remaining() || !reader.readString(trace, traceBytes))
            return fail(source, "truncated: the trace" + which + " ends early");
        TraceLoadResult run = parseTrace(trace, source + which);
        if (!run.trace)
            return {std::nullopt, run.error};
        pair.runs[i] = std::move(*run.trace);
    }
    std::uint32_t jsonBytes = 0;
    if (!reader.read(jsonBytes) || jsonBytes > MaxJsonBytes || !reader.readString(pair.comparisonJson, jsonBytes))
        return fail(source, "truncated or corrupted in the comparison");
    if (reader.remaining() != 0)
        return fail(source, "corrupted: " + std::to_string(reader.remaining()) + " stray bytes at the end");
    return {std::move(pair), {}};
}

} // namespace porthole::trace
