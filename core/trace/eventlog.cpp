#include "trace/eventlog.h"

#include <algorithm>

namespace porthole::trace {

std::vector<Event> EventLog::copy(std::size_t from, std::size_t to) const
{
    to = std::min(to, m_size);
    std::vector<Event> out;
    if (from >= to)
        return out;
    out.reserve(to - from);
    while (from < to) {
        const std::size_t inChunk = std::min(to - from, ChunkEvents - (from & (ChunkEvents - 1)));
        const Event *first = &(*this)[from];
        out.insert(out.end(), first, first + inChunk);
        from += inChunk;
    }
    return out;
}

} // namespace porthole::trace
